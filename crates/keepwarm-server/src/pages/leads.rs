//! `/leads`: find a lead by name, phone number in any format, or e-mail; filter by segment, owner,
//! stage, status, source and received date; page through; export the current view as CSV
//! (`/leads.csv` with the same query).
//!
//! A salesperson's search only ever reaches the leads they may see: the visibility rules of
//! [`keepwarm_domain::access`] become part of the query, so paging stays exact.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use keepwarm_domain::access::sees_everything;
use keepwarm_domain::config::Config;
use keepwarm_domain::routing::{Role, Staff};
use keepwarm_domain::{LeadStatus, SourceKind, Stage};
use keepwarm_store::{LeadRow, LeadSearch, VisibleLeads};
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::format::Words;
use super::session::Viewer;
use super::{encode, layout, lead_link, lead_title};
use crate::error::ApiError;
use crate::AppState;

/// Leads per page.
const PAGE: u32 = 50;
/// Most leads in one CSV export.
const CSV_MAX: u32 = 1000;
/// Longest search text read.
const MAX_Q: usize = 200;

/// The list's query: the search box, the filters and the page.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LeadsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    segment: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    source: String,
    /// Received on or after this local date.
    #[serde(default)]
    from: String,
    /// Received on or before this local date.
    #[serde(default)]
    to: String,
    /// The last lead id of the previous page.
    #[serde(default)]
    after: Option<i64>,
}

/// The leads a person who does not see everything may see, as the search query needs it.
pub fn visible_to(config: &Config, staff: &Staff) -> Option<VisibleLeads> {
    if sees_everything(staff) {
        return None;
    }
    let mut v = VisibleLeads {
        owner: staff.id.clone(),
        staff: config.staff.iter().map(|s| s.id.clone()).collect(),
        ..Default::default()
    };
    match staff.role {
        Role::Sales | Role::Bdc => {
            v.unowned_of_segments = config
                .routes
                .iter()
                .filter(|(_, team)| **team == staff.team)
                .map(|(segment, _)| segment.clone())
                .collect();
        }
        Role::Service => {
            v.all_of_segments = config
                .segments
                .iter()
                .filter(|s| s.hours == "service")
                .map(|s| s.name.clone())
                .collect();
        }
        Role::Manager => {}
    }
    Some(v)
}

fn opt(text: &str) -> Option<String> {
    Some(text.trim())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// What the search box means: an e-mail (has `@`), a phone number (digits and punctuation only,
/// at least 4 digits; its last 10 digits are matched, so `(312) 555-0123` finds `+13125550123`),
/// or part of a name.
fn read_q(q: &str, search: &mut LeadSearch) {
    let q = q.trim();
    if q.is_empty() {
        return;
    }
    if q.contains('@') {
        search.email = Some(q.to_owned());
        return;
    }
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let phone_like = q
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if phone_like && digits.len() >= 4 {
        let keep = digits.len().min(10);
        search.phone_digits = Some(digits[digits.len() - keep..].to_owned());
    } else {
        search.name = Some(q.to_owned());
    }
}

pub(super) fn local_date(
    field: &str,
    raw: &str,
    words: &Words,
) -> Result<Option<jiff::Timestamp>, PageError> {
    let Some(raw) = opt(raw) else { return Ok(None) };
    let date: Date = raw
        .parse()
        .map_err(|_| ApiError::field(field, format!("`{raw}` is not a date (YYYY-MM-DD)")))?;
    let at = date
        .to_zoned_datetime(words.zone().clone())
        .map_err(|e| ApiError::field(field, e.to_string()))?
        .timestamp();
    Ok(Some(at))
}

fn search_of(
    q: &LeadsQuery,
    config: &Config,
    viewer: &Viewer,
    words: &Words,
    limit: u32,
) -> Result<LeadSearch, PageError> {
    if q.q.len() > MAX_Q {
        return Err(ApiError::field("q", format!("longer than {MAX_Q} bytes")).into());
    }
    let mut s = LeadSearch {
        owner: opt(&q.owner),
        segment: opt(&q.segment),
        source: opt(&q.source),
        visible: visible_to(config, &viewer.staff),
        after: q.after,
        limit,
        ..Default::default()
    };
    read_q(&q.q, &mut s);
    if let Some(stage) = opt(&q.stage) {
        let stage: Stage = stage
            .parse()
            .map_err(|e: String| ApiError::field("stage", e))?;
        s.stage = Some(stage.as_str().to_owned());
    }
    if let Some(source) = &s.source {
        source
            .parse::<SourceKind>()
            .map_err(|e| ApiError::field("source", e))?;
    }
    s.status = opt(&q.status)
        .map(|t| t.parse::<LeadStatus>())
        .transpose()
        .map_err(|e| ApiError::field("status", e))?;
    s.received_from = local_date("from", &q.from, words)?;
    s.received_to =
        local_date("to", &q.to, words)?.map(|t| t + jiff::SignedDuration::from_hours(24));
    Ok(s)
}

fn parse(query: Result<Query<LeadsQuery>, QueryRejection>) -> Result<LeadsQuery, PageError> {
    query
        .map(|Query(q)| q)
        .map_err(|e| ApiError::BadRequest(e.body_text()).into())
}

fn select(name: &str, label: &str, current: &str, options: &[(String, String)]) -> Markup {
    html! {
        div {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                option value="" { "Any" }
                @for (value, text) in options {
                    option value=(value) selected[value == current] { (text) }
                }
            }
        }
    }
}

