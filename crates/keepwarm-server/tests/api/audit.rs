//! The weekly audit and the funnel against a generated dataset whose answers the generator knows.
//!
//! Five weeks of sandbox activity run for real through the API on a manual clock: leads in two
//! segments every Monday, appointments and shows recorded as outcomes, hot replies escalated and
//! acknowledged at chosen delays, a two-hour worker outage on the audited week's Tuesday, and every
//! lead still open stopped on Sunday so each lead is active in exactly one week. The generator counts
//! what it did — it never calls the report code — and the test asserts the funnel and the audit to
//! the number. A second test checks the weekly e-mail: at its local weekday and time, once per week
//! and recipient, across a restart.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use keepwarm_domain::config::ReportDelivery;
use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app_configured, starter_config, KeptDatabase, TestApp};

const NI: &str = "new_inquiry";
const US: &str = "unsold_showroom";

fn chicago() -> TimeZone {
    TimeZone::get("America/Chicago").unwrap()
}

/// `day` at local `time` in Chicago.
fn at(day: Date, time: &str) -> Timestamp {
    day.to_datetime(time.parse().unwrap())
        .to_zoned_datetime(chicago())
        .unwrap()
        .timestamp()
}

/// One segment's plan for a baseline week: leads, how many set an appointment on Monday, and how
/// many of those showed on Wednesday.
struct Plan {
    segment: &'static str,
    leads: usize,
    appointments: usize,
    showed: usize,
}

struct Lead {
    id: i64,
    owner: String,
    phone: String,
}

/// What the generator knows about one week per segment: `(active, appointments, showed)`.
type Counts = BTreeMap<&'static str, (usize, usize, usize)>;

struct Generator {
    app: TestApp,
    next_phone: usize,
}

impl Generator {
    async fn lead(&mut self, segment: &str) -> Lead {
        self.next_phone += 1;
        let digits = 200 + self.next_phone;
        let phone = format!("(312) 555-{digits:04}");
        let body = if segment == NI {
            inquiry(&phone)
        } else {
            json!({"source": {"kind": "walk_in"},
                   "customer": {"first_name": "Wes", "phones": [phone], "emails": [format!("wes{digits}@example.com")]},
                   "vehicles": [{"interest": "buy", "year": 2025, "make": "Toyota", "model": "RAV4"}]})
        };
        let response = self.app.post("/api/v1/leads", &body).await;
        assert_eq!(response.status(), 201);
        let created: Value = response.json().await.unwrap();
        assert_eq!(created["segment"], segment, "{created}");
        Lead {
            id: created["id"].as_i64().unwrap(),
            owner: created["owner"].as_str().unwrap().to_owned(),
            phone: format!("+1312555{digits:04}"),
        }
    }

    async fn outcome(&self, lead: i64, stage: &str) {
        let mut body =
            json!({"stage": stage, "reason": "recorded by the generator", "by": "morgan"});
        if stage == "appointment_set" {
            // A visit two days ahead; the generator records the show itself on Wednesday.
            let now: Timestamp = self.app.now();
            body["appointment"] = json!({"at": (now + 48.hours()).to_string(), "kind": "sales"});
        }
        let r = self
            .app
            .post(&format!("/api/v1/leads/{lead}/outcomes"), &body)
            .await;
        assert_eq!(r.status(), 200, "{stage} on lead {lead}");
    }

    async fn reply(&self, lead: &Lead, text: &str) {
        let r = self
            .app
            .post(
                "/api/v1/sandbox/inbound",
                &json!({"from": lead.phone, "body": text}),
            )
            .await;
        assert_eq!(r.status(), 200);
    }

    async fn escalation_of(&self, lead: i64) -> i64 {
        let all: Vec<Value> = self
            .app
            .get("/api/v1/escalations")
            .await
            .json()
            .await
            .unwrap();
        all.iter()
            .find(|e| e["lead_id"] == lead)
            .and_then(|e| e["id"].as_i64())
            .unwrap_or_else(|| panic!("lead {lead} was not escalated"))
    }

    async fn stop_all(&self, leads: &[Lead]) {
        for l in leads {
            // Leads already ended (an appointment, a lost sale) answer 409; that is fine.
            let _ = self
                .app
                .post(
                    &format!("/api/v1/leads/{}/stop", l.id),
                    &json!({"reason": "end of the generated week", "by": "morgan"}),
                )
                .await;
        }
    }

