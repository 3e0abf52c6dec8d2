//! `keepwarm tasks | escalations | conversation | reply`: the people's side of keepwarm at a
//! terminal (issue 13), with local times in the dealership's zone and staff and customer names,
//! not ids and UTC.
//!
//! They read the same read model as the API and send through the same engine entry point
//! ([`keepwarm_engine::Engine::send_staff_message`]): a reply typed here is queued on the durable
//! outbound queue under the same compliance gate, and the running server sends it. They keep the
//! server's time: a server on a manual clock records it in the database, and these commands judge
//! contact windows and "overdue" by it, not by the machine's clock.

use std::process::ExitCode;

use anyhow::Context;
use jiff::Timestamp;
use keepwarm_domain::config::Config;
use keepwarm_domain::thread::{Direction, Medium, Who};
use keepwarm_domain::LeadId;
use keepwarm_engine::{Engine, EngineError, StaffMessage};
use keepwarm_store::LeadRow;

use super::{load, open_engine_on_server_clock, BAD_INPUT};
use crate::app::Common;

/// What to run.
#[derive(Debug)]
pub enum PeopleCommand {
    /// Open tasks, soonest first.
    Tasks {
        /// Only this staff member's.
        owner: Option<String>,
        /// Only those past due.
        overdue: bool,
    },
    /// Escalations, newest first.
    Escalations {
        /// Only those with this status.
        status: Option<String>,
    },
    /// A lead's conversation.
    Conversation {
        /// The lead.
        lead: i64,
    },
    /// A person's message to the customer.
    Reply {
        /// The lead.
        lead: i64,
        /// The text.
        text: String,
        /// Who writes it.
        by: String,
        /// `sms` or `email`.
        channel: String,
        /// The e-mail subject.
        subject: Option<String>,
    },
}

/// Runs the command.
pub async fn run(common: &Common, command: PeopleCommand) -> anyhow::Result<ExitCode> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let engine = open_engine_on_server_clock(checked.config, &common.db).await?;
    let result = match command {
        PeopleCommand::Tasks { owner, overdue } => tasks(&engine, owner, overdue).await,
        PeopleCommand::Escalations { status } => escalations(&engine, status).await,
        PeopleCommand::Conversation { lead } => conversation(&engine, LeadId(lead)).await,
        PeopleCommand::Reply {
            lead,
            text,
            by,
            channel,
            subject,
        } => {
            let message = StaffMessage {
                channel,
                body: Some(text),
                block: None,
                subject,
                by,
                idempotency_key: None,
            };
            match engine.send_staff_message(LeadId(lead), message).await {
                Ok(sent) => {
                    crate::outln!(
                        "queued for {} by {}{}",
                        sent.to,
                        name_of(engine.config(), &sent.by),
                        if sent.conversational {
                            " (answers the customer)"
                        } else {
                            ""
                        }
                    );
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e @ (EngineError::Validation(_) | EngineError::NotFound(_))) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(BAD_INPUT))
        }
        Err(e @ (EngineError::Refused { .. } | EngineError::Conflict(_))) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e).context("reading or writing the database"),
    }
}

/// A bad argument, in the engine's terms (answered with exit code 2).
fn refused(flag: &str, message: String) -> EngineError {
    EngineError::Validation(vec![keepwarm_domain::lead::FieldError {
        field: flag.to_owned(),
        message,
    }])
}

/// A staff member's name, or their id when they are no longer on the staff.
fn name_of(config: &Config, id: &str) -> String {
    config
        .staff_member(id)
        .map_or_else(|| id.to_owned(), |s| s.name.clone())
}

/// `at` in the lead's dealership's zone, as people read it: `Tue Dec 1 09:03 CST`.
fn local(config: &Config, dealership: &str, at: Timestamp) -> String {
    let zone = config
        .dealership(Some(dealership))
        .map_or(jiff::tz::TimeZone::UTC, |d| d.time_zone.clone());
    at.to_zoned_datetime(zone)
        .strftime("%a %b %-d %H:%M %Z")
        .to_string()
}

/// The customer's name, or the lead id when there is none.
fn customer(lead: Option<&LeadRow>, id: LeadId) -> String {
    lead.and_then(|l| l.display_name.clone())
        .unwrap_or_else(|| format!("lead {id}"))
}

