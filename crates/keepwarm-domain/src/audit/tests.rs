use jiff::ToSpan;

use super::*;

fn t(minutes: i64) -> Timestamp {
    // Monday 2026-11-16 00:00 in Chicago.
    "2026-11-16T06:00:00Z".parse::<Timestamp>().unwrap() + minutes.minutes()
}

const DAY: i64 = 24 * 60;
const WEEK: i64 = 7 * DAY;

fn lead(id: i64, segment: &str, activity: &[i64]) -> AuditLead {
    AuditLead {
        id,
        segment: segment.into(),
        owner: "sam".into(),
        name: None,
        context: LeadContext::default(),
        activity: activity.iter().map(|&m| t(m)).collect(),
        appointment_at: None,
        showed_at: None,
    }
}

fn touch(id: i64, lead_id: i64, target: i64, due: i64, sent: Option<i64>) -> AuditTouch {
    AuditTouch {
        id,
        lead_id,
        step: 1,
        channel: Channel::Sms,
        block: "hello".into(),
        target_at: t(target),
        due_at: t(due),
        state: if sent.is_some() { "sent" } else { "scheduled" }.into(),
        sent_at: sent.map(t),
        body: sent.map(|_| "Hi there. Want to come by? Reply STOP to opt out".into()),
        first_sms: false,
    }
}

fn facts(leads: Vec<AuditLead>) -> AuditFacts {
    let week: IsoWeek = "2026-W47".parse().unwrap();
    AuditFacts {
        dealership: "lakeside".into(),
        time_zone: "America/Chicago".into(),
        week,
        start: t(0),
        end: t(WEEK),
        as_of: t(WEEK),
        baseline_weeks: (1..=4)
            .map(|i| (t(-i * WEEK), t(-(i - 1) * WEEK)))
            .collect(),
        leads,
        touches: vec![],
        escalations: vec![],
    }
}

#[test]
fn the_sample_is_reproducible_takes_all_when_fewer_and_caps_each_segment() {
    let leads: Vec<AuditLead> = (1..=40)
        .map(|i| lead(i, if i <= 30 { "a" } else { "b" }, &[10]))
        .collect();
    let refs: Vec<&AuditLead> = leads.iter().collect();
    let one: Vec<i64> = sample(&refs, 7, 25).iter().map(|l| l.id).collect();
    let again: Vec<i64> = sample(&refs, 7, 25).iter().map(|l| l.id).collect();
    let other: Vec<i64> = sample(&refs, 8, 25).iter().map(|l| l.id).collect();
    assert_eq!(one, again);
    assert_ne!(one, other);
    assert_eq!(one.len(), 35, "25 of a, all 10 of b");
    assert_eq!(one.iter().filter(|&&id| id > 30).count(), 10);
}

#[test]
fn deferral_is_allowed_and_only_lateness_after_due_counts() {
    let mut f = facts(vec![lead(1, "a", &[10])]);
    f.touches = vec![
        // Deferred overnight (target 02:00, due 09:00), sent on time.
        touch(1, 1, 120, 540, Some(545)),
        // Sent exactly at the tolerance: on time.
        touch(2, 1, 600, 600, Some(615)),
        // 16 minutes after due: late.
        touch(3, 1, 700, 700, Some(716)),
        // Still unsent 2 days after due at the week's end: late "so far".
        touch(4, 1, WEEK - 2 * DAY, WEEK - 2 * DAY, None),
        // Unsent but due 5 minutes before the week's end: not measured yet.
        touch(5, 1, WEEK - 5, WEEK - 5, None),
    ];
    let a = audit(&f, 1, &AuditSettings::default(), &LintSettings::default());
    let s = &a.sample[0];
    assert_eq!((s.touches, s.late, s.timing_score), (4, 2, Some(50)));
    let late: Vec<(i64, i64, Option<Timestamp>)> = a
        .late_touches
        .iter()
        .map(|l| (l.touch_id, l.minutes_late, l.sent_at))
        .collect();
    assert_eq!(late, vec![(4, 2 * DAY, None), (3, 16, Some(t(716)))]);
    assert_eq!(a.segments[0].timing_score, Some(50));
}