fn filters(config: &Config, words: &Words, q: &LeadsQuery) -> Markup {
    let owners: Vec<(String, String)> = config
        .staff
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    let segments: Vec<(String, String)> = config
        .segments
        .iter()
        .map(|s| (s.name.clone(), words.label(&s.name)))
        .collect();
    let stages: Vec<(String, String)> = Stage::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), words.label(s.as_str())))
        .collect();
    let statuses: Vec<(String, String)> = LeadStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), words.label(s.as_str())))
        .collect();
    let sources: Vec<(String, String)> = SourceKind::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), words.label(s.as_str())))
        .collect();
    html! {
        form.filters method="get" action="/leads" role="search" {
            div {
                label for="q" { "Name, phone or e-mail" }
                input id="q" name="q" type="search" value=(q.q) maxlength="200";
            }
            (select("owner", "Owner", &q.owner, &owners))
            (select("segment", "Segment", &q.segment, &segments))
            (select("stage", "Stage", &q.stage, &stages))
            (select("status", "Status", &q.status, &statuses))
            (select("source", "Source", &q.source, &sources))
            div { label for="from" { "Received from" } input id="from" name="from" type="date" value=(q.from); }
            div { label for="to" { "to" } input id="to" name="to" type="date" value=(q.to); }
            div { button type="submit" { "Search" } }
        }
    }
}

