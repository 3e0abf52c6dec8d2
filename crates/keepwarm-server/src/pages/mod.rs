//! The workspace: the web app staff use every day, served by `keepwarm serve` at `/` (issue 14).
//!
//! Server-rendered HTML (maud), one module per page and a function per fragment; the same
//! fragment is served whole or as a live partial update. Pages are views of the read model:
//! they never write to the store, and every button goes through the same engine entry points as
//! the API, attributed to the signed-in person ([`session::Viewer`]) and limited by the same
//! visibility rules (another owner's lead is 404). Times and names are formatted in one place
//! ([`mod@format`]). The stylesheet and a small script are embedded with hashed names (`assets`);
//! live updates come over Server-Sent Events ([`live`]).

mod assets;
mod audit;
mod chart;
mod compliance;
mod error;
pub mod format;
mod inbox;
mod kill_switch;
mod layout;
mod lead;
mod lead_actions;
mod leads;
pub mod live;
mod login;
mod reports;
mod session;
pub mod settings;
mod tasks;
mod today;
mod waiting;
mod words;

use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use keepwarm_store::LeadRow;
use maud::{html, Markup};

use crate::AppState;

pub use error::PageError;
pub use session::Viewer;

/// How the workspace runs.
#[derive(Debug, Clone)]
pub struct WorkspaceSettings {
    /// Whether the session cookie is `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// How long a session may sit unused before it ends.
    pub idle: Duration,
    /// What `keepwarm check` found in the configuration when the service started, shown on the
    /// settings page.
    pub findings: Vec<settings::Finding>,
}

impl Default for WorkspaceSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            idle: Duration::from_secs(2 * 3600),
            findings: Vec::new(),
        }
    }
}

impl WorkspaceSettings {
    /// Settings for a service whose public base URL is `public_url` (cookies `Secure` when it is
    /// https).
    pub fn for_public_url(public_url: Option<&str>) -> Self {
        Self {
            secure_cookies: public_url
                .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://")),
            ..Self::default()
        }
    }
}

/// The workspace's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(today::show))
        .route("/fragments/today", get(today::fragment))
        .route("/login", get(login::show).post(login::sign_in))
        .route("/logout", post(login::sign_out))
        .route("/leads", get(leads::show))
        .route("/leads.csv", get(leads::csv))
        .route("/leads/{id}", get(lead::show))
        .route("/fragments/leads/{id}", get(lead::fragment))
        .merge(lead_actions::router())
        .merge(tasks::router())
        .route("/reports", get(reports::show))
        .route("/reports/audit", get(audit::show))
        .route("/compliance", get(compliance::show))
        .route("/compliance/touches/{id}", get(compliance::touch))
        .route("/compliance/kill-switch", post(kill_switch::flip))
        .route("/settings", get(settings::show))
        .route("/inbox", get(inbox::show))
        .route("/fragments/inbox", get(inbox::fragment))
        .route("/live", get(live::stream))
        .route("/assets/{name}", get(assets::serve))
}

/// A link to a lead's page, by its name (or "Lead 12" without one).
pub fn lead_link(lead: &LeadRow) -> Markup {
    html! { a href={ "/leads/" (lead.id) } { (lead_title(lead)) } }
}

/// A lead's name for people: its display name, or "Lead 12".
pub fn lead_title(lead: &LeadRow) -> String {
    match lead.display_name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => format!("Lead {}", lead.id),
    }
}

/// Midnight of `now`'s day in `zone`.
pub fn start_of_day(now: Timestamp, zone: &TimeZone) -> Timestamp {
    now.to_zoned_datetime(zone.clone())
        .start_of_day()
        .map(|z| z.timestamp())
        .unwrap_or(now)
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
