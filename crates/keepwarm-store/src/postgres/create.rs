//! Storing new leads on PostgreSQL, after the duplicate check, in one transaction.
//!
//! PostgreSQL has no single write lock, so two processes can run this at once. Before it looks for
//! stored leads with the same contacts, the transaction takes an advisory lock per dealership and
//! contact key (`pg_advisory_xact_lock`, held until commit), in sorted order so two transactions
//! never wait on each other in a cycle. A second process given the same shopper waits for the
//! first to commit, then finds its lead: two deliveries of one shopper make one lead.
//!
//! Ids are reserved first (`nextval` of each identity's sequence) so a lead's contacts,
//! enrollment, first touch, tasks and events name each other without a round trip per row.

use jiff::Timestamp;
use keepwarm_domain::LeadId;
use sqlx::types::Json;
use sqlx::{Postgres, QueryBuilder, Transaction};

use super::{insert_events, ROWS};
use crate::duplicates::{answers, keys, lookup_values, resolve, Seen};
use crate::records::{CreatedLead, LeadCreation, NewEvent, NewLeadRecord, NewTask, NewTouch};
use crate::sqlite::{ms, task_created, touch_scheduled};
use crate::Result;

/// Stores the new leads nobody stored first; one answer per lead, in order.
pub(super) async fn create_leads(
    tx: &mut Transaction<'_, Postgres>,
    records: &[NewLeadRecord],
) -> Result<Vec<LeadCreation>> {
    lock_keys(tx, records).await?;
    let (phones, emails) = lookup_values(records);
    let stored: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT l.dealership, c.kind, CASE c.kind WHEN 'email' THEN lower(c.value) ELSE c.value END,
                c.lead_id
         FROM lead_contacts c JOIN leads l ON l.id = c.lead_id
         WHERE c.usable AND ((c.kind = 'phone' AND c.value = ANY($1))
                          OR (c.kind = 'email' AND lower(c.value) = ANY($2)))
         ORDER BY c.lead_id",
    )
    .bind(&phones)
    .bind(&emails)
    .fetch_all(&mut **tx)
    .await?;
    let seen = resolve(records, stored);
    let fresh: Vec<&NewLeadRecord> = records
        .iter()
        .zip(&seen)
        .filter(|(_, s)| **s == Seen::New)
        .map(|(r, _)| r)
        .collect();
    let created = insert_leads(tx, &fresh).await?;
    answers(seen, created)
}

/// Takes the advisory transaction lock of every dealership + contact key of `records`.
async fn lock_keys(tx: &mut Transaction<'_, Postgres>, records: &[NewLeadRecord]) -> Result<()> {
    let mut names: Vec<String> = records
        .iter()
        .flat_map(keys)
        .map(|(dealership, kind, value)| {
            format!("keepwarm lead\x1f{dealership}\x1f{kind}\x1f{value}")
        })
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    names.dedup();
    sqlx::query(
        "SELECT pg_advisory_xact_lock(k) FROM (
             SELECT DISTINCT hashtextextended(n, 0) AS k FROM unnest($1::text[]) AS n ORDER BY k) AS keys",
    )
    .bind(&names)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `count` fresh ids of `table`'s identity column.
async fn reserve(
    tx: &mut Transaction<'_, Postgres>,
    table: &str,
    count: usize,
) -> Result<std::vec::IntoIter<i64>> {
    let ids: Vec<i64> = if count == 0 {
        Vec::new()
    } else {
        sqlx::query_scalar(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)",
        )
        .bind(table)
        .bind(count as i64)
        .fetch_all(&mut **tx)
        .await?
    };
    Ok(ids.into_iter())
}