    /// A baseline week: leads on Monday 09:00, appointments at 10:30, shows on Wednesday.
    async fn baseline_week(&mut self, monday: Date, plans: &[Plan]) -> Counts {
        self.app.advance_to(&at(monday, "09:00").to_string()).await;
        let mut made = Vec::new();
        for p in plans {
            let mut leads = Vec::new();
            for _ in 0..p.leads {
                leads.push(self.lead(p.segment).await);
            }
            made.push((p, leads));
        }
        self.app.advance_to(&at(monday, "10:30").to_string()).await;
        for (p, leads) in &made {
            for l in &leads[..p.appointments] {
                self.outcome(l.id, "appointment_set").await;
            }
        }
        let wednesday = monday.saturating_add(2.days());
        self.app
            .advance_to(&at(wednesday, "14:00").to_string())
            .await;
        for (p, leads) in &made {
            for l in &leads[..p.showed] {
                self.outcome(l.id, "showed").await;
            }
        }
        let sunday = monday.saturating_add(6.days());
        self.app.advance_to(&at(sunday, "12:00").to_string()).await;
        let mut counts = Counts::new();
        for (p, leads) in &made {
            self.stop_all(leads).await;
            counts.insert(p.segment, (p.leads, p.appointments, p.showed));
        }
        counts
    }
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

#[tokio::test]
async fn the_audit_and_the_funnel_reconcile_with_a_generated_dataset_to_the_number() {
    let mut config = starter_config();
    // Hand-offs stay paused for the whole week (no resume on Thursday), so the generator knows
    // every touch.
    config.conversations.resume_after_silence_days = 30;
    // Booking only ends follow-up here: no reminder or no-show cadence adds touches the generator
    // would have to model (those cadences have their own tests).
    config.appointments.sales_cadence = None;
    config.appointments.service_cadence = None;
    config.appointments.no_show_cadence = None;
    let start = at(Date::constant(2026, 11, 2), "08:00").to_string();
    let app = spawn_app_configured(config, "sqlite::memory:", &start).await;
    let mut g = Generator { app, next_phone: 0 };

    // Weeks 45 to 48: the baseline.
    let baseline_plans: [[(usize, usize, usize); 2]; 4] = [
        [(8, 4, 2), (4, 1, 1)],
        [(8, 3, 2), (4, 2, 1)],
        [(8, 4, 3), (4, 1, 0)],
        [(8, 3, 1), (4, 2, 2)],
    ];
    let mut baseline = Counts::new();
    for (i, plan) in baseline_plans.iter().enumerate() {
        let monday = Date::constant(2026, 11, 2).saturating_add((7 * i as i64).days());
        let plans = [
            Plan {
                segment: NI,
                leads: plan[0].0,
                appointments: plan[0].1,
                showed: plan[0].2,
            },
            Plan {
                segment: US,
                leads: plan[1].0,
                appointments: plan[1].1,
                showed: plan[1].2,
            },
        ];
        for (segment, (a, s, w)) in g.baseline_week(monday, &plans).await {
            let e = baseline.entry(segment).or_default();
            *e = (e.0 + a, e.1 + s, e.2 + w);
        }
    }
    assert_eq!(baseline[NI], (32, 14, 8));
    assert_eq!(baseline[US], (16, 6, 4));

    // Week 49, the audited one.
    let monday = Date::constant(2026, 11, 30);
    g.app.advance_to(&at(monday, "09:00").to_string()).await;
    let mut ni = Vec::new();
    for _ in 0..12 {
        ni.push(g.lead(NI).await);
    }
    let mut us = Vec::new();
    for _ in 0..6 {
        us.push(g.lead(US).await);
    }
    // Three hot replies: acknowledged after 2 minutes, after 7, never.
    let hot = "Can I come see it Saturday?";
    g.app.advance_to(&at(monday, "10:00").to_string()).await;
    g.reply(&ni[0], hot).await;
    let e0 = g.escalation_of(ni[0].id).await;
    g.app.advance("PT2M").await;
    g.app
        .post(
            &format!("/api/v1/escalations/{e0}/ack"),
            &json!({"by": ni[0].owner}),
        )
        .await;
    g.app.advance_to(&at(monday, "10:10").to_string()).await;
    g.reply(&ni[1], hot).await;
    let e1 = g.escalation_of(ni[1].id).await;
    g.app.advance("PT7M").await;
    g.app
        .post(
            &format!("/api/v1/escalations/{e1}/ack"),
            &json!({"by": ni[1].owner}),
        )
        .await;
    g.app.advance_to(&at(monday, "10:20").to_string()).await;
    g.reply(&ni[2], hot).await;
    let e2 = g.escalation_of(ni[2].id).await;
    let e2_created = at(monday, "10:20");
    // One bought elsewhere; three appointments (one of them the first hot reply); one showroom
    // visitor books again.
    g.app.advance_to(&at(monday, "10:30").to_string()).await;
    g.reply(&ni[3], "I already bought one somewhere else").await;
    for l in [&ni[4], &ni[5], &us[0]] {
        g.outcome(l.id, "appointment_set").await;
    }
    g.app.advance_to(&at(monday, "11:00").to_string()).await;
    g.outcome(ni[0].id, "appointment_set").await;
    // Tuesday: the worker is down from 10:00 to 12:00. The day-1 text of every quiet new inquiry
    // (due 10:30) and the day-1 call task of every quiet showroom visitor (due 11:00) leave late.
    let tuesday = monday.saturating_add(1.days());
    g.app.advance_to(&at(tuesday, "10:00").to_string()).await;
    g.app
        .engine
        .clock()
        .as_manual()
        .unwrap()
        .set(at(tuesday, "12:00"));
    g.app.engine.drain().await.unwrap();
    let wednesday = monday.saturating_add(2.days());
    g.app.advance_to(&at(wednesday, "14:00").to_string()).await;
    g.outcome(ni[4].id, "showed").await;
    g.outcome(us[0].id, "showed").await;
    let sunday = monday.saturating_add(6.days());
    g.app.advance_to(&at(sunday, "12:00").to_string()).await;
    g.stop_all(&ni).await;
    g.stop_all(&us).await;
    g.app
        .advance_to(&at(monday.saturating_add(7.days()), "09:00").to_string())
        .await;

    // What the generator knows about week 49.
    let week_end = at(monday.saturating_add(7.days()), "00:00");
    // (active, appointments, showed)
    let week: Counts = [(NI, (12, 3, 1)), (US, (6, 1, 1))].into_iter().collect();
    // Quiet new inquiries (6): day-0 text and e-mail, day-1 text (late), day-2 call and text, day-4
    // e-mail = 6 touches, 5 of them texts or e-mails. The six that replied or booked on Monday
    // morning: the two day-0 touches. Quiet showroom visitors (5): day-0 text, day-1 call (late),
    // day-2 e-mail, day-5 text = 4 touches, 3 messages; the one who booked: none.
    let timing: BTreeMap<&str, (usize, usize)> = [(NI, (6 * 6 + 6 * 2, 6)), (US, (5 * 4, 5))]
        .into_iter()
        .collect();
    let messages: BTreeMap<&str, usize> = [(NI, 6 * 5 + 6 * 2), (US, 5 * 3)].into_iter().collect();
    let late_minutes: BTreeMap<&str, i64> = [(NI, 90), (US, 60)].into_iter().collect();
    let quiet_ni: Vec<i64> = ni[6..].iter().map(|l| l.id).collect();
    let quiet_us: Vec<i64> = us[1..].iter().map(|l| l.id).collect();

    // The funnel of leads received in week 49, by segment.
    let rows: Vec<Value> = g
        .app
        .get("/api/v1/reports/funnel?by=segment&from=2026-11-30&to=2026-12-07")
        .await
        .json()
        .await
        .unwrap();
    let row = |group: &str| rows.iter().find(|r| r["group"] == group).unwrap().clone();
    let counts = |r: &Value| {
        [
            "leads",
            "contacted",
            "appointment_set",
            "showed",
            "sold",
            "lost",
            "escalations",
            "acknowledged_within_sla",
        ]
        .map(|k| r[k].as_u64().unwrap())
    };
    // New inquiries: 12 leads; contacted = 3 hot replies + 1 bought elsewhere + 2 booked without a
    // reply; 3 appointments, 1 show, 1 lost; 3 escalations, 1 acknowledged inside the 5-minute SLA.
    assert_eq!(counts(&row(NI)), [12, 6, 3, 1, 0, 1, 3, 1], "{}", row(NI));
    assert_eq!(row(NI)["contact_rate"]["rate"], 0.5);
    assert_eq!(row(NI)["appointment_rate"]["rate"], 0.5);
    assert_eq!(row(NI)["show_rate"]["rate"], 0.3333);
    assert_eq!(counts(&row(US)), [6, 1, 1, 1, 0, 0, 0, 0], "{}", row(US));
    assert_eq!(counts(&row("all")), [18, 7, 4, 2, 0, 1, 3, 1]);

    // The same numbers read back from the timelines, event by event: the funnel reconciles with
    // them, and so does every late touch (its touch_sent event's due and sent instants).
    let order = ["new", "contacted", "appointment_set", "showed", "sold"];
    let mut from_timelines: BTreeMap<&str, [u64; 6]> = BTreeMap::new();
    let mut late_in_timelines = Vec::new();
    for (segment, leads) in [(NI, &ni), (US, &us)] {
        let c = from_timelines.entry(segment).or_default();
        for l in leads.iter() {
            let events = g.app.timeline(l.id).await;
            let mut furthest = 0;
            let mut lost = false;
            for e in &events {
                match e["kind"].as_str().unwrap() {
                    "stage_changed" => match e["data"]["to"].as_str().unwrap() {
                        "lost" => lost = true,
                        to => furthest = furthest.max(order.iter().position(|s| *s == to).unwrap()),
                    },
                    "touch_sent" => {
                        let due: Timestamp = e["data"]["due_at"].as_str().unwrap().parse().unwrap();
                        let sent: Timestamp =
                            e["data"]["sent_at"].as_str().unwrap().parse().unwrap();
                        if sent.duration_since(due).as_mins() > 15 {
                            late_in_timelines.push((
                                e["data"]["touch_id"].as_i64().unwrap(),
                                sent.duration_since(due).as_mins(),
                            ));
                        }
                    }
                    _ => {}
                }
            }
            c[0] += 1;
            for (i, n) in c.iter_mut().enumerate().skip(1).take(4) {
                *n += u64::from(furthest >= i);
            }
            c[5] += u64::from(lost);
        }
    }
    assert_eq!(
        counts(&row(NI))[..6],
        from_timelines[NI],
        "{}",
        g.app.story(ni[3].id).await
    );
    assert_eq!(counts(&row(US))[..6], from_timelines[US]);
    late_in_timelines.sort_unstable();

    // The audit of week 49.
    let response = g.app.get("/api/v1/audit?week=2026-W49&seed=7").await;
    assert_eq!(response.status(), 200);
    let audit: Value = response.json().await.unwrap();
    assert_eq!(audit["schema_version"], 1);
    assert_eq!(audit["week"], "2026-W49");
    assert_eq!(audit["as_of"], week_end.to_string());
    for segment in [NI, US] {
        let s = audit["segments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["segment"] == segment)
            .unwrap_or_else(|| panic!("no {segment} row: {audit:#}"));
        let (active, set, showed) = week[segment];
        let (b_active, b_set, b_showed) = baseline[segment];
        assert_eq!(s["active_leads"], active, "{segment}: {s:#}");
        assert_eq!(s["sampled_leads"], active, "fewer than 25: all sampled");
        let (touches, late) = timing[segment];
        assert_eq!(
            (
                s["touches"].as_u64().unwrap() as usize,
                s["on_time"].as_u64().unwrap() as usize
            ),
            (touches, touches - late),
            "{segment}: {s:#}"
        );
        assert_eq!(s["timing_score"], 100 * (touches - late) / touches);
        assert_eq!(s["messages"], messages[segment], "{segment}");
        let appt = &s["appointment_rate"];
        let rate = round(set as f64 / active as f64, 4);
        let base = round(b_set as f64 / b_active as f64, 4);
        assert_eq!(
            [
                &appt["hits"],
                &appt["of"],
                &appt["baseline_hits"],
                &appt["baseline_of"]
            ],
            [&json!(set), &json!(active), &json!(b_set), &json!(b_active)],
            "{segment}: {appt}"
        );
        assert_eq!(appt["rate"], rate);
        assert_eq!(appt["baseline_rate"], base);
        assert_eq!(appt["change_points"], round((rate - base) * 100.0, 1));
        let show = &s["show_rate"];
        let rate = round(showed as f64 / set as f64, 4);
        let base = round(b_showed as f64 / b_set as f64, 4);
        assert_eq!([&show["hits"], &show["of"]], [&json!(showed), &json!(set)]);
        assert_eq!(show["baseline_rate"], base);
        assert_eq!(
            show["change_points"],
            round((rate - base) * 100.0, 1),
            "{segment}: {show}"
        );
    }
    // The numbers spelled out once, for the reader.
    let ni_row = &audit["segments"][0];
    assert_eq!(
        ni_row["appointment_rate"]["change_points"], -18.8,
        "25.0% vs 43.75%"
    );
    assert_eq!(
        ni_row["show_rate"]["change_points"], -23.8,
        "33.33% vs 57.14%"
    );

    // Late touches: exactly the outage's, each with its lateness.
    let late = audit["late_touches"].as_array().unwrap();
    assert_eq!(late.len(), 11, "{late:#?}");
    for t in late {
        let segment = t["segment"].as_str().unwrap();
        assert_eq!(t["minutes_late"], late_minutes[segment], "{t}");
        assert_eq!(t["deferred_minutes"], 0);
        let quiet = if segment == NI { &quiet_ni } else { &quiet_us };
        assert!(quiet.contains(&t["lead_id"].as_i64().unwrap()), "{t}");
        assert_eq!(t["sent_at"], at(tuesday, "12:00").to_string());
    }
    let mut late_in_audit: Vec<(i64, i64)> = late
        .iter()
        .map(|t| {
            (
                t["touch_id"].as_i64().unwrap(),
                t["minutes_late"].as_i64().unwrap(),
            )
        })
        .collect();
    late_in_audit.sort_unstable();
    assert_eq!(late_in_audit, late_in_timelines);
    assert_eq!(audit["messages"]["scored"], 6 * 5 + 6 * 2 + 5 * 3);

    // Escalations: 1 of 3 in under 5 minutes; the 7-minute one and the open one are misses, with
    // the owner first alerted.
    let e = &audit["escalations"];
    assert_eq!(
        [&e["total"], &e["acknowledged_in_time"]],
        [&json!(3), &json!(1)]
    );
    assert_eq!(e["share"], 0.3333);
    let misses = e["misses"].as_array().unwrap();
    let open_minutes = week_end.duration_since(e2_created).as_secs_f64() / 60.0;
    assert_eq!(
        misses
            .iter()
            .map(|m| (
                m["escalation_id"].as_i64().unwrap(),
                m["owner"].as_str().unwrap().to_owned(),
                m["delay_minutes"].as_f64().unwrap()
            ))
            .collect::<Vec<_>>(),
        vec![
            (e2, ni[2].owner.clone(), open_minutes),
            (e1, ni[1].owner.clone(), 7.0)
        ],
    );
    assert_eq!(open_minutes, 9460.0);
    assert!(misses[0]["acknowledged_at"].is_null());

    // What to fix first: the missed hot replies, then the outage, then the falling rates.
    let fix: Vec<(String, String)> = audit["fix_first"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["area"].as_str().unwrap().to_owned(),
                f["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(fix[0].0, "escalations", "{fix:#?}");
    assert!(fix.iter().any(|(a, t)| a == "timing" && t.starts_with("6 touches in new_inquiry went out more than 15 min after due (median 90 min, worst 90 min); 6 of them left together at Tue 12:00")), "{fix:#?}");
    assert!(
        fix.iter().any(
            |(a, t)| a == "rates" && t.starts_with("Show rate in new_inquiry fell 23.8 points")
        ),
        "{fix:#?}"
    );

    // The same audit as Markdown and HTML; the same seed gives the same sample.
    let md = g
        .app
        .get("/api/v1/audit?week=2026-W49&seed=7&format=md")
        .await;
    assert_eq!(md.headers()["content-type"], "text/markdown; charset=utf-8");
    let md = md.text().await.unwrap();
    assert!(md.contains("1 of 3 (33.3%)"), "{md}");
    let html = g
        .app
        .get("/api/v1/audit?week=2026-W49&seed=7&format=html")
        .await;
    assert!(html.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let again: Value = g
        .app
        .get("/api/v1/audit?week=2026-W49&seed=7")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, audit);
    // The previous week's audit sees only its own leads.
    let w48: Value = g
        .app
        .get("/api/v1/audit?week=2026-W48")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(w48["segments"][0]["active_leads"], 8);
    assert_eq!(w48["seed"], 202_648);
}

#[tokio::test]
async fn a_week_that_does_not_exist_is_refused_naming_the_week() {
    let app =
        spawn_app_configured(starter_config(), "sqlite::memory:", "2026-12-01T15:00:00Z").await;
    for (query, field) in [
        ("week=2026-W54", "week"),
        ("week=last", "week"),
        ("week=2026-W49&seed=-1", "seed"),
        ("week=2026-W49&format=pdf", "format"),
    ] {
        let r = app.get(&format!("/api/v1/audit?{query}")).await;
        assert_eq!(r.status(), 400, "{query}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["fields"][0]["field"], field, "{query}: {body}");
    }
    let future = app.get("/api/v1/audit?week=2027-W10").await;
    assert_eq!(future.status(), 422);
    let body: Value = future.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "week");
}

#[tokio::test]
async fn the_weekly_report_is_mailed_at_its_local_time_once_per_week_and_recipient_across_restarts()
{
    let kept = KeptDatabase::create().await;
    let db = kept.url.clone();
    let mut config = starter_config();
    config.report_delivery = Some(ReportDelivery {
        recipients: vec!["morgan".into(), "pat".into()],
        weekday: jiff::civil::Weekday::Monday,
        time: "07:30".parse().unwrap(),
        dealership: None,
    });
    // Tuesday of week 49: last Monday's 07:30 slot is more than a day old, so nothing is caught up.
    let app = spawn_app_configured(config.clone(), &db, "2026-12-01T15:00:00Z").await;
    app.create_lead(&inquiry("(312) 555-0777")).await;
    let reports = |outbox: Vec<Value>| -> Vec<Value> {
        outbox
            .into_iter()
            .filter(|m| m["lead_id"].is_null() && m["recipient_kind"] == "staff")
            .collect()
    };
    assert!(reports(app.outbox(None).await).is_empty());
    // Monday 2026-12-07 07:30 in Chicago is 13:30Z.
    app.advance_to("2026-12-07T14:00:00Z").await;
    let sent = reports(app.outbox(None).await);
    assert_eq!(sent.len(), 2, "{sent:#?}");
    for (m, to) in sent.iter().zip([
        "morgan@lakeside-motors.example.com",
        "pat@lakeside-motors.example.com",
    ]) {
        assert_eq!(m["to"], to);
        assert_eq!(m["channel"], "email");
        assert_eq!(m["at"], "2026-12-07T13:30:00Z");
        assert_eq!(m["subject"], "Follow-up audit 2026-W49 — Lakeside Motors");
        let body = m["body"].as_str().unwrap();
        assert!(
            body.starts_with("# Follow-up audit 2026-W49 — main"),
            "{body}"
        );
        assert!(
            body.contains("## Funnel of the leads received in 2026-W49"),
            "{body}"
        );
        assert!(body.contains("| new_inquiry | 1 |"), "{body}");
        let attachment = &m["attachments"][0];
        assert_eq!(attachment["filename"], "audit-2026-W49.html");
        assert_eq!(attachment["content_type"], "text/html; charset=utf-8");
        assert!(attachment["content"]
            .as_str()
            .unwrap()
            .starts_with("<!DOCTYPE html>"));
    }
    drop(app);

    // A restart within the catch-up window sends nothing twice.
    let app = spawn_app_configured(config, &db, "2026-12-07T15:00:00Z").await;
    app.advance("PT1H").await;
    assert_eq!(reports(app.outbox(None).await).len(), 2);
    // The next Monday brings the next week's, once each.
    app.advance_to("2026-12-14T20:00:00Z").await;
    let sent = reports(app.outbox(None).await);
    assert_eq!(sent.len(), 4);
    assert_eq!(
        sent[2]["subject"],
        "Follow-up audit 2026-W50 — Lakeside Motors"
    );
    assert_eq!(sent[3]["at"], "2026-12-14T13:30:00Z");
}

#[tokio::test]
async fn a_worker_stopped_all_week_does_not_hide_its_leads_their_waiting_touches_are_late() {
    // Sunday 2026-11-29 12:00 in Chicago (week 48): the day-0 touches go out at once.
    let app =
        spawn_app_configured(starter_config(), "sqlite::memory:", "2026-11-29T18:00:00Z").await;
    let id = app.create_lead(&inquiry("(312) 555-0778")).await;
    // The worker then never runs again: the clock reaches the next Monday with nothing drained, so
    // the day-1 text due Monday 10:30 is still waiting and the lead has no event in week 49.
    app.engine
        .clock()
        .as_manual()
        .unwrap()
        .set("2026-12-07T15:00:00Z".parse().unwrap());
    let audit: Value = app
        .get("/api/v1/audit?week=2026-W49")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["segments"][0]["active_leads"], 1, "{audit:#}");
    let late = &audit["late_touches"][0];
    assert_eq!(late["lead_id"], id);
    assert_eq!(late["due_at"], "2026-11-30T16:30:00Z");
    assert!(late["sent_at"].is_null());
    // Due to the week's end, Monday 2026-12-07 06:00Z.
    assert_eq!(late["minutes_late"], 6 * 24 * 60 + 13 * 60 + 30);
    assert_eq!(audit["segments"][0]["timing_score"], 0);
}
