//! The weekly audit, assembled and delivered: loads a week's facts from the store, runs
//! [`keepwarm_domain::audit::audit`], renders it (Markdown from the domain, HTML here through maud's
//! auto-escaping templates), and e-mails it with the week's funnel summary to the configured managers
//! once per week and recipient (`Engine::run_due_reports`, driven by the work loop).
//!
//! It must not read the clock itself: `now` comes from the engine's clock, so `advance_to` on a
//! manual clock fires the weekly e-mail at exactly its local weekday and time.

use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use keepwarm_channels::RecipientKind;
use keepwarm_domain::audit::{
    audit, delay, render_markdown, Audit, AuditFacts, IsoWeek, RateChange,
};
use keepwarm_domain::cadence::Channel as ChannelKind;
use keepwarm_domain::config::{Dealership, ReportDelivery};
use keepwarm_domain::report::{FunnelRow, GroupBy};
use keepwarm_store::{NewOutbound, OutboundPurpose, OutboxAttachment};
use maud::{html, Markup, DOCTYPE};

use crate::{Engine, EngineError, Result};

/// How long after its slot a missed weekly e-mail is still sent (the service was down at 07:30 and
/// came back at 09:00). Older slots are skipped rather than sent days late.
const CATCH_UP_HOURS: i64 = 24;

impl Engine {
    /// The dealership `id` names, or the first.
    fn audit_dealership(&self, id: Option<&str>) -> Result<&Dealership> {
        self.config().dealership(id).ok_or_else(|| match id {
            Some(id) => EngineError::field("dealership", format!("`{id}` is not configured")),
            None => EngineError::Inconsistent("no dealership is configured".into()),
        })
    }

    /// The audit of `week` for a dealership (the first when `None`), sampled with `seed` (default:
    /// derived from the week). A week that has not started yet is refused.
    pub async fn audit(
        &self,
        week: IsoWeek,
        seed: Option<u64>,
        dealership: Option<&str>,
    ) -> Result<Audit> {
        let dealership = self.audit_dealership(dealership)?;
        let zone = &dealership.time_zone;
        let settings = &self.config().audit;
        let (start, end) = week.bounds(zone);
        let now = self.now();
        if start > now {
            return Err(EngineError::field(
                "week",
                format!("{week} has not started yet (it starts {start})"),
            ));
        }
        let baseline_weeks: Vec<(Timestamp, Timestamp)> = (1..=i64::from(settings.baseline_weeks))
            .map(|i| week.minus(i).bounds(zone))
            .collect();
        let from = baseline_weeks.last().map_or(start, |w| w.0);
        let activity = self
            .store()
            .audit_activity(&dealership.id, from, start, end)
            .await?;
        let facts = AuditFacts {
            dealership: dealership.id.clone(),
            time_zone: dealership.time_zone_name.clone(),
            week,
            start,
            end,
            as_of: end.min(now),
            baseline_weeks,
            leads: activity.leads,
            touches: activity.touches,
            escalations: activity.escalations,
        };
        Ok(audit(
            &facts,
            seed.unwrap_or_else(|| week.default_seed()),
            settings,
            &self.config().lint,
        ))
    }

    /// The funnel of the leads received in `week`, by segment.
    pub async fn week_funnel(
        &self,
        week: IsoWeek,
        dealership: Option<&str>,
    ) -> Result<Vec<FunnelRow>> {
        let dealership = self.audit_dealership(dealership)?;
        let (start, end) = week.bounds(&dealership.time_zone);
        // Every dealership's leads, as before the count moved into the store.
        let tallies = self
            .store()
            .report_tallies(start, end.min(self.now()), None, &[GroupBy::Segment])
            .await?;
        Ok(tallies.into_iter().flatten().map(FunnelRow::from).collect())
    }

