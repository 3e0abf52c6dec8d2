//! `/compliance`: what the compliance gate held and why, for managers. Holds by rule (touches
//! deferred to the next legal opening, skipped, held while paused) with each touch's own
//! explanation one click away (`/compliance/touches/{id}`: the gate asked again, every rule row it
//! evaluated with its citation); opt-outs and how fast they were honoured (automated messages
//! after the opt-out, which must be none, and the confirmation's delay); possible opt-outs waiting
//! on a person; consent coverage of the active leads; the kill switch.
//!
//! A read-only view of the timeline and the gate: nothing here changes a touch.

use std::collections::{BTreeMap, HashMap};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jiff::{SignedDuration, Timestamp};
use keepwarm_domain::compliance::Verdict;
use keepwarm_domain::{LeadId, TimelineEvent};
use keepwarm_store::{ConsentCoverage, LeadRow, TimelineEntry};
use maud::{html, Markup};
use serde::Deserialize;

use super::chart::percent;
use super::error::PageError;
use super::format::{span_words, Words};
use super::leads::local_date;
use super::session::Viewer;
use super::{layout, lead_link, start_of_day};
use crate::error::ApiError;
use crate::AppState;

/// Days the page covers when no period is asked for.
const DEFAULT_DAYS: i64 = 7;
/// Most events read per list: the counts say when they stop there.
const MOST: u32 = 2000;
/// Holds listed one by one.
const LISTED: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ComplianceQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// What the kill switch form just did (`engaged`, `released`).
    done: Option<String>,
}

/// A held touch, in words.
struct Hold {
    at: Timestamp,
    lead: LeadRow,
    touch_id: Option<i64>,
    what: String,
    rule: String,
    reason: String,
    until: Option<Timestamp>,
}

/// An opt-out and how it was honoured.
struct OptOut {
    at: Timestamp,
    lead: LeadRow,
    channels: Vec<String>,
    words: String,
    /// Automated messages sent to the lead on a revoked channel after the opt-out.
    sent_after: usize,
    /// The confirmation text's delay, if one went.
    confirmed_after: Option<SignedDuration>,
}

struct Compliance {
    holds: Vec<Hold>,
    capped: bool,
    opt_outs: Vec<OptOut>,
    undecided: Vec<(Timestamp, LeadRow, String)>,
    coverage: ConsentCoverage,
}

async fn visible_leads(
    state: &AppState,
    viewer: &Viewer,
    ids: impl Iterator<Item = LeadId>,
) -> Result<HashMap<i64, LeadRow>, PageError> {
    let caller = viewer.caller();
    let mut ids: Vec<LeadId> = ids.collect();
    ids.sort_unstable_by_key(|l| l.0);
    ids.dedup();
    let leads = state.engine.store().leads_by_ids(&ids).await?;
    Ok(leads
        .into_iter()
        .filter(|lead| caller.sees(state, lead.scope()))
        .map(|lead| (lead.id.0, lead))
        .collect())
}

fn hold_of(e: &TimelineEntry, lead: &LeadRow) -> Option<Hold> {
    let hold = |touch_id, what: String, rule: &str, reason: &str, until| Hold {
        at: e.at,
        lead: lead.clone(),
        touch_id,
        what,
        rule: rule.to_owned(),
        reason: reason.to_owned(),
        until,
    };
    match &e.event {
        TimelineEvent::TouchDeferred(d) => Some(hold(
            Some(d.touch_id),
            format!("step {} ({})", d.step, d.channel),
            &d.rule,
            &d.reason,
            Some(d.deferred_to),
        )),
        TimelineEvent::TouchSkipped(s) => Some(hold(
            s.touch_id,
            format!("step {} ({})", s.step, s.channel),
            "skipped",
            &s.reason,
            None,
        )),
        TimelineEvent::TouchHeld(h) => Some(hold(
            Some(h.touch_id),
            "a touch".into(),
            "paused",
            &h.reason,
            None,
        )),
        _ => None,
    }
}

/// Whether an automated send on `channel` is covered by revoked `channels`.
fn covered(channels: &[String], channel: &str) -> bool {
    let word = match channel {
        "voicemail" => "call",
        c => c,
    };
    channels.iter().any(|c| c == "all" || c == word)
}

