//! `/reports`: the morning meeting's numbers, for managers. The funnel by segment, cadence
//! version, source or owner as charts with their 95% Wilson intervals; speed to lead; escalation
//! SLA by owner; cadence versions side by side with what changed between them; a link to the
//! weekly audit rendered in-app ([`super::audit`]).
//!
//! Every figure has one definition, written on the page beside it ([`DEFINITIONS`]), and the
//! page says where it and the audit differ, so the two never disagree without a word. The facts
//! come from the store's [`report_tallies`](keepwarm_store::ReadModel::report_tallies), counted
//! in the database (the page never reads every lead of the period): a lead counts
//! in the segment and cadence version it was enrolled in, and its speed runs from the moment
//! keepwarm received it.

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use jiff::{SignedDuration, Timestamp};
use keepwarm_domain::cadence::{diff, CadenceSnapshot};
use keepwarm_domain::report::{FunnelRow, GroupBy, Speed};
use maud::{html, Markup};
use serde::Deserialize;

use super::chart::{rate_chart, rate_words};
use super::error::PageError;
use super::format::Words;
use super::leads::local_date;
use super::session::Viewer;
use super::{encode, layout, start_of_day};
use crate::error::ApiError;
use crate::AppState;

/// Days the page covers when no period is asked for.
const DEFAULT_DAYS: i64 = 28;