    /// The weekly report slot at or before `now` and the one after it.
    fn report_slots(
        delivery: &ReportDelivery,
        zone: &TimeZone,
        now: Timestamp,
    ) -> (Timestamp, Timestamp) {
        let today = now.to_zoned_datetime(zone.clone()).date();
        let back = i64::from(
            (today.weekday().to_monday_zero_offset() - delivery.weekday.to_monday_zero_offset())
                .rem_euclid(7),
        );
        let at = |d: jiff::civil::Date| {
            d.to_datetime(delivery.time)
                .to_zoned_datetime(zone.clone())
                .map(|z| z.timestamp())
                .unwrap_or(now)
        };
        let mut day = today.saturating_sub(back.days());
        if at(day) > now {
            day = day.saturating_sub(7.days());
        }
        (at(day), at(day.saturating_add(7.days())))
    }

    /// When the weekly report next needs the work loop: the current slot while some recipient has
    /// not had it (and it is not too old to catch up), else the next slot. `None` without delivery.
    pub(crate) async fn next_report_at(&self) -> Result<Option<Timestamp>> {
        let Some(delivery) = &self.config().report_delivery else {
            return Ok(None);
        };
        let dealership = self.audit_dealership(delivery.dealership.as_deref())?;
        let now = self.now();
        let (slot, next) = Self::report_slots(delivery, &dealership.time_zone, now);
        if self.report_pending(delivery, dealership, slot, now).await? {
            return Ok(Some(slot));
        }
        Ok(Some(next))
    }

    async fn report_pending(
        &self,
        delivery: &ReportDelivery,
        dealership: &Dealership,
        slot: Timestamp,
        now: Timestamp,
    ) -> Result<bool> {
        if now.duration_since(slot).as_hours() >= CATCH_UP_HOURS {
            return Ok(false);
        }
        let week = IsoWeek::containing(slot, &dealership.time_zone).minus(1);
        let done = self
            .store()
            .report_recipients(&dealership.id, &week.to_string())
            .await?;
        Ok(delivery.recipients.iter().any(|r| !done.contains(r)))
    }

    /// Sends the weekly audit and funnel summary to each recipient who has not had this week's, when
    /// its slot has come. Each (week, recipient) is claimed in the store before the channel is
    /// called, so it goes out at most once, across restarts. Returns how many were sent.
    pub(crate) async fn run_due_reports(&self, now: Timestamp) -> Result<usize> {
        let Some(delivery) = self.config().report_delivery.clone() else {
            return Ok(0);
        };
        let dealership = self
            .audit_dealership(delivery.dealership.as_deref())?
            .clone();
        let (slot, _) = Self::report_slots(&delivery, &dealership.time_zone, now);
        if !self
            .report_pending(&delivery, &dealership, slot, now)
            .await?
        {
            return Ok(0);
        }
        let week = IsoWeek::containing(slot, &dealership.time_zone).minus(1);
        let audit = self.audit(week, None, Some(&dealership.id)).await?;
        let funnel = self.week_funnel(week, Some(&dealership.id)).await?;
        let body = format!(
            "{}\n\n{}",
            render_markdown(&audit),
            funnel_markdown(week, &funnel)
        );
        let html = render_html(&audit).into_string();
        let mut sent = 0;
        for id in &delivery.recipients {
            let Some(email) = self.config().staff_member(id).and_then(|s| s.email.clone()) else {
                continue;
            };
            let week_name = week.to_string();
            // Queued before it is claimed: the dedupe key makes the queue hold at most one per week
            // and recipient, so a crash between the two never loses or doubles it.
            let message = NewOutbound {
                lead_id: None,
                purpose: OutboundPurpose::WeeklyReport,
                channel: ChannelKind::Email.as_str().to_owned(),
                recipient_kind: RecipientKind::Staff.as_str().to_owned(),
                recipient: email.as_str().to_owned(),
                subject: Some(format!("Follow-up audit {week_name} — {}", dealership.name)),
                body: body.clone(),
                attachments: vec![OutboxAttachment {
                    filename: format!("audit-{week_name}.html"),
                    content_type: "text/html; charset=utf-8".into(),
                    content: html.clone(),
                }],
                dealership: dealership.id.clone(),
                dedupe_key: Some(format!("weekly_report:{}:{week_name}:{id}", dealership.id)),
                on_sent: None,
                on_failed: None,
                due_at: now,
                sender: None,
            };
            self.enqueue(&[message]).await?;
            if self
                .store()
                .claim_report_delivery(&dealership.id, &week_name, id, now)
                .await?
            {
                self.store()
                    .finish_report_delivery(&dealership.id, &week_name, id, "queued", None)
                    .await?;
                sent += 1;
            }
        }
        Ok(sent)
    }
}

