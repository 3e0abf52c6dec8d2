//! `GET /metrics`: counters that move with the work, HTTP requests by route template, gauges read
//! at scrape time, an optional bearer token, and an exposition that a strict reader accepts.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::{Timestamp, ToSpan};
use keepwarm_channels::SandboxChannel;
use serde_json::{json, Value};

use crate::helpers::{
    fresh_store, inquiry, launch, spawn_app, starter_config, test_settings, FreshStore, TestApp,
    TUESDAY_9AM_CHICAGO, TWILIO_TOKEN,
};
use crate::live::spawn_live_app;
use keepwarm_email::TestSmtpServer;

/// One sample: its name and its labels, sorted.
type Key = (String, BTreeMap<String, String>);

/// Scrapes `/metrics` without any token and reads it strictly.
async fn scrape(app: &TestApp) -> BTreeMap<Key, f64> {
    let response = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    exposition::parse(&text).unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
}

fn value(samples: &BTreeMap<Key, f64>, name: &str, labels: &[(&str, &str)]) -> f64 {
    let labels = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    samples
        .get(&(name.to_owned(), labels))
        .copied()
        .unwrap_or(0.0)
}

#[tokio::test]
async fn a_scrape_after_a_lead_and_a_hot_reply_shows_the_counters_moved() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let before = scrape(&app).await;
    assert_eq!(
        value(&before, "keepwarm_escalations_opened_total", &[]),
        0.0
    );

    let id = app.create_lead(&inquiry("(312) 555-0871")).await;
    app.reply(
        "+13125550871",
        "what would you give me for my 2015 Focus? and do you finance?",
    )
    .await;
    assert_eq!(app.get(&format!("/api/v1/leads/{id}")).await.status(), 200);
    let after = scrape(&app).await;

    let intake = [("source", "internet"), ("action", "created")];
    assert_eq!(value(&after, "keepwarm_intake_leads_total", &intake), 1.0);
    // Every touch the timeline shows sent is counted once, by its channel.
    let sent: Vec<Value> = app
        .timeline(id)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "touch_sent")
        .collect();
    assert!(!sent.is_empty(), "{}", app.story(id).await);
    for channel in ["sms", "email"] {
        let on_channel = sent
            .iter()
            .filter(|e| e["data"]["channel"] == channel)
            .count();
        let labels = [("channel", channel), ("result", "sent")];
        assert_eq!(
            value(&after, "keepwarm_touches_total", &labels),
            on_channel as f64,
            "{channel}: {}",
            app.story(id).await
        );
    }
    assert_eq!(
        value(&after, "keepwarm_dispatch_lag_seconds_count", &[]),
        sent.len() as f64
    );
    for label in ["trade_in", "credit_finance"] {
        let labels = [("label", label)];
        assert_eq!(
            value(&after, "keepwarm_inbound_messages_total", &labels),
            1.0,
            "{label}"
        );
    }
    assert_eq!(value(&after, "keepwarm_escalations_opened_total", &[]), 1.0);
    assert_eq!(value(&after, "keepwarm_escalations_open", &[]), 1.0);

    let created = [
        ("method", "POST"),
        ("route", "/api/v1/leads"),
        ("status", "201"),
    ];
    assert_eq!(value(&after, "keepwarm_http_requests_total", &created), 1.0);
    let shown = [
        ("method", "GET"),
        ("route", "/api/v1/leads/{id}"),
        ("status", "200"),
    ];
    assert_eq!(value(&after, "keepwarm_http_requests_total", &shown), 1.0);
    let timed = [("method", "GET"), ("route", "/api/v1/leads/{id}")];
    assert_eq!(
        value(
            &after,
            "keepwarm_http_request_duration_seconds_count",
            &timed
        ),
        1.0
    );
    let raw_path = format!("/api/v1/leads/{id}");
    assert!(
        after
            .keys()
            .all(|(_, labels)| labels.values().all(|v| *v != raw_path)),
        "a raw path became a label"
    );
}