/// The query string of the current view without its page.
fn view_query(q: &LeadsQuery) -> String {
    [
        ("q", &q.q),
        ("owner", &q.owner),
        ("segment", &q.segment),
        ("stage", &q.stage),
        ("status", &q.status),
        ("source", &q.source),
        ("from", &q.from),
        ("to", &q.to),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", encode(v)))
    .collect::<Vec<_>>()
    .join("&")
}

fn table(words: &Words, leads: &[LeadRow]) -> Markup {
    html! {
        div.table-wrap tabindex="0" role="region" aria-label="Leads" {
            table {
                caption.visually-hidden { "Leads, newest first" }
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Received" } th scope="col" { "Segment" }
                    th scope="col" { "Owner" } th scope="col" { "Stage" } th scope="col" { "Status" }
                } }
                tbody {
                    @for l in leads {
                        tr {
                            td { (lead_link(l)) }
                            td { (words.time(l.received_at)) }
                            td { (words.label(&l.segment)) }
                            td { (words.staff(&l.owner_id)) }
                            td { (words.label(l.stage.as_str())) }
                            td { (words.label(l.status.as_str())) }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /leads`.
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<LeadsQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = parse(query)?;
    let config = state.engine.config();
    let words = Words::new(config, state.engine.now());
    let search = search_of(&q, config, &viewer, &words, PAGE + 1)?;
    let mut leads = state.engine.store().search_leads(&search).await?;
    let more = leads.len() > PAGE as usize;
    leads.truncate(PAGE as usize);
    let view = view_query(&q);
    let joiner = if view.is_empty() { "" } else { "&" };
    let body = html! {
        h1 { "Leads" }
        (filters(config, &words, &q))
        p {
            (leads.len()) @if more { "+" } @if leads.len() == 1 && !more { " lead" } @else { " leads" }
            " · " a href={ "/leads.csv?" (view) } { "Export this view as CSV" }
        }
        @if leads.is_empty() { p.empty { "No lead matches." } } @else { (table(&words, &leads)) }
        nav.pager aria-label="Pages" {
            @if q.after.is_some() { a href={ "/leads?" (view) } { "First page" } }
            @if let (true, Some(last)) = (more, leads.last()) {
                a href={ "/leads?" (view) (joiner) "after=" (last.id) } { "Next page" }
            }
        }
    };
    Ok(layout::page(&viewer, &words, "Leads", "/leads", body))
}

/// One CSV field, quoted when it must be, and defused when a spreadsheet would run it as a
/// formula (a leading `=`, `+`, `-`, `@`).
fn csv_field(text: &str) -> String {
    // A phone number (`+13125550123`) is a number to a spreadsheet, never a formula.
    let number = text
        .chars()
        .all(|c| c.is_ascii_digit() || c == '+' || c == ' ');
    let text = if !number && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// `GET /leads.csv`: the current view (up to 1,000 leads), times in the dealership's zone.
pub(super) async fn csv(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<LeadsQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = parse(query)?;
    let config = state.engine.config();
    let words = Words::new(config, state.engine.now());
    let search = search_of(&q, config, &viewer, &words, CSV_MAX)?;
    let leads = state.engine.store().search_leads(&search).await?;
    let mut out =
        String::from("id,name,phones,emails,received,segment,owner,stage,status,source\r\n");
    for l in &leads {
        let contacts = |kind: &str| {
            l.contacts
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| c.value.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let row = [
            l.id.to_string(),
            lead_title(l),
            contacts("phone"),
            contacts("email"),
            l.received_at
                .to_zoned_datetime(words.zone().clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string(),
            l.segment.clone(),
            words.staff(&l.owner_id),
            l.stage.as_str().to_owned(),
            l.status.as_str().to_owned(),
            l.source_kind.as_str().to_owned(),
        ];
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"leads.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_box_reads_emails_phones_in_any_format_and_names() {
        // (typed, name, phone digits, email)
        let cases = [
            ("Dana Whitfield", Some("Dana Whitfield"), None, None),
            ("(312) 555-0123", None, Some("3125550123"), None),
            ("+1 312 555 0123", None, Some("3125550123"), None),
            ("555.0123", None, Some("5550123"), None),
            ("dana@example.com", None, None, Some("dana@example.com")),
            ("R2-D2", Some("R2-D2"), None, None),
            ("123", Some("123"), None, None),
        ];
        for (typed, name, phone, email) in cases {
            let mut s = LeadSearch::default();
            read_q(typed, &mut s);
            assert_eq!(s.name.as_deref(), name, "{typed}");
            assert_eq!(s.phone_digits.as_deref(), phone, "{typed}");
            assert_eq!(s.email.as_deref(), email, "{typed}");
        }
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(
            csv_field("+13125550123 +13125550124"),
            "+13125550123 +13125550124"
        );
        assert_eq!(csv_field("+SUM(A1)"), "'+SUM(A1)");
        assert_eq!(csv_field("-2+3"), "'-2+3");
    }
}
