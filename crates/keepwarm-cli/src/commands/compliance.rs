//! `keepwarm compliance rules [--json]`: the contact rules in force, as the gate reads them;
//! `keepwarm compliance explain --touch ID [--json]`: why one touch went, waited or was skipped;
//! `keepwarm compliance report [--week W] [--format md|json]`: a week's deferrals, holds, opt-outs.

use std::process::ExitCode;
use std::sync::Arc;

use keepwarm_domain::audit::IsoWeek;
use keepwarm_domain::compliance::explain::limit_text;
use keepwarm_domain::compliance::report::render_markdown;
use keepwarm_domain::compliance::rules::RuleTable;
use keepwarm_domain::compliance::Verdict;
use keepwarm_engine::compliance_explain::TouchCompliance;
use keepwarm_engine::{EngineError, SystemClock};

use super::{load, open_engine, BAD_INPUT};
use crate::app::{Common, ComplianceCommand};

/// Runs the command. Exit codes: 0 when printed; 2 when the configuration (or its
/// `compliance.toml`) is refused or the touch does not exist.
pub async fn run(common: &Common, command: ComplianceCommand) -> anyhow::Result<ExitCode> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    match command {
        ComplianceCommand::Rules { json } => {
            let table = &checked.config.compliance;
            if json {
                crate::outln!("{}", serde_json::to_string_pretty(table)?);
            } else {
                crate::out!("{}", rules_text(table));
            }
        }
        ComplianceCommand::Explain { touch, json } => {
            let engine = open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
            let explained = match engine.explain_touch(touch).await {
                Ok(e) => e,
                Err(EngineError::NotFound(what)) => {
                    eprintln!("error: --touch: {what} not found");
                    return Ok(ExitCode::from(BAD_INPUT));
                }
                Err(e) => return Err(e.into()),
            };
            if json {
                crate::outln!("{}", serde_json::to_string_pretty(&explained)?);
            } else {
                crate::out!("{}", explain_text(&explained));
            }
        }
        ComplianceCommand::Report {
            week,
            dealership,
            format,
        } => {
            let engine = open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
            let zone = engine
                .config()
                .dealership(dealership.as_deref())
                .map_or(jiff::tz::TimeZone::UTC, |d| d.time_zone.clone());
            let week = match week.as_deref().map(str::parse::<IsoWeek>) {
                Some(Ok(w)) => w,
                Some(Err(e)) => {
                    eprintln!("error: --week: {e}");
                    return Ok(ExitCode::from(BAD_INPUT));
                }
                None => IsoWeek::containing(engine.now(), &zone).minus(1),
            };
            let report = match engine.compliance_report(week, dealership.as_deref()).await {
                Ok(r) => r,
                Err(EngineError::Validation(fields)) => {
                    for f in fields {
                        eprintln!("error: --{}: {}", f.field, f.message);
                    }
                    return Ok(ExitCode::from(BAD_INPUT));
                }
                Err(e) => return Err(e.into()),
            };
            if format == "json" {
                crate::outln!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                crate::out!("{}", render_markdown(&report));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The table as text: one line per row, grouped by jurisdiction in table order.
fn rules_text(table: &RuleTable) -> String {
    let mut out = String::from(
        "Contact rules keepwarm enforces on automated calls and texts. NOT LEGAL ADVICE: have counsel \
         review them.\nA recipient is under every row of the jurisdictions of their area code and \
         their address (the strictest wins);\nwith neither known, under every row of this table at \
         once. `?` marks a figure whose citation is not yet checked\nagainst the source; `*` a row \
         from the configuration's compliance.toml.\n\n",
    );
    let mut seen: Vec<&str> = Vec::new();
    for rule in &table.rules {
        if !seen.contains(&rule.jurisdiction.as_str()) {
            seen.push(&rule.jurisdiction);
            let name = table
                .jurisdictions
                .get(&rule.jurisdiction)
                .map_or("", String::as_str);
            out.push_str(&format!("{} {name}\n", rule.jurisdiction));
        }
        out.push_str(&format!(
            "  {}{} {:<16} {:<34} from {}{}  {}\n",
            if rule.verified { ' ' } else { '?' },
            if rule.origin == "built-in" { ' ' } else { '*' },
            rule.id,
            limit_text(rule),
            rule.effective,
            rule.until
                .map(|u| format!(" until {u}"))
                .unwrap_or_default(),
            rule.citation
        ));
    }
    out
}

/// An explanation as text.
fn explain_text(t: &TouchCompliance) -> String {
    let e = &t.explanation;
    let mut out = format!(
        "touch {} (lead {}, {}, {}) at {}\nzones: {}\njurisdictions: {}{}\nrecent automated sends counted: {}\n",
        t.touch_id,
        t.lead_id,
        t.channel.as_str(),
        t.state,
        e.at,
        e.zones.join(", "),
        if e.fallback {
            "unknown, so every row applies".to_owned()
        } else {
            e.recipient_jurisdictions.join(", ")
        },
        if e.fallback {
            String::new()
        } else {
            format!(" (rows of {})", e.evaluated_jurisdictions.join(", "))
        },
        e.recent_sends
    );
    out.push_str(&match &e.verdict {
        Verdict::Send => "verdict: send\n".to_owned(),
        Verdict::Defer {
            until,
            rule,
            reason,
        } => format!("verdict: defer until {until} ({rule:?}): {reason}\n"),
        Verdict::Deny { rule, reason } => format!("verdict: deny ({rule:?}): {reason}\n"),
    });
    if let Some(standing) = &t.do_not_call {
        out.push_str(&format!("do not call: {}\n", standing.describe()));
    }
    out.push_str("rules evaluated:\n");
    for r in &e.rules {
        out.push_str(&format!(
            "  {:<16} {:<34} {}{}\n",
            r.id,
            r.limit,
            r.citation,
            if r.in_force {
                ""
            } else {
                " (not in force then)"
            }
        ));
    }
    out.push_str("history:\n");
    for h in &t.history {
        out.push_str(&format!(
            "  {} {} {}\n",
            h["at"].as_str().unwrap_or(""),
            h["kind"].as_str().unwrap_or(""),
            h["data"]["reason"].as_str().unwrap_or("")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepwarm_domain::compliance::rules::BUILT_IN_TABLE;

    #[test]
    fn the_text_table_shows_each_row_with_its_citation() {
        let text = rules_text(&BUILT_IN_TABLE);
        assert!(text.contains("US-FL Florida\n"), "{text}");
        assert!(text.contains("all 08:00-20:00"), "{text}");
        assert!(text.contains("Fla. Stat. 501.616(6)(a)"), "{text}");
        assert!(text.contains("at most 3 per 24 h"), "{text}");
        assert!(text.contains("sun closed"), "{text}");
        assert_eq!(
            text.lines().filter(|l| l.starts_with("  ")).count(),
            BUILT_IN_TABLE.rules.len()
        );
    }
}
