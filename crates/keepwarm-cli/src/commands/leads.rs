//! `keepwarm leads list | show | timeline`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use keepwarm_domain::{LeadId, LeadStatus};
use keepwarm_engine::SystemClock;
use keepwarm_store::LeadFilter;
use serde_json::json;

use super::{load, open_engine, BAD_INPUT};
use crate::app::{Common, LeadsCommand};

/// Runs the command.
pub async fn run(common: &Common, command: LeadsCommand) -> anyhow::Result<ExitCode> {
    let checked = match load(common.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let engine = open_engine(checked.config, &common.db, Arc::new(SystemClock)).await?;
    let store = engine.store();
    match command {
        LeadsCommand::List {
            owner,
            segment,
            status,
            limit,
            json: as_json,
        } => {
            let status = match status.as_deref().map(str::parse::<LeadStatus>).transpose() {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: --status: {e}");
                    return Ok(ExitCode::from(BAD_INPUT));
                }
            };
            let leads = store
                .list_leads(&LeadFilter {
                    owner,
                    segment,
                    status,
                    limit: Some(limit.clamp(1, 1000)),
                    after: None,
                })
                .await
                .context("listing leads")?;
            if as_json {
                for l in &leads {
                    crate::outln!("{}", json!(l));
                }
            } else {
                crate::outln!(
                    "{:>6}  {:<20}  {:<24}  {:<18}  {:<8}  {:<15}  {:<9}",
                    "ID",
                    "RECEIVED",
                    "NAME",
                    "SEGMENT",
                    "OWNER",
                    "STAGE",
                    "STATUS"
                );
                for l in &leads {
                    crate::outln!(
                        "{:>6}  {:<20}  {:<24}  {:<18}  {:<8}  {:<15}  {:<9}",
                        l.id,
                        l.received_at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
                        truncate(l.name.as_deref().unwrap_or("-"), 24),
                        l.segment,
                        l.owner.id,
                        l.stage,
                        l.status
                    );
                }
            }
        }
        LeadsCommand::Show { id } => {
            match store
                .show_lead(LeadId(id))
                .await
                .context("reading the lead")?
            {
                Some(lead) => {
                    let staff = engine.config();
                    let lead = lead.name_owner(|id| staff.staff_member(id).map(|s| s.name.clone()));
                    crate::outln!("{}", serde_json::to_string_pretty(&lead)?)
                }
                None => {
                    eprintln!("error: lead {id} not found");
                    return Ok(ExitCode::from(BAD_INPUT));
                }
            }
        }
        LeadsCommand::Timeline { id, json: as_json } => {
            if store.show_lead(LeadId(id)).await?.is_none() {
                eprintln!("error: lead {id} not found");
                return Ok(ExitCode::from(BAD_INPUT));
            }
            for e in store
                .timeline(LeadId(id))
                .await
                .context("reading the timeline")?
            {
                if as_json {
                    crate::outln!("{}", json!(e));
                } else {
                    crate::outln!(
                        "{}  {:<18} {}",
                        e.at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                        e.event.kind(),
                        e.event.data()
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut t: String = text.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}