#[test]
fn escalations_count_under_five_minutes_and_open_ones_miss_with_their_delay_so_far() {
    let mut f = facts(vec![lead(1, "a", &[10])]);
    let esc = |id: i64, owner: &str, created: i64, ack: Option<i64>| AuditEscalation {
        id,
        lead_id: 1,
        segment: "a".into(),
        owner: owner.into(),
        created_at: t(created),
        acknowledged_at: ack.map(t),
        acknowledged_by: ack.map(|_| owner.to_owned()),
    };
    f.escalations = vec![
        esc(1, "sam", 100, Some(104)),
        esc(2, "sam", 200, Some(205)),
        esc(3, "jordan", 300, Some(342)),
        esc(4, "jordan", WEEK - 30, None),
    ];
    let a = audit(&f, 1, &AuditSettings::default(), &LintSettings::default());
    let e = &a.escalations;
    assert_eq!(
        (e.total, e.acknowledged_in_time, e.share),
        (4, 1, Some(0.25))
    );
    let misses: Vec<(i64, f64)> = e
        .misses
        .iter()
        .map(|m| (m.escalation_id, m.delay_minutes))
        .collect();
    assert_eq!(misses, vec![(3, 42.0), (4, 30.0), (2, 5.0)]);
    assert_eq!(a.fix_first[0].area, "escalations");
    assert!(
        a.fix_first[0].text.starts_with("jordan missed 2 of 2"),
        "{:?}",
        a.fix_first
    );
}

#[test]
fn rates_compare_with_the_previous_four_weeks_pooled_or_a_configured_figure() {
    let mut leads = Vec::new();
    // This week: 4 active, 1 appointment set, which showed.
    for i in 0..4 {
        let mut l = lead(i, "a", &[DAY]);
        if i == 0 {
            l.appointment_at = Some(t(DAY));
            l.showed_at = Some(t(3 * DAY));
        }
        leads.push(l);
    }
    // Baseline weeks: 10 active, 5 set, 2 showed by their week's end (1 more showed later).
    for i in 10..20 {
        let w = -((i % 4) + 1) * WEEK;
        let mut l = lead(i, "a", &[w + DAY]);
        if i < 15 {
            l.appointment_at = Some(t(w + DAY));
            l.showed_at = match i {
                10 | 11 => Some(t(w + 2 * DAY)),
                12 => Some(t(w + 9 * DAY)),
                _ => None,
            };
        }
        leads.push(l);
    }
    let f = facts(leads);
    let a = audit(&f, 1, &AuditSettings::default(), &LintSettings::default());
    let s = &a.segments[0];
    assert_eq!(s.active_leads, 4);
    let r = s.appointment_rate;
    assert_eq!(
        (
            r.hits,
            r.of,
            r.rate,
            r.baseline_hits,
            r.baseline_of,
            r.baseline_rate,
            r.change_points
        ),
        (1, 4, Some(0.25), Some(5), Some(10), Some(0.5), Some(-25.0))
    );
    let r = s.show_rate;
    assert_eq!(
        (r.hits, r.of, r.rate, r.baseline_rate, r.change_points),
        (1, 1, Some(1.0), Some(0.4), Some(60.0))
    );
    assert!(
        a.fix_first
            .iter()
            .any(|f| f.text.starts_with("Appointment rate in a fell 25.0 points")),
        "{:?}",
        a.fix_first
    );

    let configured = AuditSettings {
        baseline_appointment_rate: Some(0.2),
        ..AuditSettings::default()
    };
    let a = audit(&f, 1, &configured, &LintSettings::default());
    let r = a.segments[0].appointment_rate;
    assert_eq!(
        (r.baseline_hits, r.baseline_rate, r.change_points),
        (None, Some(0.2), Some(5.0))
    );
    // A segment's own figure comes first; what it leaves out falls back to the pooled weeks.
    let own = AuditSettings {
        baseline_appointment_rate: Some(0.2),
        baseline_by_segment: vec![SegmentBaseline {
            segment: "a".into(),
            appointment_rate: Some(0.3),
            show_rate: None,
        }],
        ..AuditSettings::default()
    };
    let a = audit(&f, 1, &own, &LintSettings::default());
    let s = &a.segments[0];
    assert_eq!(s.appointment_rate.baseline_rate, Some(0.3));
    assert_eq!(s.show_rate.baseline_rate, Some(0.4));
}

