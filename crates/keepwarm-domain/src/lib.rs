//! keepwarm's domain: everything the follow-up engine decides, as plain functions over plain data.
//!
//! This crate owns the rules — which segment a lead belongs to, who owns it, which cadence version it
//! follows, when its next touch may go out, what the message says — and must not do IO or read a clock:
//! every function that depends on time takes `now` as an argument. Storage, channels, HTTP and the
//! clock live in the other crates and call in here.
#![forbid(unsafe_code)]

pub mod access;
pub mod appointment;
pub mod audit;
pub mod blocks;
pub mod cadence;
pub mod calls;
pub mod compliance;
pub mod condition;
pub mod config;
pub mod contact;
pub mod contacts;
pub mod conversation;
pub mod dedupe;
pub mod engine;
pub mod follow_up;
pub mod hours;
pub mod ics;
pub mod inventory;
pub mod language;
pub mod lead;
pub mod lint;
pub mod machine;
pub mod owner;
pub mod people;
pub mod plan;
pub mod report;
pub mod routing;
pub mod segment;
pub mod sms;
pub mod staff_message;
pub mod text;
pub mod thread;
pub mod timeline;
pub mod window;

pub use contact::{EmailAddress, PhoneNumber};
pub use lead::{LeadId, LeadStatus, SourceKind, Stage};
pub use timeline::TimelineEvent;
