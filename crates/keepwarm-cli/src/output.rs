//! Standard output for the commands. A reader that goes away early (`keepwarm ingest ... | head`)
//! is a normal end, not an error: the process exits quietly with status 0, as it would have been
//! ended by SIGPIPE in a C program. `println!` panics there instead, so commands print through
//! [`outln!`](crate::outln) and [`out!`](crate::out).

use std::io::Write;

/// Writes `args` to standard output; a broken pipe ends the process with status 0, any other write
/// failure with a one-line error and status 1.
pub fn write(args: std::fmt::Arguments<'_>, newline: bool) {
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(args).and_then(|()| {
        if newline {
            out.write_all(b"\n")
        } else {
            out.flush()
        }
    });
    if let Err(e) = written {
        exit_on_write_error(&e);
    }
}

fn exit_on_write_error(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("error: writing to standard output: {e}");
    std::process::exit(1);
}

/// `println!` that ends the process quietly when standard output's reader has gone away.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!($($arg)*), true)
    };
}

/// `print!` that ends the process quietly when standard output's reader has gone away.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!($($arg)*), false)
    };
}