#[test]
fn the_weakest_messages_are_quoted_with_what_cost_them_points() {
    let mut f = facts(vec![lead(1, "a", &[10])]);
    let mut bad = touch(2, 1, 20, 20, Some(20));
    bad.body = Some("Act now! Call me. Reply today.".into());
    bad.first_sms = true;
    f.touches = vec![touch(1, 1, 10, 10, Some(10)), bad];
    let a = audit(&f, 1, &AuditSettings::default(), &LintSettings::default());
    assert_eq!(a.messages.scored, 2);
    assert_eq!(a.messages.weakest.len(), 1);
    let w = &a.messages.weakest[0];
    assert_eq!((w.score, w.problems.len()), (50, 3), "{w:?}");
    assert_eq!(a.messages.average_score, Some(75.0));
    let md = render_markdown(&a);
    assert!(md.contains("  > Act now! Call me. Reply today."), "{md}");
}

/// Every key path of a JSON value (`segments[].appointment_rate.hits`).
fn key_paths(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(path.clone());
                key_paths(v, &path, out);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items.iter().filter(|v| v.is_object()) {
                key_paths(v, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_json_shape_matches_the_fields_documented_in_docs_audit_md() {
    let mut l = lead(1, "a", &[10]);
    l.appointment_at = Some(t(10));
    let mut f = facts(vec![l, lead(2, "a", &[-WEEK + 10])]);
    let mut weak = touch(2, 1, 20, 20, Some(200));
    weak.body = Some("Act now!".into());
    f.touches = vec![weak];
    f.escalations = vec![AuditEscalation {
        id: 1,
        lead_id: 1,
        segment: "a".into(),
        owner: "sam".into(),
        created_at: t(100),
        acknowledged_at: None,
        acknowledged_by: None,
    }];
    let settings = AuditSettings {
        baseline_by_segment: vec![SegmentBaseline {
            segment: "a".into(),
            appointment_rate: Some(0.3),
            show_rate: None,
        }],
        ..AuditSettings::default()
    };
    let a = audit(&f, 1, &settings, &LintSettings::default());
    assert!(
        !a.late_touches.is_empty() && !a.messages.weakest.is_empty() && !a.fix_first.is_empty()
    );
    let mut produced = BTreeSet::new();
    key_paths(&serde_json::to_value(&a).unwrap(), "", &mut produced);

    let doc = include_str!("../../../../docs/audit.md");
    let documented: BTreeSet<String> = doc
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(path, _)| path.to_owned())
        .filter(|p| {
            p.chars()
                .all(|c| c.is_ascii_lowercase() || "_.[]".contains(c))
        })
        .collect();
    assert!(documented.len() > 80, "the field table was not found");
    let undocumented: Vec<&String> = produced.difference(&documented).collect();
    let absent: Vec<&String> = documented.difference(&produced).collect();
    assert!(
        undocumented.is_empty() && absent.is_empty(),
        "fields not in docs/audit.md: {undocumented:?}; documented but not produced: {absent:?}"
    );
}

#[test]
fn delays_read_in_minutes_hours_or_days() {
    assert_eq!(markdown::delay(7.0), "7.0 min");
    assert_eq!(markdown::delay(125.0), "2 h 5 min");
    assert_eq!(markdown::delay(9460.0), "6 d 13 h");
}
