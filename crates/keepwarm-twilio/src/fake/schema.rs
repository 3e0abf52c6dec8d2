//! Request validators compiled once from the committed OpenAPI subset
//! (`openapi/messages_calls.json`, extracted from Twilio's description by
//! `scripts/extract-twilio-openapi.py`). Checks parameters against the schema data: required
//! names, types, enums, patterns, lengths, bounds and the formats listed on [`Field::check`].
//! Knows nothing of HTTP.

use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;

/// The committed subset of Twilio's OpenAPI description.
pub const OPENAPI_SUBSET: &str = include_str!("../../openapi/messages_calls.json");

/// Every operation the fake serves, compiled.
#[derive(Debug)]
pub struct Spec {
    operations: HashMap<String, Operation>,
}

/// One operation: its parameters' validators and its success response.
#[derive(Debug)]
pub struct Operation {
    /// e.g. `CreateMessage`.
    pub id: String,
    path_params: Vec<(String, Field)>,
    query_params: Vec<(String, bool, Field)>,
    body: Option<Body>,
    /// The success status (201 for creates, 200 for reads).
    pub response_status: u16,
    /// The spec's first response example, the template of the fake's answers.
    pub response_example: Value,
    /// The property names of the response schema, for the fake's own tests.
    pub response_properties: Vec<String>,
}

#[derive(Debug)]
struct Body {
    required: Vec<String>,
    properties: HashMap<String, Field>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Other,
}

/// One parameter's schema, ready to check values.
#[derive(Debug)]
pub struct Field {
    kind: Type,
    items: Option<Box<Field>>,
    values: Option<Vec<String>>,
    pattern: Option<Regex>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    format: Option<String>,
}

impl Spec {
    /// Compiles the committed subset.
    pub fn load() -> Result<Spec, String> {
        let root: Value = serde_json::from_str(OPENAPI_SUBSET).map_err(|e| e.to_string())?;
        let ops = root["operations"]
            .as_object()
            .ok_or("the subset has no operations")?;
        let mut operations = HashMap::new();
        for (id, op) in ops {
            operations.insert(id.clone(), Operation::compile(id, op)?);
        }
        Ok(Spec { operations })
    }

    /// The operation named `id` (`CreateMessage`, `ListMessage`, `FetchMessage`, `CreateCall`).
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.get(id)
    }
}

impl Operation {
    fn compile(id: &str, op: &Value) -> Result<Operation, String> {
        let params = |key: &str| -> Result<Vec<(String, bool, Field)>, String> {
            let mut out = Vec::new();
            if let Some(map) = op[key].as_object() {
                for (name, param) in map {
                    let required = param["required"].as_bool().unwrap_or(false);
                    out.push((name.clone(), required, Field::compile(&param["schema"])?));
                }
            }
            Ok(out)
        };
        let body = match op.get("body") {
            Some(body) => {
                let mut properties = HashMap::new();
                if let Some(props) = body["properties"].as_object() {
                    for (name, schema) in props {
                        properties.insert(name.clone(), Field::compile(schema)?);
                    }
                }
                Some(Body {
                    required: strings(&body["required"]),
                    properties,
                })
            }
            None => None,
        };
        let response = &op["response"];
        Ok(Operation {
            id: id.to_owned(),
            path_params: params("path_params")?
                .into_iter()
                .map(|(name, _, field)| (name, field))
                .collect(),
            query_params: params("query_params")?,
            body,
            response_status: response["status"]
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(200),
            response_example: response["example"].clone(),
            response_properties: response["schema"]["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default(),
        })
    }

    /// Every way the request breaks the operation's schema (empty when it conforms).
    pub fn check(
        &self,
        path: &[(&str, &str)],
        query: &[(String, String)],
        form: &[(String, String)],
    ) -> Vec<String> {
        let mut problems = Vec::new();
        for (name, field) in &self.path_params {
            match path.iter().find(|(n, _)| n == name) {
                Some((_, value)) => field.check_into(name, value, &mut problems),
                None => problems.push(format!("path parameter {name} is missing")),
            }
        }
        let query_fields: HashMap<&str, (bool, &Field)> = self
            .query_params
            .iter()
            .map(|(n, r, f)| (n.as_str(), (*r, f)))
            .collect();
        check_params("query", query, &query_fields, &mut problems);
        match &self.body {
            Some(body) => {
                let fields: HashMap<&str, (bool, &Field)> = body
                    .properties
                    .iter()
                    .map(|(n, f)| (n.as_str(), (body.required.contains(n), f)))
                    .collect();
                check_params("form", form, &fields, &mut problems);
            }
            None if !form.is_empty() => {
                problems.push(format!("{} takes no form body", self.id));
            }
            None => {}
        }
        problems
    }
}

fn check_params(
    place: &str,
    given: &[(String, String)],
    fields: &HashMap<&str, (bool, &Field)>,
    problems: &mut Vec<String>,
) {
    let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, value) in given {
        by_name
            .entry(name.as_str())
            .or_default()
            .push(value.as_str());
    }
    let mut required: Vec<&&str> = fields
        .iter()
        .filter(|(_, (required, _))| *required)
        .map(|(name, _)| name)
        .collect();
    required.sort();
    for name in required {
        if !by_name.contains_key(*name) {
            problems.push(format!("required {place} parameter {name} is missing"));
        }
    }
    let mut names: Vec<_> = by_name.into_iter().collect();
    names.sort();
    for (name, values) in names {
        let Some((_, field)) = fields.get(name) else {
            problems.push(format!(
                "{place} parameter {name} is not in the operation's schema"
            ));
            continue;
        };
        if field.kind == Type::Array {
            for value in values {
                if let Some(items) = &field.items {
                    items.check_into(name, value, problems);
                }
            }
        } else if values.len() > 1 {
            problems.push(format!(
                "{place} parameter {name} is repeated but is not an array"
            ));
        } else {
            for value in values {
                field.check_into(name, value, problems);
            }
        }
    }
}

