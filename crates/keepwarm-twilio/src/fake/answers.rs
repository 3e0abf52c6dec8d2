//! The fake's HTTP side: routing a request to its operation, checking it, applying injected
//! faults, and answering in the shapes of Twilio's OpenAPI description. Owns no state of its
//! own: it reads and writes the [`super::FakeTwilio`]'s.

use super::{schema, RecordedRequest, Shared, State, Violation, FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN};
use crate::resources::rfc2822;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use jiff::Timestamp;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// Which operation a request is, and its path parameters.
fn route(method: &Method, path: &str) -> Option<(&'static str, Vec<(&'static str, String)>)> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::POST, ["2010-04-01", "Accounts", account, "Messages.json"]) => {
            Some(("CreateMessage", vec![("AccountSid", (*account).to_owned())]))
        }
        (&Method::GET, ["2010-04-01", "Accounts", account, "Messages.json"]) => {
            Some(("ListMessage", vec![("AccountSid", (*account).to_owned())]))
        }
        (&Method::GET, ["2010-04-01", "Accounts", account, "Messages", sid]) => {
            let sid = sid.strip_suffix(".json")?;
            Some((
                "FetchMessage",
                vec![
                    ("AccountSid", (*account).to_owned()),
                    ("Sid", sid.to_owned()),
                ],
            ))
        }
        (&Method::POST, ["2010-04-01", "Accounts", account, "Calls.json"]) => {
            Some(("CreateCall", vec![("AccountSid", (*account).to_owned())]))
        }
        _ => None,
    }
}

/// Records the request, works out the answer (creating the message or call at once), then
/// waits out the configured latency before answering: a client that times out meanwhile has
/// still created the resource, as with Twilio.
pub(super) async fn handle(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = pairs(uri.query().unwrap_or("").as_bytes());
    let form = if method == Method::POST {
        pairs(&body)
    } else {
        Vec::new()
    };
    let routed = route(&method, uri.path());
    let authorized = is_authorized(&headers);
    let latency = {
        let mut state = shared.lock();
        state.requests.push(RecordedRequest {
            method: method.to_string(),
            path: uri.path().to_owned(),
            query: query.clone(),
            form: form.clone(),
            operation: routed.as_ref().map(|(op, _)| (*op).to_owned()),
            authorized,
        });
        state.latency
    };
    let request = Request {
        method: &method,
        path: uri.path(),
        query: &query,
        form: &form,
        authorized,
    };
    let response = answer(&shared, &request, routed);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    response
}

/// What `answer` needs of a request.
struct Request<'a> {
    method: &'a Method,
    path: &'a str,
    query: &'a [(String, String)],
    form: &'a [(String, String)],
    authorized: bool,
}

/// The answer to one request, with its effect on the fake's state.
fn answer(
    shared: &Shared,
    request: &Request<'_>,
    routed: Option<(&'static str, Vec<(&'static str, String)>)>,
) -> Response {
    let Request {
        method,
        path,
        query,
        form,
        authorized,
    } = *request;
    if !authorized {
        return error(401, 20003, "Authentication Error - invalid username", None);
    }
    let Some((op_id, path_params)) = routed else {
        shared.lock().violations.push(Violation {
            operation: "unknown route".into(),
            request: format!("{method} {path}"),
            problems: vec!["no operation of the OpenAPI subset serves this".into()],
        });
        return error(404, 20404, "The requested resource was not found", None);
    };
    let Some(operation) = shared.spec.operation(op_id) else {
        return error(
            500,
            20500,
            "the fake's OpenAPI subset lacks this operation",
            None,
        );
    };
    let path_refs: Vec<(&str, &str)> = path_params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut problems = operation.check(&path_refs, query, form);
    problems.extend(prose_rules(op_id, form));
    let mut state = shared.lock();
    if !problems.is_empty() {
        let message = format!(
            "fake Twilio: the request does not match {op_id} in the OpenAPI description: {}",
            problems.join("; ")
        );
        state.violations.push(Violation {
            operation: op_id.to_owned(),
            request: format!("{method} {path}"),
            problems,
        });
        return error(400, 400, &message, None);
    }
    if let Some(failure) = state.next_failures.pop_front() {
        let (code, message) = match failure.status {
            429 => (20429, "Too Many Requests"),
            500 => (20500, "Internal Server Error"),
            503 => (20503, "Service Unavailable"),
            other => (u32::from(other), "Injected failure"),
        };
        return error(failure.status, code, message, failure.retry_after);
    }
    match op_id {
        "CreateMessage" | "CreateCall" => {
            let to = first(form, "To").unwrap_or_default();
            if let Some(code) = state.recipient_errors.get(to).copied() {
                let status = if code == 20003 { 401 } else { 400 };
                return error(status, code, recipient_error_message(code), None);
            }
            if op_id == "CreateMessage" {
                create_message(&mut state, operation, form)
            } else {
                create_call(&mut state, operation, form)
            }
        }
        "ListMessage" => list_messages(&state, query),
        _ => {
            let sid = path_params
                .iter()
                .find(|(k, _)| *k == "Sid")
                .map(|(_, v)| v.as_str())
                .unwrap_or_default();
            match state.messages.iter().find(|m| m["sid"] == sid) {
                Some(message) => (StatusCode::OK, axum::Json(message.clone())).into_response(),
                None => error(
                    404,
                    20404,
                    &format!("The requested resource /Messages/{sid}.json was not found"),
                    None,
                ),
            }
        }
    }
}

