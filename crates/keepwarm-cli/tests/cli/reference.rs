//! The references are generated, not written: `docs/cli.md` is what `keepwarm reference`
//! prints, and the README's "Command line" block is its one-line-per-command part; `docs/config.md`
//! is what `keepwarm reference --config` prints from the configuration types.

use std::path::Path;
use std::process::Command;

fn checkout_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn generated() -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .arg("reference")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn docs_cli_md_is_what_the_commands_generate() {
    let generated = generated();
    assert!(
        generated.contains("\n## keepwarm serve\n") && generated.contains("--shutdown-grace"),
        "{generated}"
    );
    assert!(
        checkout_file("docs/cli.md") == generated,
        "docs/cli.md differs from the commands' definitions; regenerate it with \
         `cargo run -p keepwarm -- reference > docs/cli.md`"
    );
}

#[test]
fn the_readme_lists_every_command_as_generated() {
    let generated = generated();
    let start =
        generated.find("## Every command\n\n```\n").unwrap() + "## Every command\n\n```\n".len();
    let summary = &generated[start..start + generated[start..].find("```").unwrap()];
    assert!(summary.lines().count() > 20, "{summary}");
    assert!(
        checkout_file("README.md").contains(&format!("```\n{summary}```")),
        "the README's \"Command line\" block differs from docs/cli.md's \"Every command\" block; \
         copy it over after regenerating docs/cli.md"
    );
}

#[test]
fn docs_config_md_is_what_the_configuration_types_generate() {
    let output = Command::new(env!("CARGO_BIN_EXE_keepwarm"))
        .args(["reference", "--config"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let generated = String::from_utf8(output.stdout).unwrap();
    assert!(
        generated.contains("\n## settings.toml\n") && generated.contains("`waiting_sla_minutes`"),
        "{generated}"
    );
    assert!(
        checkout_file("docs/config.md") == generated,
        "docs/config.md differs from the configuration types' doc comments; regenerate it with \
         `cargo run -p keepwarm -- reference --config > docs/config.md`"
    );
    assert!(
        checkout_file("README.md").contains("(docs/config.md)"),
        "the README links the configuration reference"
    );
}
