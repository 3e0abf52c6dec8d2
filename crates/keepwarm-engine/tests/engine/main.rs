//! Engine-level tests that need no HTTP: bulk import, inbound documents, the sandbox outbox, replies.
#![allow(
    clippy::unwrap_used,
    reason = "a failed set-up step in a test should fail the test loudly"
)]

mod documents;
mod import;
mod outbox;
mod replies;