/// The week's funnel as a short Markdown table (the weekly e-mail's second part).
pub fn funnel_markdown(week: IsoWeek, rows: &[FunnelRow]) -> String {
    let pct = |r: &keepwarm_domain::report::Rate| {
        if r.of == 0 {
            "-".to_owned()
        } else {
            format!("{:.0}%", r.rate * 100.0)
        }
    };
    let mut out = format!(
        "## Funnel of the leads received in {week}\n\n| segment | leads | contacted | appt | showed | sold | lost | appt rate | show rate |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.group.replace('|', "\\|"),
            r.leads,
            r.contacted,
            r.appointment_set,
            r.showed,
            r.sold,
            r.lost,
            pct(&r.appointment_rate),
            pct(&r.show_rate)
        ));
    }
    out
}

fn local(t: Timestamp, zone: &TimeZone) -> String {
    t.to_zoned_datetime(zone.clone())
        .strftime("%a %b %-d %H:%M")
        .to_string()
}

fn rate(r: &RateChange) -> String {
    let p = |x: Option<f64>| x.map_or("-".into(), |x| format!("{:.1}%", x * 100.0));
    let mut s = format!("{} ({}/{})", p(r.rate), r.hits, r.of);
    if r.baseline_rate.is_some() {
        s.push_str(&format!(" vs {}", p(r.baseline_rate)));
    }
    if let Some(c) = r.change_points {
        s.push_str(&format!(", {c:+.1} pts"));
    }
    s
}

/// The audit as a self-contained HTML page. Every value is escaped by maud; customer text is never
/// interpreted as markup.
pub fn render_html(a: &Audit) -> Markup {
    let zone = TimeZone::get(&a.time_zone).unwrap_or(TimeZone::UTC);
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Follow-up audit " (a.week) " — " (a.dealership) }
                style { "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}th{background:#f4f4f4}blockquote{border-left:3px solid #c33;margin:.5rem 0;padding:.2rem .8rem;background:#fafafa;white-space:pre-wrap}.muted{color:#666}" }
            }
            body {
                h1 { "Follow-up audit " (a.week) " — " (a.dealership) }
                p.muted {
                    (local(a.start, &zone)) " to " (local(a.end, &zone)) " (" (a.time_zone) "); as of "
                    (local(a.as_of, &zone)) "; sample seed " (a.seed) ", up to "
                    (a.settings.sample_per_segment) " leads per segment."
                }
                h2 { "Fix first" }
                @if a.fix_first.is_empty() { p { "Nothing stood out this week." } }
                ol { @for f in &a.fix_first { li { strong { (f.area) } ": " (f.text) } } }
                h2 { "Segments" }
                table {
                    tr { th { "segment" } th { "active" } th { "sampled" } th { "timing" } th { "messages" } th { "appointment rate" } th { "show rate" } }
                    @for s in &a.segments {
                        tr {
                            td { (s.segment) } td { (s.active_leads) } td { (s.sampled_leads) }
                            td { (opt(s.timing_score.map(|x| x.to_string()))) " (" (s.on_time) "/" (s.touches) " on time)" }
                            td { (opt(s.message_score.map(|x| x.to_string()))) " (" (s.messages) ")" }
                            td { (rate(&s.appointment_rate)) } td { (rate(&s.show_rate)) }
                        }
                    }
                }
                h2 { "Hot replies acknowledged in under " (a.settings.acknowledge_within_minutes) " min" }
                p {
                    (a.escalations.acknowledged_in_time) " of " (a.escalations.total) " ("
                    (opt(a.escalations.share.map(|s| format!("{:.1}%", s * 100.0)))) ")."
                }
                @if !a.escalations.misses.is_empty() {
                    table {
                        tr { th { "escalation" } th { "lead" } th { "segment" } th { "owner" } th { "raised" } th { "acknowledged" } th { "delay" } }
                        @for m in &a.escalations.misses {
                            tr {
                                td { (m.escalation_id) } td { (m.lead_id) } td { (m.segment) } td { (m.owner) }
                                td { (local(m.created_at, &zone)) }
                                td { @match m.acknowledged_at { Some(t) => { (local(t, &zone)) " by " (m.acknowledged_by.as_deref().unwrap_or("?")) }, None => { "not yet" } } }
                                td { (delay(m.delay_minutes)) }
                            }
                        }
                    }
                }
                h2 { "Late touches (" (a.late_touches.len()) ")" }
                @if a.late_touches.is_empty() { p { "None in the sample." } } @else {
                    table {
                        tr { th { "touch" } th { "lead" } th { "segment" } th { "step" } th { "block" } th { "due" } th { "sent" } th { "late" } }
                        @for t in &a.late_touches {
                            tr {
                                td { (t.touch_id) } td { (t.lead_id) } td { (t.segment) } td { (t.step) " " (t.channel) } td { (t.block) }
                                td { (local(t.due_at, &zone)) }
                                td { (t.sent_at.map_or("not yet".into(), |s| local(s, &zone))) }
                                td { (t.minutes_late) " min" }
                            }
                        }
                    }
                }
                h2 { "Messages" }
                p { (a.messages.scored) " scored, average " (opt(a.messages.average_score.map(|x| x.to_string()))) " / 100." }
                @for w in &a.messages.weakest {
                    p { strong { (w.score) " / 100" } " — " code { (w.block) } " (" (w.channel) ") to lead " (w.lead_id) ", " (local(w.sent_at, &zone)) ": " (w.problems.join("; ")) }
                    blockquote { (w.text) }
                }
            }
        }
    }
}

