//! `keepwarm classify`: the reply classifier from the command line.
//!
//! `keepwarm classify "TEXT"` prints one JSON object; `keepwarm classify --jsonl` reads
//! `{"text": ...}` lines on stdin and writes one object per line, in order, each with at least
//! `{"intents": [...]}` plus the explanations (which phrase or rule matched). Other tools read this
//! output: keep it stable. A dealership's own phrase lists in `CONFIG/replies.toml` extend or replace
//! the built-in ones (see `keepwarm-classify`'s `default_phrases.toml` for the format).

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

use keepwarm_classify::Classifier;
use serde::Deserialize;
use serde_json::json;

use super::BAD_INPUT;

/// Longest reply classified, in bytes.
const MAX_TEXT: usize = 16 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    text: String,
}

/// Runs the command.
pub fn run(config: Option<&Path>, text: Option<&str>, jsonl: bool) -> anyhow::Result<ExitCode> {
    let classifier = match classifier(config) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    match (text, jsonl) {
        (Some(text), false) => {
            if text.len() > MAX_TEXT {
                eprintln!("error: the text is longer than {MAX_TEXT} bytes");
                return Ok(ExitCode::from(BAD_INPUT));
            }
            crate::outln!("{}", serde_json::to_string(&classifier.classify(text))?);
            Ok(ExitCode::SUCCESS)
        }
        (None, true) => jsonl_lines(&classifier),
        _ => {
            eprintln!("error: give either TEXT or --jsonl (lines of {{\"text\": ...}} on stdin)");
            Ok(ExitCode::from(BAD_INPUT))
        }
    }
}

fn classifier(config: Option<&Path>) -> Result<Classifier, String> {
    let Some(dir) = config else {
        return Ok(Classifier::default_set());
    };
    let path = dir.join("replies.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Classifier::default_with_overrides(&text)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Classifier::default_set()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// One output line per input line; a bad line gets `{"error": ...}` so outputs stay aligned with
/// inputs, and the exit code says some were bad.
fn jsonl_lines(classifier: &Classifier) -> anyhow::Result<ExitCode> {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut bad = 0usize;
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Result<Line, String> = if line.len() > MAX_TEXT * 2 {
            Err(format!("longer than {} bytes", MAX_TEXT * 2))
        } else {
            serde_json::from_str(&line).map_err(|e| e.to_string())
        };
        match parsed {
            Ok(l) if l.text.len() <= MAX_TEXT => writeln!(
                out,
                "{}",
                serde_json::to_string(&classifier.classify(&l.text))?
            )?,
            Ok(_) => {
                bad += 1;
                writeln!(
                    out,
                    "{}",
                    json!({"error": format!("line {}: text longer than {MAX_TEXT} bytes", n + 1)})
                )?;
            }
            Err(e) => {
                bad += 1;
                writeln!(
                    out,
                    "{}",
                    json!({"error": format!("line {}: expected {{\"text\": ...}}: {e}", n + 1)})
                )?;
            }
        }
    }
    out.flush()?;
    Ok(if bad > 0 {
        ExitCode::from(BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}
