//! Tests of the `keepwarm` binary itself: commands, exit codes, and surviving `kill -9`.
#![allow(
    clippy::unwrap_used,
    reason = "a failed set-up step in a test should fail the test loudly"
)]

mod chaos;
mod commands;
mod crash;
mod crash_twilio;
mod lifecycle;
mod logs;
mod people;
mod readme;
mod reference;
mod roles;
mod sandbox_routes;
mod server;
mod staff;
