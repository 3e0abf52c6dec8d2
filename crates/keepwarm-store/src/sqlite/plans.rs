//! The query plans of what one dispatcher batch reads, checked against a migrated database.
//!
//! SQLite plans without statistics (nothing here runs `ANALYZE`), so a term like
//! `state = 'sent'` can win over the index the query was written for, and a batch then walks every
//! touch ever sent. That is how dispatch fell from 16,317 to about 9,000 touches/s in session 6:
//! the frequency caps' count read all sent touches once a batch, and the used-variants read had
//! done the same since it was written. The queries now name their index; these tests fail if one
//! of the batch's reads goes back to a walk over a table or over `touches_due` by state alone.
//! Writes by a JSON list of keys are checked too: session 9's caps reservation set each claimed
//! phone touch's recipient with an `UPDATE … FROM json_each` that SQLite ran as a walk over every
//! touch in flight, re-reading the whole JSON list for each one.

use super::claims::{Claim, PHONE_SENDS, PHONE_SENDS_IN_FLIGHT, RESERVE_PHONES};
use super::read::{CONTACTS, ENROLLMENTS, LEADS, TOUCHES, USED_VARIANTS};
use super::write::{ALREADY_PLANNED, STILL_SENDING};
use super::SqliteStore;

/// The plan SQLite chooses for `sql`, one step a line, every parameter bound to `[1]` (a JSON
/// list for the `json_each` parameters; the others only need a value).
async fn plan(store: &SqliteStore, sql: &str, params: usize) -> crate::Result<String> {
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
    for _ in 0..params {
        query = query.bind("[1]");
    }
    let rows = query.fetch_all(&store.writer).await?;
    Ok(rows
        .into_iter()
        .map(|(_, _, _, step)| step)
        .collect::<Vec<_>>()
        .join("\n"))
}

/// A step that reads rows it does not need: a whole table, or touches by state alone (every
/// touch ever sent, every touch in flight). A JSON list of the batch's keys is scanned, as it should be.
fn walks(plan: &str) -> Option<&str> {
    plan.lines().find(|step| {
        (step.starts_with("SCAN ")
            && !step.contains("json_each")
            && !step.contains("VIRTUAL TABLE")
            && !step.contains("subquery"))
            || step.ends_with("USING INDEX touches_due (state=?)")
    })
}

#[tokio::test]
async fn every_read_of_a_dispatch_batch_searches_by_its_keys() -> crate::Result<()> {
    let store = SqliteStore::connect("sqlite::memory:").await?;
    let reads = [
        ("claim", Claim::Due.ids_sql(), 2),
        ("claimed touches", TOUCHES.to_owned(), 1),
        ("their leads", LEADS.to_owned(), 1),
        ("contacts", CONTACTS.to_owned(), 1),
        ("enrollments", ENROLLMENTS.to_owned(), 1),
        ("used variants", USED_VARIANTS.to_owned(), 1),
        ("frequency caps' count", PHONE_SENDS.to_owned(), 2),
        ("still sending", STILL_SENDING.to_owned(), 2),
        ("next steps already planned", ALREADY_PLANNED.to_owned(), 1),
        ("phone touches reserved", RESERVE_PHONES.to_owned(), 2),
    ];
    for (what, sql, params) in reads {
        let plan = plan(&store, &sql, params).await?;
        assert!(
            walks(&plan).is_none(),
            "the {what} read walks rows it does not need:\n{plan}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_caps_count_reads_only_the_batchs_numbers() -> crate::Result<()> {
    let store = SqliteStore::connect("sqlite::memory:").await?;
    let caps = plan(&store, PHONE_SENDS, 2).await?;
    assert!(
        caps.contains("touches USING INDEX touches_recipient_sent (recipient=? AND finished_at>?)"),
        "{caps}"
    );
    // What other batches hold in flight: only `sending` touches, never the history.
    let in_flight = plan(&store, PHONE_SENDS_IN_FLIGHT, 2).await?;
    assert!(
        in_flight.contains("touches USING INDEX touches_sending"),
        "{in_flight}"
    );
    let used = plan(&store, USED_VARIANTS, 1).await?;
    assert!(
        used.contains("touches USING INDEX touches_lead (lead_id=?)"),
        "{used}"
    );
    Ok(())
}
