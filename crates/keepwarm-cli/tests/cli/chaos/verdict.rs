//! The chaos test's verdict: waiting for the fleet to drain, then holding what the fake Twilio
//! received against the database and against what the customers and staff did.
//!
//! - **No message sent twice**: every text the fake created is recorded by exactly one sent touch
//!   or queued message (by its SID); no touch was texted twice (its `StatusCallback`), no queued
//!   message twice (its number and words).
//! - **None lost**: nothing is left due, in flight or failed; every lead got its first text; every
//!   text recorded as sent is at the fake.
//! - **Every escalation alerted exactly once** to each person told (owner, then the team's manager
//!   and the next manager when unacknowledged), by the alert's "Reply N" number.
//! - **Every opt-out confirmed exactly once**, and nothing else texted to that number after it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::{Duration, Instant};

use keepwarm_twilio::fake::{FakeTwilio, RecordedRequest};
use sqlx::PgPool;

use crate::server::touch_of;

/// How a customer answered their first text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// A hot reply; `ack`: acknowledged by texting the alert back (`Some(true)`), by API
    /// (`Some(false)`), or left to breach (`None`).
    Hot { ack: Option<bool> },
    /// STOP.
    Stop,
    /// A plain answer that escalates nothing.
    Neutral,
}

/// What the drivers did.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    /// Every lead's phone.
    pub leads: BTreeSet<String>,
    /// Each answering phone: its reply, and how many requests the fake had received once the
    /// reply was recorded.
    pub replies: BTreeMap<String, (Reply, usize)>,
    /// Escalations acknowledged by staff.
    pub acknowledged: BTreeSet<i64>,
}

/// What the run amounted to, and every problem found.
#[derive(Debug, Default)]
pub struct Report {
    pub texts_to_customers: usize,
    pub alerts: usize,
    pub confirmations: usize,
    pub escalations: usize,
    pub acknowledged: usize,
    pub breached: usize,
    pub reconciled: i64,
    pub released: i64,
    pub reclaimed: i64,
    pub duplicates: usize,
    pub missing: usize,
    pub problems: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} texts to customers, {} staff alerts, {} opt-out confirmations; {} escalations \
             ({} acknowledged, {} breached up the chain); {} touches reconciled as delivered, {} \
             released, {} queued messages claimed again after a kill; duplicates={} missing={}",
            self.texts_to_customers,
            self.alerts,
            self.confirmations,
            self.escalations,
            self.acknowledged,
            self.breached,
            self.reconciled,
            self.released,
            self.reclaimed,
            self.duplicates,
            self.missing
        )
    }
}

/// Now, as the processes (on the system clock) read it.
fn now_ms() -> i64 {
    use keepwarm_engine::Clock;
    keepwarm_engine::SystemClock.now().as_millisecond()
}

/// What is still to do: touches due or in flight, queued messages, unfired timers due, and
/// escalations whose clock still runs.
async fn pending(pool: &PgPool) -> Vec<(String, i64)> {
    let now = now_ms();
    let counts = [
        (
            "touches due or sending",
            "SELECT count(*) FROM touches WHERE state = 'sending' OR (state = 'scheduled' AND due_at <= $1)",
        ),
        (
            "queued messages",
            "SELECT count(*) FROM outbound_messages WHERE state IN ('queued', 'sending') AND $1 >= 0",
        ),
        (
            "timers due",
            "SELECT count(*) FROM follow_up_timers WHERE fired_at IS NULL AND due_at <= $1",
        ),
        (
            "escalation clocks running",
            "SELECT count(*) FROM escalations WHERE next_deadline_at IS NOT NULL AND $1 >= 0",
        ),
    ];
    let mut left = Vec::new();
    for (what, sql) in counts {
        let n: i64 = sqlx::query_scalar(sql)
            .bind(now)
            .fetch_one(pool)
            .await
            .unwrap();
        if n > 0 {
            left.push((what.to_owned(), n));
        }
    }
    left
}