/// What each figure means: `(figure, definition)`.
pub const DEFINITIONS: &[(&str, &str)] = &[
    ("Leads", "leads keepwarm received in the period (by the inquiry's date), each counted once, in the segment and cadence version it was first enrolled in — a lead reopened later stays in its first segment"),
    ("Contact rate", "leads that reached contacted or any later stage, over leads"),
    ("Appointment rate", "leads that reached appointment set or later, over leads contacted (the weekly audit divides by every lead active in its week instead, so its rate is lower)"),
    ("Show rate", "leads that showed or bought, over leads with an appointment set"),
    ("Close rate", "leads sold, over leads that showed"),
    ("Speed to first touch", "from the moment keepwarm stored the lead (not the provider's or a CSV's inquiry date) to the first automated text, e-mail or call"),
    ("Speed to a person", "from the same moment to the first acknowledged escalation or stage a person recorded"),
    ("Within SLA", "hot replies whose escalation was acknowledged by its deadline, over hot replies escalated, by the lead's owner"),
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReportsQuery {
    #[serde(default)]
    by: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The period and grouping asked for, checked.
struct Asked {
    by: GroupBy,
    by_name: &'static str,
    from: Timestamp,
    to: Timestamp,
    from_text: String,
    to_text: String,
}

const GROUPINGS: &[(&str, &str, GroupBy)] = &[
    ("segment", "Segment", GroupBy::Segment),
    ("cadence", "Cadence version", GroupBy::Cadence),
    ("source", "Source", GroupBy::Source),
    ("owner", "Owner", GroupBy::Owner),
];

fn asked(q: &ReportsQuery, words: &Words) -> Result<Asked, PageError> {
    let (by_name, by) = match GROUPINGS
        .iter()
        .find(|(name, _, _)| *name == if q.by.is_empty() { "segment" } else { &q.by })
    {
        Some((name, _, by)) => (*name, *by),
        None => {
            return Err(ApiError::field(
                "by",
                format!(
                    "unknown grouping `{}` (expected segment, cadence, source or owner)",
                    q.by
                ),
            )
            .into())
        }
    };
    let today = start_of_day(words.now(), words.zone());
    let day = |t: Timestamp| t.to_zoned_datetime(words.zone().clone()).date().to_string();
    let from = local_date("from", &q.from, words)?
        .unwrap_or(today - SignedDuration::from_hours(24 * (DEFAULT_DAYS - 1)));
    // `to` is a whole day: up to the end of it.
    let to = local_date("to", &q.to, words)?.map_or(today, |t| t) + SignedDuration::from_hours(24);
    if to <= from {
        return Err(ApiError::field("to", "must not be before `from`").into());
    }
    Ok(Asked {
        by,
        by_name,
        from,
        to,
        from_text: day(from),
        to_text: day(to - SignedDuration::from_hours(24)),
    })
}

/// The funnel of the period's leads the viewer may count (a manager of one dealership, its own),
/// once per grouping in `by`, counted by the store in one query.
async fn funnels_for(
    state: &AppState,
    viewer: &Viewer,
    a: &Asked,
    by: &[GroupBy],
) -> Result<Vec<Vec<FunnelRow>>, PageError> {
    let tallies = state
        .engine
        .store()
        .report_tallies(a.from, a.to, viewer.staff.dealership.as_deref(), by)
        .await?;
    Ok(tallies
        .into_iter()
        .map(|t| t.into_iter().map(FunnelRow::from).collect())
        .collect())
}

/// A group's name for people: staff names, segment labels, cadence labels with their version.
fn group_label(words: &Words, by: GroupBy, group: &str) -> String {
    if group == "all" {
        return "All leads".into();
    }
    match by {
        GroupBy::Owner => words.staff(group),
        GroupBy::Segment => words.label(group),
        GroupBy::Cadence => match group.split_once('@') {
            Some((name, version)) => format!("{} v{}", words.label(name), short_version(version)),
            None => words.label(group),
        },
        GroupBy::Source => group.to_owned(),
    }
}

fn short_version(version: &str) -> &str {
    version.get(..7).unwrap_or(version)
}

fn minutes(m: Option<f64>) -> String {
    match m {
        None => "—".into(),
        Some(m) if m < 1.0 => format!("{} s", (m * 60.0).round()),
        Some(m) if m < 120.0 => format!("{} min", (m * 10.0).round() / 10.0),
        Some(m) => format!("{} h", (m / 6.0).round() / 10.0),
    }
}

fn speed(s: &Speed) -> Markup {
    html! { (minutes(s.median_minutes)) " / " (minutes(s.p90_minutes)) " (" (s.leads) ")" }
}

fn period_form(a: &Asked) -> Markup {
    html! {
        form.filters method="get" action="/reports" {
            div {
                label for="from" { "From" }
                input id="from" name="from" type="date" value=(a.from_text);
            }
            div {
                label for="to" { "To" }
                input id="to" name="to" type="date" value=(a.to_text);
            }
            div {
                label for="by" { "Group by" }
                select id="by" name="by" {
                    @for (name, words, _) in GROUPINGS {
                        option value=(name) selected[*name == a.by_name] { (words) }
                    }
                }
            }
            div { button type="submit" { "Show" } }
        }
    }
}

fn funnel_view(words: &Words, a: &Asked, rows: &[FunnelRow]) -> Markup {
    let by_words = GROUPINGS
        .iter()
        .find(|(n, _, _)| *n == a.by_name)
        .map_or("Group", |g| g.1);
    let labelled = |pick: fn(&FunnelRow) -> keepwarm_domain::report::Rate| {
        rows.iter()
            .map(|r| (group_label(words, a.by, &r.group), pick(r)))
            .collect::<Vec<_>>()
    };
    html! {
        section aria-labelledby="funnel-h" {
            h2 id="funnel-h" { "Funnel by " (by_words.to_lowercase()) }
            div.table-wrap.wide tabindex="0" role="region" aria-label="Funnel" { table {
                thead { tr {
                    th scope="col" { (by_words) } th scope="col" { "Leads" } th scope="col" { "Contacted" }
                    th scope="col" { "Appointment set" } th scope="col" { "Showed" } th scope="col" { "Sold" }
                    th scope="col" { "Lost" } th.long scope="col" { "Appointment rate (95% interval)" }
                } }
                tbody {
                    @for r in rows {
                        tr {
                            th scope="row" { (group_label(words, a.by, &r.group)) }
                            td { (r.leads) } td { (r.contacted) } td { (r.appointment_set) }
                            td { (r.showed) } td { (r.sold) } td { (r.lost) }
                            td { (rate_words(&r.appointment_rate)) }
                        }
                    }
                }
            } }
            div.charts {
                figure {
                    figcaption { "Contact rate" }
                    (rate_chart(&format!("Contact rate by {}", by_words.to_lowercase()), &labelled(|r| r.contact_rate)))
                }
                figure {
                    figcaption { "Appointment rate" }
                    (rate_chart(&format!("Appointment rate by {}", by_words.to_lowercase()), &labelled(|r| r.appointment_rate)))
                }
                figure {
                    figcaption { "Show rate" }
                    (rate_chart(&format!("Show rate by {}", by_words.to_lowercase()), &labelled(|r| r.show_rate)))
                }
                figure {
                    figcaption { "Close rate" }
                    (rate_chart(&format!("Close rate by {}", by_words.to_lowercase()), &labelled(|r| r.close_rate)))
                }
            }
            p.muted { "Bars are the rate; the whisker is its 95% Wilson interval (wide when few leads stand behind it)." }
        }
        section aria-labelledby="speed-h" {
            h2 id="speed-h" { "Speed to lead" }
            p.muted { "Median / 90th percentile (leads measured)." }
            div.table-wrap.wide tabindex="0" role="region" aria-label="Speed to lead" { table {
                thead { tr { th scope="col" { (by_words) } th scope="col" { "To first touch" } th scope="col" { "To a person" } } }
                tbody {
                    @for r in rows {
                        tr {
                            th scope="row" { (group_label(words, a.by, &r.group)) }
                            td { (speed(&r.speed_to_first_touch)) }
                            td { (speed(&r.speed_to_human)) }
                        }
                    }
                }
            } }
        }
    }
}

fn sla_view(words: &Words, rows: &[FunnelRow]) -> Markup {
    let escalated: Vec<&FunnelRow> = rows.iter().filter(|r| r.escalations > 0).collect();
    html! {
        section aria-labelledby="sla-h" {
            h2 id="sla-h" { "Escalation SLA by owner" }
            @if escalated.is_empty() { p.empty { "No hot reply was escalated in the period." } }
            @else {
                div.table-wrap.wide tabindex="0" role="region" aria-label="Escalation SLA by owner" { table {
                    thead { tr {
                        th scope="col" { "Owner" } th scope="col" { "Escalated" } th scope="col" { "Within SLA" }
                        th scope="col" { "Share (95% interval)" } th scope="col" { "Median to acknowledge" }
                    } }
                    tbody {
                        @for r in &escalated {
                            tr {
                                th scope="row" { (group_label(words, GroupBy::Owner, &r.group)) }
                                td { (r.escalations) } td { (r.acknowledged_within_sla) }
                                td { (rate_words(&r.sla_share)) }
                                td { (minutes(r.median_minutes_to_acknowledge)) }
                            }
                        }
                    }
                } }
            }
        }
    }
}

/// One cadence's versions that had leads in the period, oldest first, with what changed.
struct CadenceHistory {
    name: String,
    versions: Vec<(String, Option<FunnelRow>, Vec<String>)>,
}

async fn cadence_histories(
    state: &AppState,
    rows: &[FunnelRow],
) -> Result<Vec<CadenceHistory>, PageError> {
    let mut by_name: BTreeMap<&str, Vec<&FunnelRow>> = BTreeMap::new();
    for r in rows {
        if let Some((name, _)) = r.group.split_once('@') {
            by_name.entry(name).or_default().push(r);
        }
    }
    let mut out = Vec::new();
    for (name, measured) in by_name {
        let kept = state.engine.store().cadence_versions(name).await?;
        let mut previous: Option<CadenceSnapshot> = None;
        let mut versions = Vec::new();
        for v in kept {
            let snapshot: Option<CadenceSnapshot> = serde_json::from_value(v.snapshot).ok();
            let changes = match (&previous, &snapshot) {
                (Some(old), Some(new)) => diff(old, new),
                _ => Vec::new(),
            };
            let row = measured
                .iter()
                .find(|r| r.group == format!("{name}@{}", v.version))
                .map(|r| (*r).clone());
            if row.is_some() || !versions.is_empty() {
                versions.push((v.version, row, changes));
            }
            if snapshot.is_some() {
                previous = snapshot;
            }
        }
        if versions.len() > 1 || versions.iter().any(|(_, r, _)| r.is_some()) {
            out.push(CadenceHistory {
                name: name.to_owned(),
                versions,
            });
        }
    }
    Ok(out)
}

fn cadences_view(words: &Words, histories: &[CadenceHistory]) -> Markup {
    html! {
        section aria-labelledby="versions-h" {
            h2 id="versions-h" { "Cadence versions side by side" }
            @if histories.is_empty() { p.empty { "No lead was enrolled in the period." } }
            @for h in histories {
                h3 { (words.cadence(&h.name)) }
                div.table-wrap.wide tabindex="0" role="region" aria-label=(words.cadence(&h.name)) { table {
                    thead { tr {
                        th scope="col" { "Version" } th scope="col" { "Leads" } th scope="col" { "Contact rate" }
                        th scope="col" { "Appointment rate" } th scope="col" { "Show rate" } th scope="col" { "Sold" }
                        th.long scope="col" { "What changed from the version before" }
                    } }
                    tbody {
                        @for (version, row, changes) in &h.versions {
                            tr {
                                th scope="row" { "v" (short_version(version)) }
                                @match row {
                                    Some(r) => {
                                        td { (r.leads) } td { (rate_words(&r.contact_rate)) }
                                        td { (rate_words(&r.appointment_rate)) } td { (rate_words(&r.show_rate)) }
                                        td { (r.sold) }
                                    }
                                    None => { td colspan="5" { span.muted { "no leads in the period" } } }
                                }
                                td {
                                    @if changes.is_empty() { span.muted { "—" } }
                                    @else { ul { @for c in changes { li { (c) } } } }
                                }
                            }
                        }
                    }
                } }
            }
        }
    }
}

fn definitions() -> Markup {
    html! {
        section aria-labelledby="defs-h" {
            h2 id="defs-h" { "How each figure is counted" }
            dl.facts.defs {
                @for (figure, meaning) in DEFINITIONS { dt { (figure) } dd { (meaning) } }
            }
        }
    }
}

/// `GET /reports` (managers).
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<ReportsQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    viewer.caller().require_everything()?;
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let words = Words::new(state.engine.config(), state.engine.now());
    let a = asked(&q, &words)?;
    let mut funnels = funnels_for(
        &state,
        &viewer,
        &a,
        &[a.by, GroupBy::Owner, GroupBy::Cadence],
    )
    .await?
    .into_iter();
    let (rows, owners, cadences) = (
        funnels.next().unwrap_or_default(),
        funnels.next().unwrap_or_default(),
        funnels.next().unwrap_or_default(),
    );
    // The `all` row, last, counts every lead of the period.
    let leads = rows.last().map_or(0, |all| all.leads);
    let histories = cadence_histories(&state, &cadences).await?;
    let audit_link = format!(
        "/reports/audit?week={}",
        encode(&last_week(&state, &viewer))
    );
    let body = html! {
        h1 { "Reports" }
        (period_form(&a))
        p.muted {
            (leads) " leads received " (a.from_text) " to " (a.to_text) " (" (words.zone().iana_name().unwrap_or("UTC")) "). "
            a href=(audit_link) { "Last week's follow-up audit" }
        }
        @if leads == 0 { p.empty { "No lead was received in this period." } }
        (funnel_view(&words, &a, &rows))
        (sla_view(&words, &owners))
        (cadences_view(&words, &histories))
        (definitions())
    };
    Ok(layout::page(&viewer, &words, "Reports", "/reports", body))
}

/// The last complete ISO week in the viewer's dealership's zone (`2026-W48`).
fn last_week(state: &AppState, viewer: &Viewer) -> String {
    let zone = state
        .engine
        .config()
        .dealership(viewer.staff.dealership.as_deref())
        .map_or(jiff::tz::TimeZone::UTC, |d| d.time_zone.clone());
    keepwarm_domain::audit::IsoWeek::containing(state.engine.now(), &zone)
        .minus(1)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_read_in_the_unit_that_fits() {
        assert_eq!(minutes(None), "—");
        assert_eq!(minutes(Some(0.5)), "30 s");
        assert_eq!(minutes(Some(12.25)), "12.3 min");
        assert_eq!(minutes(Some(600.0)), "10 h");
    }
}
