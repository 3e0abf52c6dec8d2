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

#[tokio::test]
async fn the_reports_counts_read_each_leads_own_rows_by_index() -> crate::Result<()> {
    use keepwarm_domain::report::GroupBy;
    let store = SqliteStore::connect("sqlite::memory:").await?;
    let sql = crate::tally::tally_sql(
        &crate::tally::SQLITE,
        &[GroupBy::Segment, GroupBy::Owner, GroupBy::Cadence],
    );
    let plan = plan(&store, &sql, 3).await?;
    // The query's tables by alias: leads `l`; events `s`, `m`, `g`, `t`, `h`; enrollments `n`;
    // escalations `e`. Every other name a step scans is one of the query's own small results.
    let tables = ["l", "s", "m", "g", "t", "h", "n", "e"];
    let walk = plan.lines().find(|step| {
        step.strip_prefix("SCAN ")
            .is_some_and(|rest| tables.contains(&rest.split(' ').next().unwrap_or_default()))
    });
    assert!(walk.is_none(), "the report walks a table:\n{plan}");
    for read in [
        "SEARCH l USING INDEX leads_received (received_at>? AND received_at<?)",
        "SEARCH m USING COVERING INDEX events_report (lead_id=? AND kind=?)",
        "SEARCH g USING INDEX events_report (lead_id=? AND kind=?)",
        "SEARCH t USING COVERING INDEX events_report (lead_id=? AND kind=?)",
        "SEARCH h USING INDEX events_report (lead_id=? AND kind=?)",
        "SEARCH n USING INDEX enrollments_lead (lead_id=?)",
        "SEARCH e USING INDEX escalations_lead (lead_id=?)",
    ] {
        assert!(
            plan.lines().any(|step| step == read),
            "no `{read}` in:\n{plan}"
        );
    }
    Ok(())
}

/// Today's reads for a manager at a dealership's scale: the untouched leads and today's speed to
/// lead check each lead with one search of the events sent to customers (not a walk over its
/// timeline, a note and a scheduled touch at a time), and the owners' loads count the active
/// leads from an index alone.
#[tokio::test]
async fn todays_reads_search_each_lead_once_and_count_loads_from_an_index() -> crate::Result<()> {
    use super::workspace::{first_touches_sql, untouched_sql, OWNER_LOADS};
    let store = SqliteStore::connect("sqlite::memory:").await?;
    for (what, sql, params) in [
        ("untouched leads", untouched_sql(), 3),
        ("first touches", first_touches_sql(), 2),
    ] {
        let plan = plan(&store, &sql, params).await?;
        assert!(
            plan.contains("INDEX events_sent_to_customer (lead_id=?)"),
            "the {what} read walks each lead's timeline:\n{plan}"
        );
        assert!(
            plan.contains("SEARCH l USING ") && plan.contains("INDEX leads_created (created_at>?"),
            "the {what} read is not the period's leads:\n{plan}"
        );
        assert!(
            walks(&plan).is_none(),
            "the {what} read walks a table:\n{plan}"
        );
    }
    let loads = plan(&store, OWNER_LOADS, 0).await?;
    assert!(
        loads.contains("SCAN leads USING INDEX leads_active_owner")
            || loads.contains("SCAN leads USING COVERING INDEX leads_active_owner"),
        "the owners' loads read every lead's row:\n{loads}"
    );
    Ok(())
}

#[tokio::test]
async fn a_search_by_phone_starts_from_the_matching_numbers_not_every_lead() -> crate::Result<()> {
    let store = SqliteStore::connect("sqlite::memory:").await?;
    let search = crate::LeadSearch {
        phone_digits: Some("3125550123".into()),
        ..Default::default()
    };
    let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
        "EXPLAIN QUERY PLAN SELECT l.id FROM leads l WHERE 1 = 1",
    );
    crate::workspace::push_search(&mut q, &search);
    q.push(" ORDER BY l.id DESC LIMIT 100");
    let rows: Vec<(i64, i64, i64, String)> = q.build_query_as().fetch_all(&store.writer).await?;
    let plan: Vec<String> = rows.into_iter().map(|(_, _, _, step)| step).collect();
    // A correlated look-up per lead walks all 100,000 leads of a big store for one number.
    assert!(
        !plan.iter().any(|step| step.starts_with("SCAN l")),
        "the phone search walks every lead:\n{}",
        plan.join("\n")
    );
    Ok(())
}
