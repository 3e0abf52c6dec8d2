//! keepwarm-twilio's integration tests: one binary, one module per piece. The client tests run
//! against the fake Twilio (feature `fake`, enabled for tests by the crate's dev-dependency on
//! itself), and every one of them ends by asserting the fake saw no request that breaks
//! Twilio's OpenAPI description.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod callbacks;
mod client;
mod fake_schema;
mod helpers;
mod limiter;
mod openapi_subset;
mod signature;
mod twiml;