/// Rules Twilio states in the parameters' descriptions rather than in the schema.
fn prose_rules(op_id: &str, form: &[(String, String)]) -> Vec<String> {
    let has = |name: &str| first(form, name).is_some();
    let mut problems = Vec::new();
    match op_id {
        "CreateMessage" => {
            if !has("From") && !has("MessagingServiceSid") {
                problems.push("one of From or MessagingServiceSid is required".to_owned());
            }
            if !has("Body") && !has("MediaUrl") && !has("ContentSid") {
                problems.push("one of Body, MediaUrl or ContentSid is required".to_owned());
            }
        }
        "CreateCall" if !has("Url") && !has("Twiml") && !has("ApplicationSid") => {
            problems.push("one of Url, Twiml or ApplicationSid is required".to_owned());
        }
        _ => {}
    }
    problems
}

fn create_message(
    state: &mut State,
    operation: &schema::Operation,
    form: &[(String, String)],
) -> Response {
    let sid = new_sid("SM");
    let now = rfc2822::format(state.now);
    let mut message = operation.response_example.clone();
    let service = first(form, "MessagingServiceSid");
    let body = first(form, "Body").unwrap_or_default();
    let uri = format!("/2010-04-01/Accounts/{FAKE_ACCOUNT_SID}/Messages/{sid}.json");
    let fields = json!({
        "account_sid": FAKE_ACCOUNT_SID,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": now,
        "date_sent": now,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": null,
        "error_message": null,
        // With a Messaging Service, Twilio picks the number later; the fake keeps it null.
        "from": first(form, "From"),
        "messaging_service_sid": service,
        "num_media": "0",
        "num_segments": segments(body).to_string(),
        "price": null,
        "price_unit": null,
        "sid": sid,
        "status": "queued",
        "subresource_uris": {
            "media": format!("/2010-04-01/Accounts/{FAKE_ACCOUNT_SID}/Messages/{sid}/Media.json"),
        },
        "to": first(form, "To"),
        "uri": uri,
    });
    overlay(&mut message, fields);
    state.messages.push(message.clone());
    (StatusCode::CREATED, axum::Json(message)).into_response()
}

fn create_call(
    state: &mut State,
    operation: &schema::Operation,
    form: &[(String, String)],
) -> Response {
    let sid = new_sid("CA");
    let now = rfc2822::format(state.now);
    let mut call = operation.response_example.clone();
    let base = format!("/2010-04-01/Accounts/{FAKE_ACCOUNT_SID}/Calls/{sid}");
    let mut subresources = serde_json::Map::new();
    if let Some(example) = call["subresource_uris"].as_object() {
        for key in example.keys() {
            let last = example[key]
                .as_str()
                .and_then(|u| u.rsplit('/').next())
                .unwrap_or("");
            subresources.insert(key.clone(), Value::String(format!("{base}/{last}")));
        }
    }
    let fields = json!({
        "account_sid": FAKE_ACCOUNT_SID,
        "answered_by": null,
        "api_version": "2010-04-01",
        "caller_name": null,
        "date_created": now,
        "date_updated": now,
        "direction": "outbound-api",
        "duration": null,
        "end_time": null,
        "forwarded_from": null,
        "from": first(form, "From"),
        "from_formatted": first(form, "From"),
        "group_sid": null,
        "parent_call_sid": null,
        "phone_number_sid": null,
        "price": null,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": sid,
        "start_time": null,
        "status": "queued",
        "subresource_uris": subresources,
        "to": first(form, "To"),
        "to_formatted": first(form, "To"),
        "trunk_sid": null,
        "uri": format!("{base}.json"),
    });
    overlay(&mut call, fields);
    state.calls.push(call.clone());
    (StatusCode::CREATED, axum::Json(call)).into_response()
}