/// Waits until nothing is pending twice in a row, a second apart; fails after `limit`. Returns how
/// long it took.
pub async fn drain(pool: &PgPool, limit: Duration) -> Duration {
    let start = Instant::now();
    let mut quiet = 0;
    loop {
        let left = pending(pool).await;
        quiet = if left.is_empty() { quiet + 1 } else { 0 };
        if quiet >= 2 {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "not drained after {limit:?}: {left:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Every check, on a drained fleet.
pub async fn check(
    pool: &PgPool,
    fake: &FakeTwilio,
    expected: &Expected,
    staff: &BTreeMap<String, String>,
) -> Report {
    let mut report = Report::default();
    let violations = fake.violations();
    if !violations.is_empty() {
        report.problems.push(format!(
            "requests broke Twilio's description: {violations:#?}"
        ));
    }
    let requests = fake.requests();
    let creates: Vec<(usize, &RecordedRequest)> = requests
        .iter()
        .enumerate()
        .filter(|(_, r)| r.operation.as_deref() == Some("CreateMessage"))
        .collect();
    let messages = fake.messages();
    if creates.len() != messages.len() {
        report.problems.push(format!(
            "{} CreateMessage requests made {} messages (no failures were injected)",
            creates.len(),
            messages.len()
        ));
    }
    check_records(pool, &messages, &mut report).await;
    check_touches(pool, &creates, expected, &mut report).await;
    check_queued(&creates, staff, &mut report);
    check_escalations(pool, &creates, expected, staff, &mut report).await;
    check_opt_outs(pool, &creates, expected, &mut report).await;
    let events: Vec<(String, i64)> = sqlx::query_as(
        "SELECT kind, count(*) FROM events WHERE kind IN ('touch_released') GROUP BY kind \
         UNION ALL SELECT 'reconciled', count(*) FROM events WHERE data->>'reconciled' = 'true'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    report.reclaimed =
        sqlx::query_scalar("SELECT count(*) FROM outbound_messages WHERE attempts > 1")
            .fetch_one(pool)
            .await
            .unwrap();
    for (kind, n) in events {
        match kind.as_str() {
            "touch_released" => report.released = n,
            _ => report.reconciled = n,
        }
    }
    report
}

/// Every message at the fake is recorded by exactly one sent touch or queued message, and every
/// text recorded as sent is at the fake.
async fn check_records(
    pool: &PgPool,
    messages: &[keepwarm_twilio::MessageResource],
    report: &mut Report,
) {
    let recorded: Vec<(String, String, i64, String)> = sqlx::query_as(
        "SELECT provider_id, 'touch', id, state FROM touches WHERE channel = 'sms' AND provider_id IS NOT NULL \
         UNION ALL SELECT provider_id, 'queued message', id, state FROM outbound_messages \
         WHERE channel = 'sms' AND provider_id IS NOT NULL",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut by_sid: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (sid, what, id, state) in &recorded {
        by_sid
            .entry(sid.as_str())
            .or_default()
            .push(format!("{what} {id} ({state})"));
    }
    let at_fake: BTreeSet<&str> = messages.iter().map(|m| m.sid.as_str()).collect();
    for m in messages {
        match by_sid.get(m.sid.as_str()).map(Vec::as_slice) {
            Some([_]) => {}
            Some(many) => report.problems.push(format!(
                "text {} to {:?} is recorded {} times: {many:?}",
                m.sid,
                m.to,
                many.len()
            )),
            None => {
                report.duplicates += 1;
                report.problems.push(format!(
                    "text {} to {:?} ({:?}) was sent but nothing records it (sent again, or \
                     recorded as failed)",
                    m.sid, m.to, m.body
                ));
            }
        }
    }
    for (sid, what, id, _) in &recorded {
        if !at_fake.contains(sid.as_str()) {
            report.missing += 1;
            report.problems.push(format!(
                "{what} {id} is recorded as sent as {sid}, which Twilio never created"
            ));
        }
    }
}

/// Touches: none texted twice, none left undone or failed, every lead's first text sent.
async fn check_touches(
    pool: &PgPool,
    creates: &[(usize, &RecordedRequest)],
    expected: &Expected,
    report: &mut Report,
) {
    let mut per_touch: BTreeMap<i64, usize> = BTreeMap::new();
    let mut texted: BTreeSet<&str> = BTreeSet::new();
    for (_, r) in creates {
        if let Some(touch) = touch_of(r) {
            *per_touch.entry(touch).or_default() += 1;
            report.texts_to_customers += 1;
            texted.extend(r.param("To"));
        }
    }
    for (touch, n) in &per_touch {
        if *n > 1 {
            report.duplicates += n - 1;
            report
                .problems
                .push(format!("touch {touch} was texted {n} times"));
        }
    }
    for phone in &expected.leads {
        if !texted.contains(phone.as_str()) {
            report.missing += 1;
            report
                .problems
                .push(format!("the lead at {phone} never got its first text"));
        }
    }
    let leads: Vec<(String, i64)> = sqlx::query_as(
        "SELECT value, count(DISTINCT lead_id) FROM lead_contacts WHERE kind = 'phone' GROUP BY value",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let leads: BTreeMap<String, i64> = leads.into_iter().collect();
    for phone in &expected.leads {
        match leads.get(phone) {
            Some(1) => {}
            n => report
                .problems
                .push(format!("{phone} is on {n:?} leads, not exactly one")),
        }
    }
    let failed: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, state, detail FROM touches WHERE state IN ('failed', 'sending') \
         OR (channel = 'sms' AND state = 'sent' AND provider_id IS NULL)",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (id, state, detail) in failed {
        report.missing += 1;
        report.problems.push(format!(
            "touch {id} ended {state} without a Twilio message: {detail:?}"
        ));
    }
}

/// Queued messages (alerts, confirmations): none sent twice (same number and words).
fn check_queued(
    creates: &[(usize, &RecordedRequest)],
    staff: &BTreeMap<String, String>,
    report: &mut Report,
) {
    let staff_phones: BTreeSet<&str> = staff.values().map(String::as_str).collect();
    let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (_, r) in creates {
        if touch_of(r).is_some() {
            continue;
        }
        let to = r.param("To").unwrap_or_default();
        if staff_phones.contains(to) {
            report.alerts += 1;
        }
        *seen
            .entry((to, r.param("Body").unwrap_or_default()))
            .or_default() += 1;
    }
    for ((to, body), n) in seen {
        if n > 1 {
            report.duplicates += n - 1;
            report
                .problems
                .push(format!("{to} got {n} times: {body:?}"));
        }
    }
}

/// Each hot reply made one escalation; each person it told got exactly one alert naming it; an
/// unacknowledged one went up the whole chain, an acknowledged one told nobody after.
async fn check_escalations(
    pool: &PgPool,
    creates: &[(usize, &RecordedRequest)],
    expected: &Expected,
    staff: &BTreeMap<String, String>,
    report: &mut Report,
) {
    let rows: Vec<(i64, String, String, i64, serde_json::Value)> = sqlx::query_as(
        "SELECT e.id, c.value, e.status, e.level, e.notified FROM escalations e \
         JOIN lead_contacts c ON c.lead_id = e.lead_id AND c.kind = 'phone'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    report.escalations = rows.len();
    let mut per_phone: BTreeMap<&str, usize> = BTreeMap::new();
    let mut told_total = 0;
    for (id, phone, status, level, notified) in &rows {
        *per_phone.entry(phone.as_str()).or_default() += 1;
        let notified: Vec<String> = serde_json::from_value(notified.clone()).unwrap_or_default();
        let acknowledged = expected.acknowledged.contains(id);
        if acknowledged {
            report.acknowledged += 1;
            if status != "acknowledged" || notified.len() != 1 {
                report.problems.push(format!(
                    "escalation {id} was acknowledged by staff but is {status} at level {level}, \
                     told {notified:?}"
                ));
            }
        } else if *level == 2 && notified.len() == 3 {
            report.breached += 1;
        } else {
            report.missing += 1;
            report.problems.push(format!(
                "escalation {id} ({phone}) was never acknowledged but is {status} at level \
                 {level}, told {notified:?}: a deadline did not fire"
            ));
        }
        let words = [
            format!("Reply {id} to acknowledge"),
            format!("Reply {id} to take it"),
        ];
        for person in &notified {
            told_total += 1;
            let to = staff.get(person).map(String::as_str).unwrap_or_default();
            let alerts = creates
                .iter()
                .filter(|(_, r)| {
                    r.param("To") == Some(to)
                        && r.param("Body")
                            .is_some_and(|b| words.iter().any(|w| b.contains(w.as_str())))
                })
                .count();
            if alerts != 1 {
                if alerts == 0 {
                    report.missing += 1;
                } else {
                    report.duplicates += alerts - 1;
                }
                report.problems.push(format!(
                    "escalation {id}: {person} was told {alerts} times, not once"
                ));
            }
        }
    }
    if report.alerts != told_total {
        report.problems.push(format!(
            "{} texts went to staff phones for {told_total} people told of escalations",
            report.alerts
        ));
    }
    for (phone, (reply, _)) in &expected.replies {
        let n = per_phone.get(phone.as_str()).copied().unwrap_or(0);
        let want = usize::from(matches!(reply, Reply::Hot { .. }));
        if n != want {
            report.problems.push(format!(
                "{phone} answered {reply:?} and has {n} escalations, not {want}"
            ));
        }
    }
}

/// Each STOP: the number is revoked, exactly one confirmation reached it, and no other text
/// after the STOP was recorded.
async fn check_opt_outs(
    pool: &PgPool,
    creates: &[(usize, &RecordedRequest)],
    expected: &Expected,
    report: &mut Report,
) {
    let revoked: BTreeSet<String> =
        sqlx::query_scalar("SELECT contact FROM consent_ledger WHERE restored_at IS NULL")
            .fetch_all(pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    for (phone, (reply, mark)) in &expected.replies {
        if *reply != Reply::Stop {
            continue;
        }
        if !revoked.contains(phone) {
            report
                .problems
                .push(format!("{phone} sent STOP but its consent is not revoked"));
        }
        // Only a confirmation goes to a customer's number without a touch; it may reach Twilio
        // before the STOP's webhook has answered.
        let confirmations = creates
            .iter()
            .filter(|(_, r)| r.param("To") == Some(phone.as_str()) && touch_of(r).is_none())
            .count();
        report.confirmations += confirmations;
        if confirmations != 1 {
            if confirmations == 0 {
                report.missing += 1;
            } else {
                report.duplicates += confirmations - 1;
            }
            report.problems.push(format!(
                "{phone} sent STOP and got {confirmations} confirmations"
            ));
        }
        let touches: Vec<i64> = creates
            .iter()
            .filter(|(i, r)| *i >= *mark && r.param("To") == Some(phone.as_str()))
            .filter_map(|(_, r)| touch_of(r))
            .collect();
        if !touches.is_empty() {
            report.problems.push(format!(
                "{phone} sent STOP and was texted touches {touches:?} afterwards"
            ));
        }
    }
}
