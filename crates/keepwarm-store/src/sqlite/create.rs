//! Storing new leads, one or many, in a few multi-row statements inside one transaction, after the
//! duplicate check in that same transaction (`duplicates.rs`).
//!
//! Ids are reserved up front from each table's counter (`ids.rs`) so that a lead's contacts,
//! enrollment, first touch, tasks and timeline events can refer to each other without a round trip
//! per row; the caller holds a `BEGIN IMMEDIATE` transaction, i.e. SQLite's single write lock, for
//! the whole call.

use super::{task_created, touch_scheduled};
use jiff::Timestamp;
use keepwarm_domain::LeadId;
use sqlx::{QueryBuilder, Sqlite, Transaction};

use super::duplicates;
use super::ids::{reserve_ids, Counter};
use super::ms;
use super::write::{insert_event_rows, EventValues};
use crate::duplicates::Seen;
use crate::records::{CreatedLead, LeadCreation, NewEvent, NewLeadRecord};
use crate::Result;

/// Rows per statement: under SQLite's 32,766 bound parameters at the widest table (14 columns).
const ROWS: usize = 2000;

fn event(lead: i64, e: &NewEvent) -> EventValues {
    EventValues {
        lead_id: lead,
        at: ms(e.at),
        kind: e.event.kind().to_owned(),
        data: e.event.data().to_string(),
    }
}

/// Stores the new leads nobody stored first (see `duplicates.rs`); one answer per lead, in order.
pub(super) async fn create_leads(
    tx: &mut Transaction<'_, Sqlite>,
    records: &[NewLeadRecord],
) -> Result<Vec<LeadCreation>> {
    let seen = duplicates::check(tx, records).await?;
    let fresh: Vec<&NewLeadRecord> = records
        .iter()
        .zip(&seen)
        .filter(|(_, s)| **s == Seen::New)
        .map(|(r, _)| r)
        .collect();
    let created = insert_leads(tx, &fresh).await?;
    crate::duplicates::answers(seen, created)
}

/// Stores new leads whole: contacts, events, enrollment, first touch, tasks, document links.
async fn insert_leads(
    tx: &mut Transaction<'_, Sqlite>,
    records: &[&NewLeadRecord],
) -> Result<Vec<CreatedLead>> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let enrollments_count = records.iter().filter(|r| r.enrollment.is_some()).count();
    let touches_count = records
        .iter()
        .filter(|r| {
            r.enrollment
                .as_ref()
                .is_some_and(|e| e.first_touch.is_some())
        })
        .count();
    let tasks_count = records.iter().map(|r| r.tasks.len()).sum();
    let [mut lead_id, mut enrollment_id, mut touch_id, mut task_id] = reserve_ids(
        tx,
        [
            (Counter::Leads, records.len()),
            (Counter::Enrollments, enrollments_count),
            (Counter::Touches, touches_count),
            (Counter::Tasks, tasks_count),
        ],
    )
    .await?;
    let mut created = Vec::with_capacity(records.len());
    let mut contacts = Vec::new();
    let mut enrollments = Vec::new();
    let mut touches = Vec::new();
    let mut tasks = Vec::new();
    let mut events = Vec::new();
    let mut documents = Vec::new();
    for r in records {
        let id = lead_id;
        lead_id += 1;
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
        events.extend(r.events.iter().map(|e| event(id, e)));
        let held = r.status == keepwarm_domain::LeadStatus::Paused;
        if let Some(e) = &r.enrollment {
            let eid = enrollment_id;
            enrollment_id += 1;
            c.enrollment_id = Some(eid);
            enrollments.push((eid, id, e, r.status.as_str(), ms(r.created_at)));
            if let Some(t) = &e.first_touch {
                let tid = touch_id;
                touch_id += 1;
                c.touch_id = Some(tid);
                touches.push((tid, eid, id, t, if held { "held" } else { "scheduled" }));
                let scheduled = NewEvent::new(r.created_at, touch_scheduled(tid, t, held));
                events.push(event(id, &scheduled));
            }
        }
        for t in &r.tasks {
            let kid = task_id;
            task_id += 1;
            tasks.push((kid, id, t, r.created_at));
            let task_event = NewEvent::new(r.created_at, task_created(kid, t));
            events.push(event(id, &task_event));
        }
        if let Some(d) = r.document_id {
            documents.push((id, d));
        }
        created.push(c);
    }
    for (chunk, first) in records.chunks(ROWS).zip((0..).step_by(ROWS)) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO leads (id, dealership, received_at, created_at, source_kind, provider, provider_lead_id,
                display_name, payload, segment, segment_rule, owner_id, status, last_inquiry_at) ",
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
                .push_bind(r.payload.to_string())
                .push_bind(r.segment.as_str())
                .push_bind(r.segment_rule.as_str())
                .push_bind(r.owner_id.as_str())
                .push_bind(r.status.as_str())
                .push_bind(ms(r.received_at));
        });
        q.build().execute(&mut **tx).await?;
    }
    for chunk in contacts.chunks(ROWS) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO lead_contacts (lead_id, position, kind, value, usable, reason) ",
        );
        q.push_values(chunk, |mut b, (lead, position, kind, value, ok, reason)| {
            b.push_bind(*lead)
                .push_bind(*position)
                .push_bind(*kind)
                .push_bind(value.as_str())
                .push_bind(*ok as i64)
                .push_bind(reason.as_deref());
        });
        q.build().execute(&mut **tx).await?;
    }
    for chunk in enrollments.chunks(ROWS) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO enrollments (id, lead_id, cadence_name, cadence_version, anchor_at, status, started_at) ",
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
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO touches (id, enrollment_id, lead_id, step_index, channel, block, target_at, due_at, state) ",
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
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO tasks (id, lead_id, owner_id, kind, touch_id, due_at, status, body, created_at) ",
        );
        q.push_values(
            chunk,
            |mut b, (id, lead, t, at): &(i64, i64, _, Timestamp)| {
                b.push_bind(*id)
                    .push_bind(*lead)
                    .push_bind(t.owner_id.as_str())
                    .push_bind(t.kind.as_str())
                    .push_bind(t.touch_id)
                    .push_bind(ms(t.due_at))
                    .push_bind("open")
                    .push_bind(t.body.as_str())
                    .push_bind(ms(*at));
            },
        );
        q.build().execute(&mut **tx).await?;
    }
    insert_event_rows(tx, &events).await?;
    for chunk in documents.chunks(ROWS) {
        let mut q =
            QueryBuilder::<Sqlite>::new("INSERT INTO lead_documents (lead_id, document_id) ");
        q.push_values(chunk, |mut b, (lead, document)| {
            b.push_bind(*lead).push_bind(*document);
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut **tx).await?;
    }
    Ok(created)
}
