//! Black-box tests of the HTTP API: a real server on a free port, a fresh database, the sandbox
//! channel and a manual clock.
#![allow(
    clippy::unwrap_used,
    reason = "a failed set-up step in a test should fail the test loudly"
)]

mod appointments;
mod audit;
mod backup;
mod cadence;
mod calls;
mod channels;
mod compliance;
mod consent;
mod contact_windows;
mod conversations;
mod core;
mod dedupe;
mod dnc;
mod documents;
mod escalations;
mod follow_up;
mod followthrough;
mod health;
mod helpers;
mod humans;
mod intake;
mod keywords;
mod kill_switch;
mod live;
mod message_fit;
mod messages;
mod metrics;
mod openapi;
mod paging;
mod people;
mod reports;
mod request_ids;
mod restart;
mod scope;
mod security;
mod staff;
mod thread;
mod twilio;
mod workers;
mod workspace;
mod workspace_office;