/// A contact row: lead, position, kind, value, usable, reason.
type ContactValues = (i64, i64, &'static str, String, bool, Option<String>);

/// Stores new leads whole: contacts, events, enrollment, first touch, tasks, document links.
async fn insert_leads(
    tx: &mut Transaction<'_, Postgres>,
    records: &[&NewLeadRecord],
) -> Result<Vec<CreatedLead>> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let enrollments_count = records.iter().filter(|r| r.enrollment.is_some()).count();
    let touches_count = records
        .iter()
        .filter_map(|r| r.enrollment.as_ref())
        .filter(|e| e.first_touch.is_some())
        .count();
    let tasks_count = records.iter().map(|r| r.tasks.len()).sum();
    let mut lead_ids = reserve(tx, "leads", records.len()).await?;
    let mut enrollment_ids = reserve(tx, "enrollments", enrollments_count).await?;
    let mut touch_ids = reserve(tx, "touches", touches_count).await?;
    let mut task_ids = reserve(tx, "tasks", tasks_count).await?;
    let missing = || crate::StoreError::Corrupt("the database handed out too few ids".into());
    let mut created = Vec::with_capacity(records.len());
    let mut contacts: Vec<ContactValues> = Vec::new();
    let mut enrollments = Vec::new();
    let mut touches: Vec<(i64, i64, i64, &NewTouch, &str)> = Vec::new();
    let mut tasks: Vec<(i64, i64, &NewTask, Timestamp)> = Vec::new();
    let mut events: Vec<(LeadId, NewEvent)> = Vec::new();
    let mut documents = Vec::new();
    for r in records {
        let id = lead_ids.next().ok_or_else(missing)?;
        let mut c = CreatedLead {
            id: LeadId(id),
            enrollment_id: None,
            touch_id: None,
        };
        let usable = r
            .phones
            .iter()
            .map(|p| ("phone", p.as_str().to_owned(), true, None))
            .chain(
                r.emails
                    .iter()
                    .map(|e| ("email", e.as_str().to_owned(), true, None)),
            );
        let unusable = r.unusable.iter().map(|u| {
            let kind = if u.field.contains("email") {
                "email"
            } else {
                "phone"
            };
            (kind, u.value.clone(), false, Some(u.reason.clone()))
        });
        for (position, (kind, value, ok, reason)) in usable.chain(unusable).enumerate() {
            contacts.push((id, position as i64, kind, value, ok, reason));
        }
        events.extend(r.events.iter().map(|e| (LeadId(id), e.clone())));
        let held = r.status == keepwarm_domain::LeadStatus::Paused;
        if let Some(e) = &r.enrollment {
            let eid = enrollment_ids.next().ok_or_else(missing)?;
            c.enrollment_id = Some(eid);
            enrollments.push((eid, id, e, r.status.as_str(), ms(r.created_at)));
            if let Some(t) = &e.first_touch {
                let tid = touch_ids.next().ok_or_else(missing)?;
                c.touch_id = Some(tid);
                touches.push((tid, eid, id, t, if held { "held" } else { "scheduled" }));
                let scheduled = NewEvent::new(r.created_at, touch_scheduled(tid, t, held));
                events.push((LeadId(id), scheduled));
            }
        }
        for t in &r.tasks {
            let kid = task_ids.next().ok_or_else(missing)?;
            tasks.push((kid, id, t, r.created_at));
            events.push((
                LeadId(id),
                NewEvent::new(r.created_at, task_created(kid, t)),
            ));
        }
        if let Some(d) = r.document_id {
            documents.push((id, d));
        }
        created.push(c);
    }
    for (chunk, first) in records.chunks(ROWS).zip((0..).step_by(ROWS)) {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO leads (id, dealership, received_at, created_at, source_kind, provider,
                provider_lead_id, display_name, payload, segment, segment_rule, owner_id, status,
                last_inquiry_at) OVERRIDING SYSTEM VALUE ",
        );
        q.push_values(chunk.iter().enumerate(), |mut b, (i, r)| {
            b.push_bind(created[first + i].id.0)
                .push_bind(r.dealership.as_str())
                .push_bind(ms(r.received_at))
                .push_bind(ms(r.created_at))
                .push_bind(r.source_kind.as_str())
                .push_bind(r.provider.as_deref())
                .push_bind(r.provider_lead_id.as_deref())
                .push_bind(r.display_name.as_deref())
                .push_bind(Json(&r.payload))
                .push_bind(r.segment.as_str())
                .push_bind(r.segment_rule.as_str())
                .push_bind(r.owner_id.as_str())
                .push_bind(r.status.as_str())
                .push_bind(ms(r.received_at));
        });
        q.build().execute(&mut **tx).await?;
    }
    for chunk in contacts.chunks(ROWS) {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO lead_contacts (lead_id, position, kind, value, usable, reason) ",
        );
        q.push_values(chunk, |mut b, (lead, position, kind, value, ok, reason)| {
            b.push_bind(*lead)
                .push_bind(*position)
                .push_bind(*kind)
                .push_bind(value.as_str())
                .push_bind(*ok)
                .push_bind(reason.as_deref());
        });
        q.build().execute(&mut **tx).await?;
    }
    for chunk in enrollments.chunks(ROWS) {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO enrollments (id, lead_id, cadence_name, cadence_version, anchor_at, status,
                started_at) OVERRIDING SYSTEM VALUE ",
        );
        q.push_values(chunk, |mut b, (id, lead, e, status, at)| {
            b.push_bind(*id)
                .push_bind(*lead)
                .push_bind(e.cadence_name.as_str())
                .push_bind(e.cadence_version.as_str())
                .push_bind(ms(e.anchor_at))
                .push_bind(*status)
                .push_bind(*at);
        });
        q.build().execute(&mut **tx).await?;
    }
    for chunk in touches.chunks(ROWS) {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO touches (id, enrollment_id, lead_id, step_index, channel, block, target_at,
                due_at, state) OVERRIDING SYSTEM VALUE ",
        );
        q.push_values(chunk, |mut b, (id, enrollment, lead, t, state)| {
            b.push_bind(*id)
                .push_bind(*enrollment)
                .push_bind(*lead)
                .push_bind(t.step_index as i64)
                .push_bind(t.channel.as_str())
                .push_bind(t.block.as_str())
                .push_bind(ms(t.target_at))
                .push_bind(ms(t.due_at))
                .push_bind(*state);
        });
        q.build().execute(&mut **tx).await?;
    }
    for chunk in tasks.chunks(ROWS) {
        let mut q = QueryBuilder::<Postgres>::new(
            "INSERT INTO tasks (id, lead_id, owner_id, kind, touch_id, due_at, status, body,
                created_at) OVERRIDING SYSTEM VALUE ",
        );
        q.push_values(chunk, |mut b, (id, lead, t, at)| {
            b.push_bind(*id)
                .push_bind(*lead)
                .push_bind(t.owner_id.as_str())
                .push_bind(t.kind.as_str())
                .push_bind(t.touch_id)
                .push_bind(ms(t.due_at))
                .push_bind("open")
                .push_bind(t.body.as_str())
                .push_bind(ms(*at));
        });
        q.build().execute(&mut **tx).await?;
    }
    let rows: Vec<(LeadId, &NewEvent)> = events.iter().map(|(l, e)| (*l, e)).collect();
    insert_events(tx, &rows).await?;
    for chunk in documents.chunks(ROWS) {
        let mut q =
            QueryBuilder::<Postgres>::new("INSERT INTO lead_documents (lead_id, document_id) ");
        q.push_values(chunk, |mut b, (lead, document)| {
            b.push_bind(*lead).push_bind(*document);
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut **tx).await?;
    }
    Ok(created)
}