#[tokio::test]
async fn acknowledging_an_escalation_observes_the_time_it_waited() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    app.create_lead(&inquiry("(312) 555-0872")).await;
    let outcome = app
        .reply(
            "+13125550872",
            "can you do 2k under msrp on the trade? i'll come in today",
        )
        .await;
    let escalation = outcome["escalation"].as_i64().expect("an escalation");
    app.advance("3m").await;
    let response = app
        .post(
            &format!("/api/v1/escalations/{escalation}/ack"),
            &json!({"by": "sam"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let samples = scrape(&app).await;
    let name = "keepwarm_escalation_time_to_acknowledge_seconds";
    assert_eq!(value(&samples, &format!("{name}_count"), &[]), 1.0);
    assert_eq!(value(&samples, &format!("{name}_sum"), &[]), 180.0);
    assert_eq!(value(&samples, "keepwarm_escalations_open", &[]), 0.0);
}

#[tokio::test]
async fn the_queue_gauges_show_a_touch_left_waiting_past_its_due_time() {
    // 03:00 in Chicago: the first text waits for the contact window.
    let app = spawn_app("2026-12-01T09:00:00Z").await;
    let response = app.post("/api/v1/leads", &inquiry("(312) 555-0873")).await;
    assert_eq!(response.status(), 201);
    let outcome: Value = response.json().await.unwrap();
    let due: Timestamp = outcome["first_touch_due_at"]
        .as_str()
        .expect("a first touch")
        .parse()
        .unwrap();
    assert!(due > app.now(), "{outcome}");
    let empty = scrape(&app).await;
    assert_eq!(value(&empty, "keepwarm_queue_touches_due", &[]), 0.0);

    // The clock moves on without the worker being told: the touch is due and not sent.
    let later = due.checked_add(30.minutes()).unwrap();
    app.engine.clock().as_manual().unwrap().set(later);
    let waiting = scrape(&app).await;
    assert_eq!(value(&waiting, "keepwarm_queue_touches_due", &[]), 1.0);
    assert_eq!(
        value(&waiting, "keepwarm_queue_oldest_due_age_seconds", &[]),
        1800.0
    );
}

/// A live app (fake Twilio, real SMTP) where Twilio refuses the lead's number as invalid, the
/// customer texts a hot reply anyway, and Sam acknowledges it.
async fn live_app_with_a_refusal_and_an_escalation() -> crate::live::LiveApp {
    let live = spawn_live_app(TUESDAY_9AM_CHICAGO, TestSmtpServer::builder()).await;
    live.twilio.fail_to("+13125550874", 21211);
    live.app.create_lead(&inquiry("(312) 555-0874")).await;
    let outcome = live
        .app
        .reply("+13125550874", "what would you give me for my 2015 Focus?")
        .await;
    let escalation = outcome["escalation"].as_i64().expect("an escalation");
    let ack = live
        .app
        .post(
            &format!("/api/v1/escalations/{escalation}/ack"),
            &json!({"by": "sam"}),
        )
        .await;
    assert_eq!(ack.status(), 200);
    live
}

#[tokio::test]
async fn a_provider_refusal_is_counted_by_its_kind_and_the_providers_code() {
    let live = live_app_with_a_refusal_and_an_escalation().await;
    let samples = scrape(&live.app).await;
    // Every text Twilio was asked to send to the number was refused with 21211.
    let texts = live
        .twilio
        .requests()
        .iter()
        .filter(|r| r.operation.as_deref() == Some("CreateMessage"))
        .filter(|r| r.param("To") == Some("+13125550874"))
        .count();
    assert!(texts >= 1);
    let refused = [
        ("channel", "sms"),
        ("kind", "unreachable"),
        ("code", "21211"),
    ];
    assert_eq!(
        value(&samples, "keepwarm_provider_errors_total", &refused),
        texts as f64
    );
    let rerouted = [("channel", "sms"), ("result", "rerouted")];
    assert_eq!(value(&samples, "keepwarm_touches_total", &rerouted), 1.0);
}

#[tokio::test]
async fn every_metric_the_grafana_dashboard_charts_is_exposed() {
    let live = live_app_with_a_refusal_and_an_escalation().await;
    let text = live
        .app
        .client
        .get(format!("{}/metrics", live.app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/grafana-dashboard.json"
    );
    let dashboard = std::fs::read_to_string(path).unwrap();
    let used: std::collections::BTreeSet<&str> = dashboard
        .match_indices("keepwarm_")
        .map(|(at, _)| {
            let rest = &dashboard[at..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect();
    assert!(used.len() >= 10, "{used:?}");
    for name in used {
        let family = ["_total", "_bucket", "_count", "_sum"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        assert!(
            text.contains(&format!("# TYPE {family} ")),
            "the dashboard charts {name}, which /metrics does not have:\n{text}"
        );
    }
}

#[tokio::test]
async fn with_a_metrics_token_a_scrape_needs_it() {
    let FreshStore { store, database } = fresh_store().await;
    let channel = Arc::new(SandboxChannel::new(
        keepwarm_engine::sandbox_outbox(&store).unwrap(),
    ));
    let mut settings = test_settings(TWILIO_TOKEN, None);
    settings.metrics_token = Some("scrape-secret".into());
    let app = launch(
        starter_config(),
        store,
        channel,
        TUESDAY_9AM_CHICAGO,
        settings,
    )
    .await
    .holding(database);
    let url = format!("{}/metrics", app.address);

    let without = app.client.get(&url).send().await.unwrap();
    assert_eq!(without.status(), 401);
    let wrong = app
        .client
        .get(&url)
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = app
        .client
        .get(&url)
        .bearer_auth("scrape-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    assert!(right.text().await.unwrap().ends_with("# EOF\n"));
}

/// A strict reader of the OpenMetrics text format, enough to refuse what Prometheus would: every
/// line is a `# HELP`, `# TYPE`, `# UNIT` or sample line, `# EOF` ends the text, each sample
/// belongs to a family declared before it with a suffix its type allows, label values are quoted
/// and escaped, and every histogram's buckets are cumulative up to `+Inf`, which equals `_count`.
mod exposition {
    use std::collections::{BTreeMap, HashMap};

    use super::Key;

    /// The samples by name and labels.
    pub fn parse(text: &str) -> Result<BTreeMap<Key, f64>, String> {
        let body = text
            .strip_suffix("# EOF\n")
            .ok_or("the text does not end with `# EOF`")?;
        let mut types: HashMap<String, String> = HashMap::new();
        let mut samples = BTreeMap::new();
        for (n, line) in body.lines().enumerate() {
            let at = |e: String| format!("line {}: {e}: {line}", n + 1);
            if let Some(rest) = line.strip_prefix("# ") {
                let mut parts = rest.splitn(3, ' ');
                let (kind, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                check_name(name).map_err(at)?;
                match kind {
                    "TYPE" => {
                        let ty = parts.next().unwrap_or("");
                        if ![
                            "counter",
                            "gauge",
                            "histogram",
                            "info",
                            "stateset",
                            "unknown",
                        ]
                        .contains(&ty)
                        {
                            return Err(at(format!("unknown type `{ty}`")));
                        }
                        if types.insert(name.to_owned(), ty.to_owned()).is_some() {
                            return Err(at("family declared twice".into()));
                        }
                    }
                    "HELP" | "UNIT" => {}
                    other => return Err(at(format!("unknown comment `{other}`"))),
                }
                continue;
            }
            let (name, labels, value) = sample(line).map_err(at)?;
            let family = family_of(&name, &types).map_err(at)?;
            let _ = family;
            if samples.insert((name, labels), value).is_some() {
                return Err(at("sample repeated".into()));
            }
        }
        check_histograms(&samples, &types)?;
        Ok(samples)
    }

    fn check_name(name: &str) -> Result<(), String> {
        let mut chars = name.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':');
        if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            Ok(())
        } else {
            Err(format!("`{name}` is not a metric name"))
        }
    }

    /// The family a sample belongs to, by the suffixes its type allows.
    fn family_of(name: &str, types: &HashMap<String, String>) -> Result<String, String> {
        let allowed: &[(&str, &[&str])] = &[
            ("counter", &["_total", "_created"]),
            ("gauge", &[""]),
            ("histogram", &["_bucket", "_sum", "_count", "_created"]),
        ];
        for (ty, suffixes) in allowed {
            for suffix in *suffixes {
                if let Some(family) = name.strip_suffix(suffix) {
                    if types.get(family).is_some_and(|t| t == ty) {
                        return Ok(family.to_owned());
                    }
                }
            }
        }
        Err(format!("sample `{name}` has no declared family"))
    }

    /// `name{label="value",...} value`.
    fn sample(line: &str) -> Result<(String, BTreeMap<String, String>, f64), String> {
        let name_end = line.find(['{', ' ']).ok_or("a sample needs a value")?;
        let name = &line[..name_end];
        check_name(name)?;
        let mut rest = &line[name_end..];
        let mut labels = BTreeMap::new();
        if let Some(inner) = rest.strip_prefix('{') {
            let mut chars = inner.char_indices().peekable();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c == '}' {
                    end = Some(i);
                    break;
                }
                let key_start = i;
                let mut key_end = i;
                for (j, c) in chars.by_ref() {
                    if c == '=' {
                        key_end = j;
                        break;
                    }
                }
                let key = &inner[key_start..key_end];
                check_name(key)?;
                if chars.next().map(|(_, c)| c) != Some('"') {
                    return Err(format!("label `{key}` is not quoted"));
                }
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\\')) => match chars.next() {
                            Some((_, 'n')) => value.push('\n'),
                            Some((_, c @ ('\\' | '"'))) => value.push(c),
                            _ => return Err("bad escape in a label value".into()),
                        },
                        Some((_, '"')) => break,
                        Some((_, '\n')) | None => return Err("unterminated label value".into()),
                        Some((_, c)) => value.push(c),
                    }
                }
                if labels.insert(key.to_owned(), value).is_some() {
                    return Err(format!("label `{key}` repeated"));
                }
                if let Some((_, ',')) = chars.peek() {
                    chars.next();
                }
            }
            let end = end.ok_or("labels not closed")?;
            rest = &inner[end + 1..];
        }
        let value = rest.strip_prefix(' ').ok_or("no space before the value")?;
        let value = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().map_err(|_| format!("`{v}` is not a number"))?,
        };
        Ok((name.to_owned(), labels, value))
    }

    fn check_histograms(
        samples: &BTreeMap<super::Key, f64>,
        types: &HashMap<String, String>,
    ) -> Result<(), String> {
        for (family, _) in types.iter().filter(|(_, t)| *t == "histogram") {
            let bucket_name = format!("{family}_bucket");
            let mut series: BTreeMap<BTreeMap<String, String>, Vec<(f64, f64)>> = BTreeMap::new();
            for ((name, labels), count) in samples {
                if *name != bucket_name {
                    continue;
                }
                let mut rest = labels.clone();
                let le = rest.remove("le").ok_or("a bucket without `le`")?;
                let le = if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().map_err(|_| format!("bad `le` {le}"))?
                };
                series.entry(rest).or_default().push((le, *count));
            }
            for (labels, mut buckets) in series {
                buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
                if buckets.windows(2).any(|w| w[1].1 < w[0].1) {
                    return Err(format!("{family}{labels:?}: buckets not cumulative"));
                }
                let last = buckets.last().ok_or("no buckets")?;
                let count = samples.get(&(format!("{family}_count"), labels.clone()));
                if last.0 != f64::INFINITY || Some(&last.1) != count {
                    return Err(format!("{family}{labels:?}: +Inf bucket is not the count"));
                }
            }
        }
        Ok(())
    }

    #[test]
    fn the_reader_refuses_what_prometheus_would() {
        let good = "# TYPE a counter\na_total{x=\"1\"} 2\n# EOF\n";
        assert!(parse(good).is_ok());
        for bad in [
            "# TYPE a counter\na_total 2\n",
            "a_total 2\n# EOF\n",
            "# TYPE a counter\na_total{x=1} 2\n# EOF\n",
            "# TYPE a counter\na_total{x=\"1} 2\n# EOF\n",
            "# TYPE a counter\na 2\n# EOF\n",
            "# TYPE a gauge\na two\n# EOF\n",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n# EOF\n",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
