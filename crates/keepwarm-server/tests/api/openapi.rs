//! The OpenAPI description against the router: every route the server answers is described, every
//! described route answers, and what schemathesis found wrong in the hand-written description
//! (nullable fields typed `string`, no 403 on the signed webhooks, `/u/{token}` without its
//! parameter, XML and HTML documented as JSON) stays right.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TestApp, TOKEN, TUESDAY_9AM_CHICAGO};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn description(address: &str) -> Value {
    reqwest::get(format!("{address}/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A route template with its parameter names erased: `/leads/{id}` and `/leads/{lead}` are one
/// route to the router.
fn template(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            c if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// Every string literal in the server's source (outside the workspace's pages) that could be a
/// route: the paths handlers and routers name, whichever way they were registered.
fn candidate_paths() -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeSet::new();
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            // The workspace's pages (`src/pages/`) are HTML for browsers, not the API the
            // description is for; the README lists them.
            if path.is_dir() {
                if !path.ends_with("pages") {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for literal in text.split('"').skip(1).step_by(2) {
                    let literal = literal.split('?').next().unwrap_or_default();
                    let plausible = literal.starts_with('/')
                        && literal.len() > 1
                        && !literal.contains("{}")
                        && !literal.contains(char::is_whitespace)
                        && !literal.contains('\\');
                    if plausible {
                        found.insert(literal.to_owned());
                    }
                }
            }
        }
    }
    found
}

/// The `(method, path)` pairs among `candidates` that `address` routes (anything but 405 and the
/// fallback's "route not found") and `doc` does not describe.
async fn undocumented(
    address: &str,
    doc: &Value,
    candidates: &BTreeSet<String>,
) -> Vec<(String, String)> {
    let described: BTreeSet<(String, String)> = keepwarm_server::openapi::described_routes(doc)
        .into_iter()
        .flat_map(|(path, methods)| {
            let path = template(&path);
            methods.into_iter().map(move |m| (m, path.clone()))
        })
        .collect();
    let client = reqwest::Client::new();
    let mut missing = Vec::new();
    for path in candidates {
        for method in METHODS {
            let response = client
                .request(
                    method.to_uppercase().parse().unwrap(),
                    format!("{address}{path}"),
                )
                .bearer_auth(TOKEN)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            let routed = status != 405 && !(status == 404 && body.contains("route not found"));
            if routed && !described.contains(&(method.to_owned(), template(path))) {
                missing.push((method.to_owned(), path.clone()));
            }
        }
    }
    missing
}

#[tokio::test]
async fn every_route_the_router_answers_is_in_the_description() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let doc = description(&app.address).await;
    let candidates = candidate_paths();
    assert!(
        candidates.contains("/api/v1/leads/{id}/stop") && candidates.contains("/healthz"),
        "the source scan found no routes: {candidates:?}"
    );
    let missing = undocumented(&app.address, &doc, &candidates).await;
    assert!(
        missing.is_empty(),
        "routes the server answers but the OpenAPI description leaves out: {missing:?}"
    );
}

#[tokio::test]
async fn a_route_left_out_of_the_description_is_reported() {
    // A router with one described route and one that is not, checked the way the real one is.
    async fn fallback() -> (axum::http::StatusCode, &'static str) {
        (axum::http::StatusCode::NOT_FOUND, "route not found")
    }
    let router = axum::Router::new()
        .route("/described", axum::routing::get(|| async { "ok" }))
        .route("/hidden/{id}", axum::routing::post(|| async { "ok" }))
        .fallback(fallback);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let doc = json!({"paths": {"/described": {"get": {"responses": {}}}}});
    let candidates = ["/described", "/hidden/{id}", "/nowhere"]
        .map(str::to_owned)
        .into_iter()
        .collect();
    let missing = undocumented(&address, &doc, &candidates).await;
    server.abort();
    assert_eq!(missing, [("post".to_owned(), "/hidden/{id}".to_owned())]);
}

