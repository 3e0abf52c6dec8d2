//! `/settings`: the configuration in force, read-only, for managers: dealerships and their hours,
//! staff and teams, segments and the rules that choose them, cadences with their current version
//! and steps, channels, escalation clocks, the compliance rows, and what `keepwarm check` found
//! when the service started. Changing any of it is done in the configuration files, then a
//! restart; nothing on this page writes.

use axum::extract::State;
use axum::response::Response;
use jiff::civil::Weekday;
use keepwarm_domain::config::Config;
use keepwarm_domain::hours::WeeklyHours;
use maud::{html, Markup};

use super::error::PageError;
use super::format::Words;
use super::layout;
use super::session::Viewer;
use crate::AppState;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The service runs, but something will not work (a transport without its credentials).
    Error,
    /// Probably a mistake in the files.
    Warning,
    /// For information (message encodings, schedules).
    Note,
}

/// One thing `keepwarm check` says about the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// In words.
    pub text: String,
}

const WEEK: [(Weekday, &str); 7] = [
    (Weekday::Monday, "Mon"),
    (Weekday::Tuesday, "Tue"),
    (Weekday::Wednesday, "Wed"),
    (Weekday::Thursday, "Thu"),
    (Weekday::Friday, "Fri"),
    (Weekday::Saturday, "Sat"),
    (Weekday::Sunday, "Sun"),
];

