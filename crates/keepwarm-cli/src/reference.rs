//! The command-line reference, generated from the clap types in [`crate::app`]: `keepwarm
//! reference` prints it, `docs/cli.md` holds it, and a test fails when the two differ, so the
//! reference cannot drift from the commands.
//!
//! It has two parts: one line per command (usage and summary; the README's "Command line" block)
//! and each command's full `--help`.

use clap::CommandFactory;

use crate::app::Cli;

/// Width the help text is wrapped to, whatever the terminal: the output must not depend on it.
const WIDTH: usize = 100;

/// Every command, depth first, with its full name (`keepwarm staff token create`).
fn commands() -> Vec<(String, clap::Command)> {
    fn walk(prefix: &str, command: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            let name = format!("{prefix} {}", sub.get_name());
            out.push((name.clone(), sub.clone()));
            walk(&name, sub, out);
        }
    }
    let root = Cli::command().term_width(WIDTH).max_term_width(WIDTH);
    let mut out = Vec::new();
    walk("keepwarm", &root, &mut out);
    out
}

/// One line per leaf command: its usage, then its summary.
pub fn summary() -> String {
    let mut lines = String::new();
    for (name, command) in commands() {
        if command.has_subcommands() {
            continue;
        }
        let mut command = command.bin_name(&name);
        let usage = command.render_usage().to_string();
        let usage = usage.trim_start_matches("Usage: ").trim();
        let about = command
            .get_about()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let about = about.lines().next().unwrap_or_default();
        lines.push_str(&format!("{usage}\n    {about}\n"));
    }
    lines
}

/// The whole reference, as Markdown.
pub fn markdown() -> String {
    let mut out = String::from(
        "# keepwarm command-line reference\n\n\
         Generated from the code by `keepwarm reference > docs/cli.md`; a test fails when this file \
         and the commands differ.\n\n## Every command\n\n```\n",
    );
    out.push_str(&summary());
    out.push_str("```\n");
    for (name, command) in commands() {
        let mut command = command.bin_name(&name).term_width(WIDTH);
        let help = command.render_long_help().to_string();
        out.push_str(&format!("\n## {name}\n\n```\n{}\n```\n", help.trim_end()));
    }
    out
}
