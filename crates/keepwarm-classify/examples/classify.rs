//! Classifies each line of standard input (or the arguments) and prints the
//! JSON result, one per line: `cargo run --example classify -- "STOP"`.

use keepwarm_classify::Classifier;
use std::io::BufRead;

fn main() {
    let classifier = Classifier::default_set();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let lines: Vec<String> = if args.is_empty() {
        std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .collect()
    } else {
        args
    };
    for line in lines {
        let result = classifier.classify(&line);
        match serde_json::to_string(&result) {
            Ok(json) => println!("{json}"),
            Err(e) => eprintln!("error: {e}"),
        }
    }
}
