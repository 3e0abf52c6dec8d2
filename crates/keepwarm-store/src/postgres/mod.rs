//! The PostgreSQL backend (sqlx): for a dealer group or a host running several keepwarm processes
//! on one database.
//!
//! One pool per process, sized from the configuration ([`PgSettings`]). Where SQLite serializes
//! writers with its single write lock, PostgreSQL lets them run side by side, so each place that
//! relied on that lock says how it stays correct here: due work is claimed with
//! `FOR UPDATE SKIP LOCKED` (two claimers never take the same row, and neither waits for the
//! other), and the duplicate check of new leads takes an advisory transaction lock per dealership
//! and contact key before it looks (`create.rs`).
//!
//! Instants are stored as `bigint` milliseconds since the Unix epoch, as on SQLite (see the
//! migration's header), so rows decode the same way on both backends.

use crate::rows::touch_row;
use jiff::Timestamp;
use keepwarm_domain::LeadId;
use sqlx::postgres::PgPool;
use sqlx::{Postgres, QueryBuilder, Transaction};

use crate::records::{NewEvent, NewTask, NewTouch};
use crate::sqlite::{ms, task_created, touch_scheduled};
use crate::Result;

mod apply;
mod claims;
mod compliance;
mod connect;
mod conversation;
mod coordination;
mod create;
mod escalations;
mod intake;
mod outbound;
mod outcomes;
mod people;
mod read;
mod report;
mod traits;
mod work;
mod workspace;
mod write;

pub use connect::PgSettings;

/// The PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host/db`) and applies the migrations.
    pub async fn connect(url: &str, settings: PgSettings) -> Result<Self> {
        Ok(Self {
            pool: connect::open(url, settings).await?,
        })
    }

    /// The pool, for tests and tools that look at the database directly.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }
}

/// Rows per multi-row statement: well under PostgreSQL's 65,535 bound parameters at the widest
/// insert (14 columns).
const ROWS: usize = 2000;

/// Appends timeline events, in order.
async fn insert_events(
    tx: &mut Transaction<'_, Postgres>,
    events: &[(LeadId, &NewEvent)],
) -> Result<()> {
    for chunk in events.chunks(ROWS) {
        let mut q = QueryBuilder::<Postgres>::new("INSERT INTO events (lead_id, at, kind, data) ");
        q.push_values(chunk, |mut b, (lead, e)| {
            b.push_bind(lead.0)
                .push_bind(ms(e.at))
                .push_bind(e.event.kind().to_owned())
                .push_bind(sqlx::types::Json(e.event.data()));
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Inserts one touch with its `touch_scheduled` event; returns its id.
async fn insert_touch(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    enrollment: i64,
    touch: &NewTouch,
    at: Timestamp,
    held: bool,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO touches (enrollment_id, lead_id, step_index, channel, block, target_at, due_at, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(enrollment)
    .bind(lead.0)
    .bind(touch.step_index as i64)
    .bind(touch.channel.as_str())
    .bind(&touch.block)
    .bind(ms(touch.target_at))
    .bind(ms(touch.due_at))
    .bind(if held { "held" } else { "scheduled" })
    .fetch_one(&mut **tx)
    .await?;
    let event = NewEvent::new(at, touch_scheduled(id, touch, held));
    insert_events(tx, &[(lead, &event)]).await?;
    Ok(id)
}

/// Inserts one open task with its `task_created` event.
async fn insert_task(
    tx: &mut Transaction<'_, Postgres>,
    lead: LeadId,
    task: &NewTask,
    at: Timestamp,
) -> Result<()> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tasks (lead_id, owner_id, kind, touch_id, due_at, status, body, created_at)
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) RETURNING id",
    )
    .bind(lead.0)
    .bind(&task.owner_id)
    .bind(&task.kind)
    .bind(task.touch_id)
    .bind(ms(task.due_at))
    .bind(&task.body)
    .bind(ms(at))
    .fetch_one(&mut **tx)
    .await?;
    let event = NewEvent::new(at, task_created(id, task));
    insert_events(tx, &[(lead, &event)]).await
}