/// `Mon 09:00-20:00, Tue …, Sun closed`.
fn hours(h: &WeeklyHours) -> String {
    WEEK.iter()
        .map(|(day, name)| match h.on(*day) {
            Some(d) => format!("{name} {d}"),
            None => format!("{name} closed"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn dealerships(words: &Words, config: &Config, own: Option<&str>) -> Markup {
    html! {
        section aria-labelledby="dealers-h" {
            h2 id="dealers-h" { "Dealerships" }
            @for d in config.dealerships.iter().filter(|d| own.is_none_or(|o| o == d.id)) {
                h3 { (d.name) }
                dl.facts {
                    dt { "Id" } dd { code { (d.id) } }
                    dt { "Brand" } dd { (d.brand) }
                    dt { "Time zone" } dd { (d.time_zone_name) }
                    dt { "Phone" } dd { (d.phone.as_ref().map_or("—".into(), |p| words.phone(p.as_str()))) }
                    dt { "E-mail" } dd { (d.email.as_ref().map_or("—".into(), ToString::to_string)) }
                    dt { "Language" } dd { (d.language) }
                    @for (department, h) in &d.hours {
                        dt { (words.label(department)) " hours" } dd { (hours(h)) }
                    }
                    dt { "Holidays" } dd {
                        @if d.holidays.is_empty() { "none listed" }
                        @else { (d.holidays.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
                    }
                    @if let Some(ch) = config.channels.dealerships.get(&d.id) {
                        dt { "Texts" } dd { (ch.sms.as_str()) @if let Some(from) = &ch.sms_from { " from " (words.phone(from.as_str())) } }
                        dt { "Calls" } dd { (ch.voice.as_str()) }
                        dt { "E-mail" } dd { (ch.email.as_str()) }
                    }
                }
            }
        }
    }
}

fn staff(words: &Words, config: &Config, own: Option<&str>) -> Markup {
    html! {
        section aria-labelledby="staff-h" {
            h2 id="staff-h" { "Staff" }
            div.table-wrap tabindex="0" role="region" aria-label="Staff" { table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Id" } th scope="col" { "Role" } th scope="col" { "Team" } th scope="col" { "Phone" } } }
                tbody {
                    @for s in config.staff.iter().filter(|s| own.is_none_or(|o| s.dealership.as_deref().is_none_or(|d| d == o))) {
                        tr {
                            th scope="row" { (s.name) }
                            td { code { (s.id) } }
                            td { (words.label(s.role.as_str())) }
                            td { (words.label(&s.team)) }
                            td { (s.phone.as_ref().map_or("—".into(), |p| words.phone(p.as_str()))) }
                        }
                    }
                }
            } }
        }
    }
}

fn segments(words: &Words, config: &Config) -> Markup {
    html! {
        section aria-labelledby="segments-h" {
            h2 id="segments-h" { "Segments and their cadences" }
            div.table-wrap tabindex="0" role="region" aria-label="Segments" { table {
                thead { tr { th scope="col" { "Segment" } th scope="col" { "Cadence" } th scope="col" { "Team" } th scope="col" { "Rules that choose it" } } }
                tbody {
                    @for s in &config.segments {
                        tr {
                            th scope="row" { (words.label(&s.name)) br; span.muted { (s.description) } }
                            td { (words.cadence(&s.cadence)) }
                            td { (config.routes.get(&s.name).map_or("—".into(), |t| words.label(t))) }
                            td {
                                @let rules: Vec<&str> = config.rules.iter().filter(|r| r.segment == s.name).map(|r| r.name.as_str()).collect();
                                @if rules.is_empty() && config.fallback_segment == s.name { "every lead no rule matches" }
                                @else { (rules.join(", ")) @if config.fallback_segment == s.name { " (and the fallback)" } }
                            }
                        }
                    }
                }
            } }
        }
    }
}

fn cadences(state: &AppState, words: &Words, config: &Config) -> Markup {
    html! {
        section aria-labelledby="cadences-h" {
            h2 id="cadences-h" { "Cadences" }
            @for (name, c) in &config.cadences {
                details {
                    summary {
                        (words.cadence(name)) " — " (c.steps.len()) " steps"
                        @if let Some(v) = state.engine.current_version(name) { span.muted { " · version " (v.get(..7).unwrap_or(v)) } }
                    }
                    ol {
                        @for step in &c.steps {
                            li { "Day " (step.day) ": " (step.channel) " — " (words.label(&step.block)) }
                        }
                    }
                }
            }
        }
    }
}

fn rules(words: &Words, config: &Config) -> Markup {
    let e = &config.escalation;
    html! {
        section aria-labelledby="rules-h" {
            h2 id="rules-h" { "Clocks and contact rules" }
            dl.facts {
                dt { "Answer a hot reply within" } dd { (e.ack_minutes) " min, then the next person after " (e.second_deadline_minutes) " min" }
                @for (label, minutes) in &e.ack_minutes_by_label { dt { (words.label(label)) } dd { (minutes) " min" } }
                dt { "Legal hours (customer's zone)" } dd { (hours(&config.legal_hours)) }
                dt { "E-mail hours" } dd { (hours(&config.email_hours)) }
                dt { "Same person again within" } dd { (config.duplicate_window_days) " days merges into their lead" }
            }
            details {
                summary { "Compliance rows in force (" (config.compliance.rules.len()) ")" }
                div.table-wrap tabindex="0" role="region" aria-label="Compliance rows" { table {
                    thead { tr { th scope="col" { "Rule" } th scope="col" { "Jurisdiction" } th scope="col" { "Limit" } th scope="col" { "Citation" } } }
                    tbody {
                        @for r in &config.compliance.rules {
                            tr {
                                th scope="row" { (r.id) }
                                td { (r.jurisdiction) }
                                td { (keepwarm_domain::compliance::explain::limit_text(r)) }
                                td { (r.citation) }
                            }
                        }
                    }
                } }
            }
        }
    }
}

fn findings(found: &[Finding], sandbox_only: bool) -> Markup {
    let (notes, problems): (Vec<&Finding>, Vec<&Finding>) =
        found.iter().partition(|f| f.severity == Severity::Note);
    html! {
        section aria-labelledby="check-h" {
            h2 id="check-h" { "What keepwarm check found at start" }
            @if sandbox_only { p.notice { "Sandbox only: no message reaches a customer, whatever channels.toml says." } }
            @if problems.is_empty() { p.empty { "No error or warning." } }
            ul.items {
                @for f in &problems {
                    li {
                        @if f.severity == Severity::Error { strong.late { "Error: " } } @else { strong { "Warning: " } }
                        (f.text)
                    }
                }
            }
            @if !notes.is_empty() {
                details {
                    summary { "Notes (" (notes.len()) "): message variants, encodings, schedules" }
                    ul.items { @for f in &notes { li { (f.text) } } }
                }
            }
        }
    }
}

/// `GET /settings` (managers).
pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    viewer.caller().require_everything()?;
    let config = state.engine.config();
    let words = Words::new(config, state.engine.now());
    let own = viewer.staff.dealership.as_deref();
    let body = html! {
        h1 { "Settings" }
        p.muted { "The configuration in force, read-only: change the files and restart to change it." }
        (findings(&state.settings.workspace.findings, state.settings.sandbox_only))
        (dealerships(&words, config, own))
        (staff(&words, config, own))
        (segments(&words, config))
        (cadences(&state, &words, config))
        (rules(&words, config))
    };
    Ok(layout::page(&viewer, &words, "Settings", "/settings", body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepwarm_domain::hours::DayHours;

    #[test]
    fn weekly_hours_read_day_by_day() {
        let h = WeeklyHours::every_day(DayHours::parse("09:00-20:00").expect("hours"));
        let text = hours(&h);
        assert!(text.starts_with("Mon 09:00-20:00, Tue"), "{text}");
        assert!(text.ends_with("Sun 09:00-20:00"), "{text}");
    }
}