#[tokio::test]
async fn every_described_route_answers() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let doc = description(&app.address).await;
    let id = app.create_lead(&inquiry("(312) 555-0170")).await;
    let routes = keepwarm_server::openapi::described_routes(&doc);
    assert!(routes.len() > 30, "{routes:?}");
    for (path, methods) in routes {
        for method in methods {
            let url = format!("{}{}", app.address, path.replace("{id}", &id.to_string()));
            let request = match method.as_str() {
                "get" => app.client.get(url),
                _ => app.client.post(url).json(&json!({})),
            };
            let response = request.bearer_auth(TOKEN).send().await.unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            // A 404 for a missing document is fine; a 404 for a missing route is not.
            assert!(
                status != 405 && !body.contains("route not found"),
                "{method} {path} answered {status} {body}"
            );
        }
    }
}

fn operation<'d>(doc: &'d Value, method: &str, path: &str) -> &'d Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not described");
    op
}

fn schema<'d>(doc: &'d Value, name: &str) -> &'d Value {
    let s = &doc["components"]["schemas"][name];
    assert!(s.is_object(), "no schema {name}");
    s
}

#[tokio::test]
async fn the_description_says_what_the_hand_written_one_got_wrong() {
    let app: TestApp = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let doc = description(&app.address).await;
    // Nullable fields are nullable.
    let due = &schema(&doc, "IngestOutcome")["properties"]["first_touch_due_at"];
    assert_eq!(due["type"], json!(["string", "null"]), "{due}");
    let ack = &schema(&doc, "EscalationView")["properties"]["acknowledged_by"];
    assert_eq!(ack["type"], json!(["string", "null"]), "{ack}");
    // Word enums are described by their words, as the JSON carries them.
    assert_eq!(
        schema(&doc, "LeadStatus")["enum"],
        json!(["active", "paused", "stopped", "completed"])
    );
    assert_eq!(
        schema(&doc, "Transport")["enum"],
        json!(["sandbox", "twilio", "smtp", "off"])
    );
    // The signed webhooks document 403, and answer XML.
    for hook in [
        "/webhooks/twilio/sms",
        "/webhooks/twilio/status",
        "/webhooks/twilio/voice",
    ] {
        let op = operation(&doc, "post", hook);
        assert!(op["responses"]["403"].is_object(), "{hook}: {op}");
        assert!(
            op["responses"]["200"]["content"]["text/xml"].is_object(),
            "{hook}: {op}"
        );
        assert!(
            op["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object(),
            "{hook}: {op}"
        );
    }
    // The unsubscribe link has its parameter and answers HTML.
    for method in ["get", "post"] {
        let op = operation(&doc, method, "/u/{token}");
        assert_eq!(op["parameters"][0]["name"], "token", "{op}");
        assert_eq!(op["parameters"][0]["in"], "path", "{op}");
        for status in ["200", "400"] {
            assert!(
                op["responses"][status]["content"]["text/html"].is_object(),
                "{method} /u/{{token}} {status}: {op}"
            );
        }
    }
    // The audit answers JSON, Markdown or HTML; the ADF intake takes XML; metrics are text.
    let audit = &operation(&doc, "get", "/api/v1/audit")["responses"]["200"]["content"];
    for media in ["application/json", "text/markdown", "text/html"] {
        assert!(audit[media].is_object(), "{media}: {audit}");
    }
    let adf = &operation(&doc, "post", "/api/v1/leads/adf")["requestBody"]["content"];
    assert!(adf["application/xml"].is_object(), "{adf}");
    let metrics = &operation(&doc, "get", "/metrics")["responses"]["200"]["content"];
    assert!(
        metrics["application/openmetrics-text"].is_object(),
        "{metrics}"
    );
    // Bearer routes say so; the public ones do not.
    assert_eq!(
        operation(&doc, "get", "/api/v1/leads")["security"],
        json!([{"bearer": []}])
    );
    assert!(operation(&doc, "get", "/healthz")["security"].is_null());
}