async fn opt_out_of(
    state: &AppState,
    event: &TimelineEntry,
    lead: &LeadRow,
    channels: &[String],
    words: &str,
) -> Result<OptOut, PageError> {
    let at = event.at;
    let timeline = state.engine.store().timeline(lead.id).await?;
    // In the timeline's order: a touch sent the same second but before the words is not after.
    let after = timeline.iter().filter(|e| e.id > event.id);
    let mut sent_after = 0;
    let mut confirmed_after = None;
    for e in after {
        match &e.event {
            TimelineEvent::TouchSent(t)
                if t.mode.is_none() && covered(channels, &t.channel.to_string()) =>
            {
                sent_after += 1
            }
            TimelineEvent::OptOutConfirmed(_) if confirmed_after.is_none() => {
                confirmed_after = Some(e.at.duration_since(at))
            }
            _ => {}
        }
    }
    Ok(OptOut {
        at,
        lead: lead.clone(),
        channels: channels.to_vec(),
        words: words.to_owned(),
        sent_after,
        confirmed_after,
    })
}

async fn load(
    state: &AppState,
    viewer: &Viewer,
    from: Timestamp,
    to: Timestamp,
) -> Result<Compliance, PageError> {
    let store = state.engine.store();
    let held = store
        .events_of_kinds(
            &[
                TimelineEvent::TOUCH_DEFERRED,
                TimelineEvent::TOUCH_SKIPPED,
                TimelineEvent::TOUCH_HELD,
            ],
            from,
            to,
            MOST,
        )
        .await?;
    let consent = store
        .events_of_kinds(
            &[
                TimelineEvent::CHANNEL_REVOKED,
                TimelineEvent::FOLLOW_UP_STOPPED,
                TimelineEvent::OPT_OUT_POSSIBLE,
                TimelineEvent::OPT_OUT_HOLD_CONFIRMED,
                TimelineEvent::OPT_OUT_HOLD_RELEASED,
            ],
            from,
            to,
            MOST,
        )
        .await?;
    let leads = visible_leads(
        state,
        viewer,
        held.iter().chain(&consent).map(|e| e.lead_id),
    )
    .await?;
    let holds = held
        .iter()
        .filter_map(|e| hold_of(e, leads.get(&e.lead_id.0)?))
        .collect();
    let mut opt_outs = Vec::new();
    let mut undecided: Vec<(Timestamp, LeadRow, String)> = Vec::new();
    let mut decided: Vec<i64> = Vec::new();
    // Newest first: a decision is seen before the doubt it settles.
    for e in &consent {
        let Some(lead) = leads.get(&e.lead_id.0) else {
            continue;
        };
        match &e.event {
            TimelineEvent::ChannelRevoked(r) => {
                opt_outs.push(opt_out_of(state, e, lead, &r.channels, &r.words).await?)
            }
            // STOP by text: every channel, recorded as follow-up stopped by an opt-out.
            TimelineEvent::FollowUpStopped(f) if f.opted_out => {
                let all = ["all".to_owned()];
                opt_outs.push(opt_out_of(state, e, lead, &all, &f.reason).await?)
            }
            TimelineEvent::OptOutHoldConfirmed(_) | TimelineEvent::OptOutHoldReleased(_) => {
                decided.push(e.lead_id.0)
            }
            TimelineEvent::OptOutPossible(p) if !decided.contains(&e.lead_id.0) => {
                undecided.push((e.at, lead.clone(), p.words.clone()))
            }
            _ => {}
        }
    }
    let coverage = store
        .consent_coverage(viewer.staff.dealership.as_deref())
        .await?;
    Ok(Compliance {
        holds,
        capped: held.len() as u32 >= MOST || consent.len() as u32 >= MOST,
        opt_outs,
        undecided,
        coverage,
    })
}