impl Field {
    fn compile(schema: &Value) -> Result<Field, String> {
        let kind = match schema["type"].as_str() {
            Some("string") => Type::String,
            Some("integer") => Type::Integer,
            Some("number") => Type::Number,
            Some("boolean") => Type::Boolean,
            Some("array") => Type::Array,
            _ => Type::Other,
        };
        let pattern = match schema["pattern"].as_str() {
            Some(p) => Some(Regex::new(p).map_err(|e| format!("pattern {p}: {e}"))?),
            None => None,
        };
        let ignore_format = schema["x-twilio"]["ignoreFormat"]
            .as_bool()
            .unwrap_or(false);
        Ok(Field {
            kind,
            items: match schema.get("items") {
                Some(items) => Some(Box::new(Field::compile(items)?)),
                None => None,
            },
            values: schema.get("enum").map(strings),
            pattern,
            min_length: schema["minLength"].as_u64().map(|n| n as usize),
            max_length: schema["maxLength"].as_u64().map(|n| n as usize),
            minimum: schema["minimum"].as_f64(),
            maximum: schema["maximum"].as_f64(),
            format: schema["format"]
                .as_str()
                .filter(|_| !ignore_format)
                .map(str::to_owned),
        })
    }

    fn check_into(&self, name: &str, value: &str, problems: &mut Vec<String>) {
        if let Err(problem) = self.check(value) {
            problems.push(format!("{name}={value:?}: {problem}"));
        }
    }

    /// Checks one value. Formats checked: `phone-number` (E.164, or a channel address such as
    /// `whatsapp:+1...`), `endpoint` (E.164, `client:`, `sip:`), `uri` (absolute http(s) URL
    /// whose host has no underscore), `date-time` (RFC 3339, or `YYYY-MM-DD` as ListMessage's
    /// description allows), `twiml` (an XML document starting with `<` that contains
    /// `<Response`, at most 4000 characters). Others (`http-method`, `int64`, ...) are covered
    /// by type and enum, or unchecked.
    pub fn check(&self, value: &str) -> Result<(), String> {
        match self.kind {
            Type::Integer => {
                let n: i64 = value.parse().map_err(|_| "is not an integer".to_owned())?;
                self.check_bounds(n as f64)?;
            }
            Type::Number => {
                let n: f64 = value.parse().map_err(|_| "is not a number".to_owned())?;
                self.check_bounds(n)?;
            }
            Type::Boolean => {
                if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") {
                    return Err("is not true or false".into());
                }
            }
            Type::String | Type::Array | Type::Other => {}
        }
        if let Some(values) = &self.values {
            if !values.iter().any(|v| v == value) {
                return Err(format!("is not one of {values:?}"));
            }
        }
        let length = value.chars().count();
        if self.min_length.is_some_and(|min| length < min)
            || self.max_length.is_some_and(|max| length > max)
        {
            return Err(format!(
                "has {length} characters, outside {:?}..={:?}",
                self.min_length, self.max_length
            ));
        }
        if let Some(pattern) = &self.pattern {
            if !pattern.is_match(value) {
                return Err(format!("does not match {}", pattern.as_str()));
            }
        }
        match self.format.as_deref() {
            Some("phone-number") if !is_e164(value) && !is_channel_address(value) => {
                Err("is not an E.164 number or channel address".into())
            }
            Some("endpoint")
                if !is_e164(value)
                    && !value.starts_with("client:")
                    && !value.starts_with("sip:") =>
            {
                Err("is not an E.164 number, client: or sip: address".into())
            }
            Some("uri") => check_url(value),
            Some("date-time")
                if value.parse::<jiff::Timestamp>().is_err()
                    && value.parse::<jiff::civil::Date>().is_err() =>
            {
                Err("is not an RFC 3339 date-time or YYYY-MM-DD date".into())
            }
            Some("twiml") => check_twiml(value),
            _ => Ok(()),
        }
    }

    fn check_bounds(&self, n: f64) -> Result<(), String> {
        if self.minimum.is_some_and(|min| n < min) || self.maximum.is_some_and(|max| n > max) {
            return Err(format!(
                "is outside {:?}..={:?}",
                self.minimum, self.maximum
            ));
        }
        Ok(())
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `+` then 2 to 15 digits, the first not zero.
pub fn is_e164(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

fn is_channel_address(value: &str) -> bool {
    value.split_once(':').is_some_and(|(channel, address)| {
        !channel.is_empty()
            && channel.bytes().all(|b| b.is_ascii_lowercase())
            && !address.is_empty()
            && !address.contains(char::is_whitespace)
    })
}

fn check_url(value: &str) -> Result<(), String> {
    let url = url::Url::parse(value).map_err(|e| format!("is not a URL ({e})"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err("is not an http(s) URL".into());
    }
    match url.host_str() {
        Some(host) if !host.is_empty() && !host.contains('_') => Ok(()),
        Some(_) => Err("has an underscore in its host, which Twilio refuses".into()),
        None => Err("has no host".into()),
    }
}

fn check_twiml(value: &str) -> Result<(), String> {
    if value.chars().count() > 4000 {
        return Err("is longer than 4000 characters".into());
    }
    let trimmed = value.trim_start();
    if trimmed.starts_with('<') && trimmed.contains("<Response") {
        Ok(())
    } else {
        Err("is not a TwiML <Response> document".into())
    }
}