async fn tasks(engine: &Engine, owner: Option<String>, overdue: bool) -> Result<(), EngineError> {
    let config = engine.config();
    if let Some(o) = &owner {
        if config.staff_member(o).is_none() {
            return Err(refused("--owner", format!("unknown staff member `{o}`")));
        }
    }
    let now = engine.now();
    let mut open: Vec<_> = engine
        .store()
        .tasks(owner.as_deref())
        .await?
        .into_iter()
        .filter(|t| t.status == "open" && (!overdue || t.due_at < now))
        .collect();
    open.sort_by_key(|t| (t.due_at, t.id));
    crate::outln!(
        "{:>5}  {:<20}  {:<20}  {:<24}  {:<10}  WHAT",
        "TASK",
        "DUE",
        "OWNER",
        "CUSTOMER",
        "KIND"
    );
    for t in &open {
        let lead = engine.store().lead(t.lead_id).await?;
        let dealership = lead.as_ref().map_or("", |l| l.dealership.as_str());
        let late = if t.due_at < now { " (overdue)" } else { "" };
        crate::outln!(
            "{:>5}  {:<20}  {:<20}  {:<24}  {:<10}  {}{late}",
            t.id,
            local(config, dealership, t.due_at),
            name_of(config, &t.owner_id),
            customer(lead.as_ref(), t.lead_id),
            t.kind,
            one_line(&t.body, 80)
        );
    }
    Ok(())
}

async fn escalations(engine: &Engine, status: Option<String>) -> Result<(), EngineError> {
    if let Some(s) = &status {
        if !["open", "breached", "acknowledged", "closed"].contains(&s.as_str()) {
            return Err(refused(
                "--status",
                format!("unknown status `{s}` (expected open, breached, acknowledged or closed)"),
            ));
        }
    }
    let config = engine.config();
    let rows = engine.store().escalations(status.as_deref()).await?;
    crate::outln!(
        "{:>5}  {:<20}  {:<24}  {:<20}  {:<12}  {:<20}  WHY",
        "ID",
        "RAISED",
        "CUSTOMER",
        "ASSIGNED TO",
        "STATUS",
        "ANSWER BY"
    );
    for e in &rows {
        let lead = engine.store().lead(e.lead_id).await?;
        let dealership = lead.as_ref().map_or("", |l| l.dealership.as_str());
        crate::outln!(
            "{:>5}  {:<20}  {:<24}  {:<20}  {:<12}  {:<20}  {}",
            e.id,
            local(config, dealership, e.created_at),
            customer(lead.as_ref(), e.lead_id),
            name_of(config, &e.owner),
            e.status,
            local(config, dealership, e.sla_due_at),
            e.intents.join(", ")
        );
    }
    Ok(())
}

async fn conversation(engine: &Engine, id: LeadId) -> Result<(), EngineError> {
    let config = engine.config();
    let lead = engine
        .store()
        .lead(id)
        .await?
        .ok_or_else(|| EngineError::NotFound(format!("lead {id}")))?;
    crate::outln!(
        "{} — owner {}",
        customer(Some(&lead), id),
        name_of(config, &lead.owner_id)
    );
    for e in engine.store().conversation(id).await? {
        let who = match &e.who {
            Who::Customer => customer(Some(&lead), id),
            Who::Automation => "keepwarm".to_owned(),
            Who::Staff { id, name } => name.clone().unwrap_or_else(|| name_of(config, id)),
        };
        let arrow = match e.direction {
            Direction::Inbound => "<-",
            Direction::Outbound => "->",
            Direction::Internal => "##",
        };
        let channel = match e.channel {
            Medium::Sms => "text",
            Medium::Email => "e-mail",
            Medium::Call => "call",
            Medium::Voicemail => "voicemail",
            Medium::Note => "note",
        };
        crate::outln!(
            "{}  {arrow} {channel:<9} {who}: {} [{}]",
            local(config, &lead.dealership, e.at),
            one_line(&e.body, 200),
            e.status
        );
    }
    if let Some(w) = engine.store().waiting(None, Some(id)).await?.first() {
        crate::outln!(
            "waiting on us since {} (answer due {})",
            local(config, &lead.dealership, w.since),
            local(config, &lead.dealership, w.due_at)
        );
    }
    Ok(())
}

/// `text` on one line, at most `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}