/// The schedule in words (`Mondays at 07:30 to morgan, pat`).
pub fn describe_schedule(delivery: &ReportDelivery) -> String {
    let day = match delivery.weekday {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    };
    format!(
        "{day}s at {} to {}",
        delivery.time.strftime("%H:%M"),
        delivery.recipients.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use keepwarm_domain::audit::{AuditLead, AuditSettings, AuditTouch, LeadContext};
    use keepwarm_domain::lint::LintSettings;

    use super::*;

    #[test]
    fn customer_text_in_the_html_audit_is_escaped_never_markup() {
        let t = |m: i64| {
            "2026-11-30T15:00:00Z"
                .parse::<Timestamp>()
                .unwrap_or(Timestamp::UNIX_EPOCH)
                + jiff::SignedDuration::from_mins(m)
        };
        let week: IsoWeek = "2026-W49".parse().unwrap_or_else(|_| unreachable!());
        let zone = TimeZone::get("America/Chicago").unwrap_or(TimeZone::UTC);
        let (start, end) = week.bounds(&zone);
        let facts = AuditFacts {
            dealership: "main".into(),
            time_zone: "America/Chicago".into(),
            week,
            start,
            end,
            as_of: end,
            baseline_weeks: vec![],
            leads: vec![AuditLead {
                id: 1,
                segment: "new_inquiry".into(),
                owner: "sam".into(),
                name: Some("<i>Eve</i>".into()),
                context: LeadContext::default(),
                activity: vec![t(0)],
                appointment_at: None,
                showed_at: None,
            }],
            touches: vec![AuditTouch {
                id: 1,
                lead_id: 1,
                step: 1,
                channel: ChannelKind::Sms,
                block: "first_response".into(),
                target_at: t(0),
                due_at: t(0),
                state: "sent".into(),
                sent_at: Some(t(0)),
                body: Some("<script>alert(1)</script> Act now!".into()),
                first_sms: true,
            }],
            escalations: vec![],
        };
        let a = audit(
            &facts,
            1,
            &AuditSettings::default(),
            &LintSettings::default(),
        );
        let html = render_html(&a).into_string();
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt; Act now!"),
            "{html}"
        );
        assert!(!html.contains("<script>"), "{html}");
    }
}
