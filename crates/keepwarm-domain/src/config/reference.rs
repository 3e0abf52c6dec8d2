//! The configuration reference (`docs/config.md`), generated from the types the files are parsed
//! into (`config::raw` and its neighbours): each file's JSON Schema (schemars, from the serde
//! shapes and their doc comments) walked into one Markdown section per file and one table per TOML
//! table. A key added to a file without a doc comment shows up with an empty meaning; a key renamed
//! or removed leaves `docs/config.md`, and the CLI's drift test fails until it is regenerated.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::Value;

use super::{channels, raw};

/// One file's schema, with subschemas inlined (the files hold no recursive types).
fn schema_of<T: JsonSchema>() -> Value {
    SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// Every configuration file, in the order an administrator meets them, with its schema.
fn files() -> Vec<(&'static str, Value)> {
    vec![
        ("settings.toml", schema_of::<raw::Settings>()),
        ("dealerships.toml", schema_of::<raw::Dealerships>()),
        ("staff.toml", schema_of::<raw::StaffFile>()),
        ("routing.toml", schema_of::<raw::Routing>()),
        ("segments.toml", schema_of::<raw::Segments>()),
        ("cadences/NAME.toml", schema_of::<raw::Cadence>()),
        ("blocks.toml", schema_of::<raw::Blocks>()),
        ("channels.toml", schema_of::<channels::RawChannels>()),
    ]
}

/// Files read by other crates, named so that the reference lists every file.
const ELSEWHERE: &str = "\n## replies.toml\n\n\
    The dealership's own reply phrases, merged onto the built-in set: the reply classifier's \
    format (`[settings]` negation window and word lists, `[[rule]]` id, label, scope, phrases, \
    parts, unless, negatable, fuzzy, revokes, suppressed_by, lang, disabled), documented in \
    `crates/keepwarm-classify/src/phrases.rs` and checked by `keepwarm check`.\n\
    \n## compliance.toml\n\n\
    Rows laid over the built-in contact-rule table (state, federal and Canadian hours, Sundays, \
    holidays, frequency caps, consent, opt-out holds), in the table's own format: `[jurisdictions]` \
    names, `[calendars]` holiday lists, `[[rule]]` id, jurisdiction, kind (`hours`, `holidays`, \
    `cap`, `consent`, `opt_out`), its figures, citation, effective, until, verified. A row with a \
    built-in id replaces it. The format is documented at the top of \
    `crates/keepwarm-domain/data/compliance_rules.toml`; `keepwarm compliance rules` prints the \
    table in force. Not legal advice.\n";

/// The whole reference, as Markdown.
pub fn markdown() -> String {
    let mut out = String::from(
        "# keepwarm configuration reference\n\n\
         Generated from the code by `keepwarm reference --config > docs/config.md` (from the doc \
         comments of the types each file is read into); a test fails when this file and the code \
         differ. `keepwarm init DIR` writes a commented starter configuration, and \
         `keepwarm check --config DIR` validates one. Unknown keys are refused; keys are listed \
         in alphabetical order.\n",
    );
    for (file, schema) in files() {
        out.push_str(&format!("\n## {file}\n\n"));
        if let Some(text) = description(&schema) {
            out.push_str(&format!("{text}\n"));
        }
        write_table(&mut out, "", &schema);
    }
    out.push_str(ELSEWHERE);
    out
}

/// One TOML table: its keys in a Markdown table, then its sub-tables, each under its own heading.
fn write_table(out: &mut String, path: &str, schema: &Value) {
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let required = required_keys(schema);
    let mut rows = Vec::new();
    let mut tables = Vec::new();
    for (key, property) in &properties {
        match table_kind(property) {
            Some((heading, inner)) => tables.push((heading(path, key), property, inner)),
            None => rows.push(row(key, property, required.contains(key))),
        }
    }
    if !rows.is_empty() {
        out.push_str("\n| key | type | | meaning |\n|---|---|---|---|\n");
        for r in rows {
            out.push_str(&r);
        }
    }
    for (heading, property, inner) in tables {
        out.push_str(&format!("\n### `{heading}`\n"));
        let text = description(property).or_else(|| description(inner));
        if let Some(text) = text {
            out.push_str(&format!("\n{text}\n"));
        }
        let inner_path = heading.trim_matches(['[', ']']).to_owned();
        write_table(out, &inner_path, inner);
    }
}

/// How a key's heading is written from its parent's path.
type Heading = fn(&str, &str) -> String;

/// Whether a property is a table of its own (`[x]`), an array of tables (`[[x]]`) or a map of
/// tables (`[x.<name>]`); with the heading and the table's own schema.
fn table_kind(property: &Value) -> Option<(Heading, &Value)> {
    let property = non_null(property);
    if has_properties(property) {
        return Some((|p, k| format!("[{}]", join(p, k)), property));
    }
    if let Some(items) = property.get("items").map(non_null) {
        if has_properties(items) {
            return Some((|p, k| format!("[[{}]]", join(p, k)), items));
        }
    }
    if let Some(values) = property.get("additionalProperties").map(non_null) {
        if has_properties(values) {
            return Some((|p, k| format!("[{}.<name>]", join(p, k)), values));
        }
    }
    None
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A key's row: name, type in words, required or optional, and its doc comment.
fn row(key: &str, property: &Value, required: bool) -> String {
    let need = if required { "required" } else { "optional" };
    let text = description(property).unwrap_or_default();
    format!(
        "| `{key}` | {} | {need} | {} |\n",
        type_words(non_null(property)),
        text.replace('|', "\\|")
    )
}

/// A value's type in words: `string`, `list of strings`, `table of tables of strings`.
fn type_words(schema: &Value) -> String {
    let (noun, of) = type_parts(schema);
    match of {
        Some(inner) => format!("{noun} of {}", plural(inner)),
        None => noun.to_owned(),
    }
}

/// The same, for many values: `strings`, `tables of strings`.
fn plural(schema: &Value) -> String {
    let (noun, of) = type_parts(schema);
    match of {
        Some(inner) => format!("{noun}s of {}", plural(inner)),
        None => format!("{noun}s"),
    }
}

/// A type's noun and, for lists and tables, the schema of what they hold.
fn type_parts(schema: &Value) -> (&'static str, Option<&Value>) {
    match main_type(schema).as_deref() {
        Some("string") => ("string", None),
        Some("integer") => ("integer", None),
        Some("number") => ("number", None),
        Some("boolean") => ("boolean", None),
        Some("array") => ("list", schema.get("items").map(non_null)),
        Some("object") => (
            "table",
            schema
                .get("additionalProperties")
                .map(non_null)
                .filter(|v| v.is_object()),
        ),
        _ => ("value", None),
    }
}

/// The schema's type, `null` left out (an optional key is optional in the table, not in its type).
fn main_type(schema: &Value) -> Option<String> {
    match schema.get("type")? {
        Value::String(t) => Some(t.clone()),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .map(str::to_owned),
        _ => None,
    }
}

/// The schema without its `null` alternative (`Option<T>` is `anyOf: [T, null]`).
fn non_null(schema: &Value) -> &Value {
    schema
        .get("anyOf")
        .and_then(Value::as_array)
        .and_then(|alternatives| {
            alternatives
                .iter()
                .find(|a| a.get("type").and_then(Value::as_str) != Some("null"))
        })
        .unwrap_or(schema)
}

fn has_properties(schema: &Value) -> bool {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some()
}

fn required_keys(schema: &Value) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// A doc comment on one line, as a table cell needs it (the comments are single paragraphs).
fn description(schema: &Value) -> Option<String> {
    let text = schema.get("description").and_then(Value::as_str)?;
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_of_every_file_has_a_meaning() {
        let reference = markdown();
        let undocumented: Vec<&str> = reference
            .lines()
            .filter(|l| l.starts_with("| `") && l.ends_with("|  |"))
            .collect();
        assert!(undocumented.is_empty(), "{undocumented:#?}");
    }

    #[test]
    fn tables_arrays_of_tables_and_named_tables_get_their_toml_headings() {
        let reference = markdown();
        for heading in [
            "### `[contact]`",
            "### `[[dealership]]`",
            "### `[audit.delivery]`",
            "### `[audit.baseline.<name>]`",
            "### `[[block.variant]]`",
            "### `[[step]]`",
        ] {
            assert!(
                reference.contains(heading),
                "{heading} missing:\n{reference}"
            );
        }
    }

    #[test]
    fn a_key_row_says_its_type_whether_it_is_required_and_its_default() {
        let reference = markdown();
        assert!(
            reference.contains("| `time_zone` | string | required | An IANA zone"),
            "{reference}"
        );
        assert!(
            reference.contains("| `ack_minutes_by_label` | table of integers | optional |"),
            "{reference}"
        );
        assert!(
            reference.contains("| `holidays` | list of strings | optional |"),
            "{reference}"
        );
        assert!(
            reference.contains("| `hours` | table of tables of strings | optional |"),
            "{reference}"
        );
    }
}