fn list_messages(state: &State, query: &[(String, String)]) -> Response {
    let to = first(query, "To");
    let from = first(query, "From");
    let sent_after = first(query, "DateSent>").and_then(parse_day);
    let page_size = first(query, "PageSize")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(50);
    let page = first(query, "Page")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(0);
    let matching: Vec<&Value> = state
        .messages
        .iter()
        .rev() // newest first, as Twilio lists
        .filter(|m| to.is_none_or(|to| m["to"] == to))
        .filter(|m| from.is_none_or(|from| m["from"] == from))
        .filter(|m| {
            sent_after.is_none_or(|day| {
                m["date_sent"]
                    .as_str()
                    .and_then(|d| rfc2822::parse(d).ok())
                    .is_some_and(|sent| {
                        sent.to_zoned_datetime(jiff::tz::TimeZone::UTC).date() >= day
                    })
            })
        })
        .collect();
    let start = page * page_size;
    let items: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(page_size)
        .map(|m| (*m).clone())
        .collect();
    let page_uri = |p: usize| {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in query {
            if k != "Page" && k != "PageToken" && k != "PageSize" {
                serializer.append_pair(k, v);
            }
        }
        serializer.append_pair("PageSize", &page_size.to_string());
        serializer.append_pair("Page", &p.to_string());
        if p > 0 {
            serializer.append_pair("PageToken", &format!("PAfake{}", p * page_size));
        }
        format!(
            "/2010-04-01/Accounts/{FAKE_ACCOUNT_SID}/Messages.json?{}",
            serializer.finish()
        )
    };
    let has_next = start + items.len() < matching.len();
    let body = json!({
        "end": (start + items.len()).saturating_sub(1),
        "first_page_uri": page_uri(0),
        "next_page_uri": if has_next { Some(page_uri(page + 1)) } else { None },
        "page": page,
        "page_size": page_size,
        "previous_page_uri": if page > 0 { Some(page_uri(page - 1)) } else { None },
        "start": start,
        "uri": page_uri(page),
        "messages": items,
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn parse_day(text: &str) -> Option<jiff::civil::Date> {
    text.parse::<jiff::civil::Date>().ok().or_else(|| {
        text.parse::<Timestamp>()
            .ok()
            .map(|t| t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
    })
}

fn overlay(target: &mut Value, fields: Value) {
    if !target.is_object() {
        *target = json!({});
    }
    if let (Some(target), Value::Object(fields)) = (target.as_object_mut(), fields) {
        target.extend(fields);
    }
}

/// GSM-7 texts take 160 characters a segment (153 when split); others 70 (67 when split).
fn segments(body: &str) -> usize {
    let chars = body.chars().count();
    let (single, multi) = if body.is_ascii() {
        (160, 153)
    } else {
        (70, 67)
    };
    if chars <= single {
        1
    } else {
        chars.div_ceil(multi)
    }
}

fn new_sid(prefix: &str) -> String {
    let bytes: [u8; 16] = rand::random();
    format!("{prefix}{}", hex::encode(bytes))
}

fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn pairs(bytes: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

fn is_authorized(headers: &HeaderMap) -> bool {
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    decoded == format!("{FAKE_ACCOUNT_SID}:{FAKE_AUTH_TOKEN}").as_bytes()
}

fn recipient_error_message(code: u32) -> &'static str {
    match code {
        21610 => "Attempt to send to unsubscribed recipient",
        21211 => "Invalid 'To' Phone Number",
        21614 => "'To' number is not a valid mobile number",
        21612 => "The 'To' phone number is not currently reachable via SMS",
        20003 => "Authentication Error - invalid username",
        _ => "Injected recipient error",
    }
}

fn error(status: u16, code: u32, message: &str, retry_after: Option<Duration>) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    });
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(wait) = retry_after {
        if let Ok(value) = header::HeaderValue::from_str(&wait.as_secs().to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}