fn holds_view(words: &Words, c: &Compliance) -> Markup {
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for h in &c.holds {
        *by_rule.entry(h.rule.as_str()).or_default() += 1;
    }
    html! {
        section aria-labelledby="holds-h" {
            h2 id="holds-h" { "Holds by rule (" (c.holds.len()) ")" }
            @if c.capped { p.muted { "Only the latest " (MOST) " events of the period are counted; narrow the period for exact counts." } }
            @if c.holds.is_empty() { p.empty { "No touch was held in the period." } }
            @else {
                div.table-wrap tabindex="0" role="region" aria-label="Holds by rule" { table {
                    thead { tr { th scope="col" { "Rule" } th scope="col" { "Touches held" } } }
                    tbody { @for (rule, n) in &by_rule { tr { th scope="row" { (words.label(rule)) } td { (n) } } } }
                } }
                h3 { "Latest holds" }
                ul.items {
                    @for h in c.holds.iter().take(LISTED) {
                        li {
                            (lead_link(&h.lead)) " — " (h.what) " · " strong { (words.label(&h.rule)) }
                            br;
                            span.muted { (words.time(h.at)) " · " (h.reason)
                                @if let Some(u) = h.until { " · goes " (words.time(u)) } }
                            @if let Some(id) = h.touch_id {
                                " " a href={ "/compliance/touches/" (id) } { "Why? (touch " (id) ")" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn opt_outs_view(words: &Words, c: &Compliance) -> Markup {
    let late: Vec<&OptOut> = c.opt_outs.iter().filter(|o| o.sent_after > 0).collect();
    let mut delays: Vec<SignedDuration> = c
        .opt_outs
        .iter()
        .filter_map(|o| o.confirmed_after)
        .collect();
    delays.sort();
    html! {
        section aria-labelledby="optout-h" {
            h2 id="optout-h" { "Opt-outs (" (c.opt_outs.len()) ")" }
            p.muted { "Honoured means no automated text, call or e-mail on a revoked channel after the customer's words." }
            @if c.opt_outs.is_empty() { p.empty { "No customer opted out in the period." } }
            @else {
                dl.facts {
                    dt { "Honoured at once" } dd { (c.opt_outs.len() - late.len()) " of " (c.opt_outs.len()) }
                    dt { "Confirmation sent" } dd { (delays.len()) " of " (c.opt_outs.len())
                        @if let Some(d) = delays.get(delays.len().saturating_sub(1) / 2) { " · median " (span_words(*d)) " after" } }
                }
                @if !late.is_empty() {
                    p.error { (late.len()) " opt-out(s) were followed by automated messages:" }
                }
                ul.items {
                    @for o in c.opt_outs.iter().take(LISTED) {
                        li {
                            (lead_link(&o.lead)) " — "
                            @if o.channels.iter().any(|c| c == "all") { "every channel" } @else { (o.channels.join(", ")) }
                            ": " (o.words)
                            br;
                            span.muted { (words.time(o.at)) " · " }
                            @if o.sent_after > 0 { span.late { (o.sent_after) " automated message(s) after" } }
                            @else { span.muted { "nothing automated after" } }
                        }
                    }
                }
            }
            h3 { "Possible opt-outs waiting on a person (" (c.undecided.len()) ")" }
            @if c.undecided.is_empty() { p.empty { "None: every doubtful reply was decided." } }
            ul.items {
                @for (at, lead, said) in &c.undecided {
                    li { (lead_link(lead)) " — " q.said { (said) } br; span.muted { "automation held since " (words.time(*at)) } }
                }
            }
        }
    }
}

fn coverage_view(c: &ConsentCoverage) -> Markup {
    let share = |n: i64, of: i64| {
        if of == 0 {
            "—".to_owned()
        } else {
            percent(n as f64 / of as f64)
        }
    };
    html! {
        section.card aria-labelledby="coverage-h" {
            h2 id="coverage-h" { "Consent coverage of active leads" }
            div.table-wrap tabindex="0" role="region" aria-label="Consent coverage" { table {
                thead { tr { th scope="col" { "" } th scope="col" { "Leads" } th scope="col" { "Share of active" } } }
                tbody {
                    tr { th scope="row" { "Active" } td { (c.active) } td { "100%" } }
                    tr { th scope="row" { "With a usable phone" } td { (c.with_phone) } td { (share(c.with_phone, c.active)) } }
                    tr { th scope="row" { "May be texted (no revocation in force)" } td { (c.textable) } td { (share(c.textable, c.active)) } }
                    tr { th scope="row" { "With a usable e-mail" } td { (c.with_email) } td { (share(c.with_email, c.active)) } }
                    tr { th scope="row" { "May be e-mailed" } td { (c.emailable) } td { (share(c.emailable, c.active)) } }
                    tr { th scope="row" { "Opted out of everything" } td { (c.opted_out) } td { (share(c.opted_out, c.active)) } }
                }
            } }
        }
    }
}

/// `GET /compliance` (managers).
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<ComplianceQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    viewer.caller().require_everything()?;
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let words = Words::new(state.engine.config(), state.engine.now());
    let today = start_of_day(words.now(), words.zone());
    let day = SignedDuration::from_hours(24);
    let from =
        local_date("from", &q.from, &words)?.unwrap_or(today - day * (DEFAULT_DAYS as i32 - 1));
    let to = local_date("to", &q.to, &words)?.unwrap_or(today) + day;
    if to <= from {
        return Err(ApiError::field("to", "must not be before `from`").into());
    }
    let c = load(&state, &viewer, from, to).await?;
    let date = |t: Timestamp| t.to_zoned_datetime(words.zone().clone()).date().to_string();
    let body = html! {
        h1 { "Compliance" }
        form.filters method="get" action="/compliance" {
            div { label for="from" { "From" } input id="from" name="from" type="date" value=(date(from)); }
            div { label for="to" { "To" } input id="to" name="to" type="date" value=(date(to - day)); }
            div { button type="submit" { "Show" } }
        }
        p.muted { "Not legal advice: what keepwarm's rules did, with their citations." }
        @if let Some(done) = q.done.as_deref() {
            p.notice role="status" { "The kill switch is " (if done == "engaged" { "engaged: automated messages are held." } else { "released: held touches are back on the queue." }) }
        }
        div.cards {
            (super::kill_switch::card(&state, &viewer, &words).await?)
            (coverage_view(&c.coverage))
        }
        (holds_view(&words, &c))
        (opt_outs_view(&words, &c))
    };
    Ok(layout::page(
        &viewer,
        &words,
        "Compliance",
        "/compliance",
        body,
    ))
}

fn verdict_view(words: &Words, v: &Verdict) -> Markup {
    html! {
        @match v {
            Verdict::Send => { strong { "It may go now." } }
            Verdict::Defer { until, rule, reason } => {
                strong { "It waits until " (words.time(*until)) } " — " (words.label(&rule_word(*rule))) ": " (reason)
            }
            Verdict::Deny { rule, reason } => {
                strong.late { "It may not go" } " — " (words.label(&rule_word(*rule))) ": " (reason)
            }
        }
    }
}

fn rule_word(rule: keepwarm_domain::compliance::Rule) -> String {
    serde_json::to_value(rule)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `GET /compliance/touches/{id}`: why one touch went, waited or was skipped (anyone who sees its
/// lead).
pub(super) async fn touch(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::NotFound(format!("touch {id}")))?;
    let touch = state
        .engine
        .store()
        .touch(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("touch {id}")))?;
    let lead = viewer.caller().lead(&state, touch.lead_id).await?;
    let t = state.engine.explain_touch(id).await?;
    let words = Words::for_dealership(
        state.engine.config(),
        state.engine.now(),
        Some(&lead.dealership),
    );
    let x = &t.explanation;
    let body = html! {
        h1 { "Why touch " (id) " went, waited or was skipped" }
        p { (lead_link(&lead)) " · " (t.channel) " · now " (words.label(&t.state)) }
        section.card aria-labelledby="verdict-h" {
            h2 id="verdict-h" { "The gate, asked at " (words.time(x.at)) }
            p { (verdict_view(&words, &x.verdict)) }
            dl.facts {
                dt { "Customer's zones" } dd { (x.zones.join(", ")) }
                dt { "Their jurisdictions" } dd {
                    @if x.recipient_jurisdictions.is_empty() { "unknown" } @else { (x.recipient_jurisdictions.join(", ")) }
                    @if x.fallback { " (unknown, so every jurisdiction's rows applied)" }
                }
                dt { "Recent automated sends" } dd { (x.recent_sends) }
            }
        }
        section aria-labelledby="rules-h" {
            h2 id="rules-h" { "Rules evaluated (" (x.rules.len()) ")" }
            div.table-wrap tabindex="0" role="region" aria-label="Rules evaluated" { table {
                thead { tr { th scope="col" { "Rule" } th scope="col" { "Limit" } th scope="col" { "Citation" } th scope="col" { "In force" } } }
                tbody {
                    @for r in &x.rules {
                        tr {
                            th scope="row" { (r.id) }
                            td { (r.limit) }
                            td { (r.citation) @if !r.verified { span.muted { " (not yet checked against its source)" } } }
                            td { @if r.in_force { "yes" } @else { "no" } }
                        }
                    }
                }
            } }
        }
        section aria-labelledby="history-h" {
            h2 id="history-h" { "What happened to it" }
            @if t.history.is_empty() { p.empty { "Nothing yet." } }
            ol.timeline {
                @for e in &t.history {
                    li {
                        (e["at"].as_str().and_then(|s| s.parse::<Timestamp>().ok()).map(|at| words.time(at)).unwrap_or_default())
                        " — " (words.label(e["kind"].as_str().unwrap_or("event")))
                        @if let Some(why) = e["data"]["reason"].as_str() { ": " (why) }
                    }
                }
            }
        }
        p.muted { "Not legal advice." }
    };
    Ok(layout::page(
        &viewer,
        &words,
        "Why a touch was held",
        "/compliance",
        body,
    ))
}
