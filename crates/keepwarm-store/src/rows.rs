//! Rows read the same way on both backends: [`Columns`] names what a column holds (an integer, an
//! instant, a flag, JSON), each backend says how it decodes that, and the row types below are built
//! once from it. Only SQL text stays per backend.
//!
//! The two encodings differ in three places, all hidden here: SQLite keeps flags as integers and
//! JSON as text, PostgreSQL as `boolean` and `jsonb`. Instants are `bigint` milliseconds on both.

use jiff::Timestamp;
use keepwarm_domain::machine::applied::LatestEvent;
use keepwarm_domain::LeadId;
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::types::Json;
use sqlx::Row;

use crate::outcomes::AppointmentRow;
use crate::people::HeldInquiryRow;
use crate::records::{CadenceVersionRow, DocumentRow, TaskRow, TouchRow};
use crate::sqlite::{opt_ts, ts, word};
use crate::staff::StaffTokenRow;
use crate::workspace::WebSessionRow;
use crate::{Result, StoreError};

/// A result row's columns by name, decoded into what the store's rows are made of.
pub(crate) trait Columns {
    /// An integer column.
    fn int(&self, column: &str) -> Result<i64>;
    /// An integer column that may be NULL.
    fn opt_int(&self, column: &str) -> Result<Option<i64>>;
    /// A text column.
    fn text(&self, column: &str) -> Result<String>;
    /// A text column that may be NULL.
    fn opt_text(&self, column: &str) -> Result<Option<String>>;
    /// A yes/no column (an integer on SQLite, a boolean on PostgreSQL).
    fn flag(&self, column: &str) -> Result<bool>;
    /// A JSON column (text on SQLite, `jsonb` on PostgreSQL).
    fn json(&self, column: &str) -> Result<Value>;
    /// A JSON column that may be NULL.
    fn opt_json(&self, column: &str) -> Result<Option<Value>>;
    /// A binary column.
    fn bytes(&self, column: &str) -> Result<Vec<u8>>;

    /// An instant column (milliseconds since the epoch).
    fn instant(&self, column: &str) -> Result<Timestamp> {
        ts(self.int(column)?)
    }

    /// An instant column that may be NULL.
    fn opt_instant(&self, column: &str) -> Result<Option<Timestamp>> {
        opt_ts(self.opt_int(column)?)
    }
}

fn parse_json(column: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

impl Columns for SqliteRow {
    fn int(&self, column: &str) -> Result<i64> {
        Ok(self.try_get(column)?)
    }
    fn opt_int(&self, column: &str) -> Result<Option<i64>> {
        Ok(self.try_get(column)?)
    }
    fn text(&self, column: &str) -> Result<String> {
        Ok(self.try_get(column)?)
    }
    fn opt_text(&self, column: &str) -> Result<Option<String>> {
        Ok(self.try_get(column)?)
    }
    fn flag(&self, column: &str) -> Result<bool> {
        Ok(self.try_get::<i64, _>(column)? != 0)
    }
    fn json(&self, column: &str) -> Result<Value> {
        parse_json(column, &self.text(column)?)
    }
    fn opt_json(&self, column: &str) -> Result<Option<Value>> {
        self.opt_text(column)?
            .map(|t| parse_json(column, &t))
            .transpose()
    }
    fn bytes(&self, column: &str) -> Result<Vec<u8>> {
        Ok(self.try_get(column)?)
    }
}

impl Columns for PgRow {
    fn int(&self, column: &str) -> Result<i64> {
        Ok(self.try_get(column)?)
    }
    fn opt_int(&self, column: &str) -> Result<Option<i64>> {
        Ok(self.try_get(column)?)
    }
    fn text(&self, column: &str) -> Result<String> {
        Ok(self.try_get(column)?)
    }
    fn opt_text(&self, column: &str) -> Result<Option<String>> {
        Ok(self.try_get(column)?)
    }
    fn flag(&self, column: &str) -> Result<bool> {
        Ok(self.try_get(column)?)
    }
    fn json(&self, column: &str) -> Result<Value> {
        Ok(self.try_get::<Json<Value>, _>(column)?.0)
    }
    fn opt_json(&self, column: &str) -> Result<Option<Value>> {
        Ok(self.try_get::<Option<Json<Value>>, _>(column)?.map(|j| j.0))
    }
    fn bytes(&self, column: &str) -> Result<Vec<u8>> {
        Ok(self.try_get(column)?)
    }
}

/// A `touches` row.
pub(crate) fn touch_row(r: &impl Columns) -> Result<TouchRow> {
    Ok(TouchRow {
        id: r.int("id")?,
        enrollment_id: r.int("enrollment_id")?,
        lead_id: LeadId(r.int("lead_id")?),
        step_index: r.int("step_index")? as usize,
        channel: word(&r.text("channel")?)?,
        block: r.text("block")?,
        target_at: r.instant("target_at")?,
        due_at: r.instant("due_at")?,
        state: r.text("state")?,
        claimed_at: r.opt_instant("claimed_at")?,
        body: r.opt_text("body")?,
    })
}

/// A `tasks` row.
pub(crate) fn task_row(r: &impl Columns) -> Result<TaskRow> {
    Ok(TaskRow {
        id: r.int("id")?,
        lead_id: LeadId(r.int("lead_id")?),
        owner_id: r.text("owner_id")?,
        kind: r.text("kind")?,
        touch_id: r.opt_int("touch_id")?,
        due_at: r.instant("due_at")?,
        status: word(&r.text("status")?)?,
        body: r.text("body")?,
        created_at: r.instant("created_at")?,
        completed_at: r.opt_instant("completed_at")?,
        outcome: r.opt_text("outcome")?,
        note: r.opt_text("note")?,
        completed_by: r.opt_text("completed_by")?,
    })
}

/// An `appointments` row.
pub(crate) fn appointment_row(r: &impl Columns) -> Result<AppointmentRow> {
    Ok(AppointmentRow {
        id: r.int("id")?,
        lead_id: LeadId(r.int("lead_id")?),
        kind: word(&r.text("kind")?)?,
        starts_at: r.instant("starts_at")?,
        ends_at: r.instant("ends_at")?,
        status: word(&r.text("status")?)?,
        sequence: r.int("sequence")?,
        set_by: r.text("set_by")?,
        created_at: r.instant("created_at")?,
        updated_at: r.instant("updated_at")?,
    })
}

/// A `staff_tokens` row (without its digest).
pub(crate) fn token_row(r: &impl Columns) -> Result<StaffTokenRow> {
    Ok(StaffTokenRow {
        id: r.int("id")?,
        staff_id: r.text("staff_id")?,
        name: r.text("name")?,
        created_at: r.instant("created_at")?,
        revoked_at: r.opt_instant("revoked_at")?,
    })
}

/// A `web_sessions` row.
pub(crate) fn session_row(r: &impl Columns) -> Result<WebSessionRow> {
    Ok(WebSessionRow {
        id: r.int("id")?,
        staff_id: r.text("staff_id")?,
        csrf_token: r.text("csrf_token")?,
        created_at: r.instant("created_at")?,
        last_seen_at: r.instant("last_seen_at")?,
        ended_at: r.opt_instant("ended_at")?,
    })
}

/// An `inbound_documents` row without its body; `lead_ids` is a JSON array of the leads it made.
pub(crate) fn document_row(r: &impl Columns) -> Result<DocumentRow> {
    Ok(DocumentRow {
        id: r.int("id")?,
        received_at: r.instant("received_at")?,
        channel: r.text("channel")?,
        content_type: r.opt_text("content_type")?,
        sha256: r.text("sha256")?,
        size: r.int("size")?,
        status: r.text("status")?,
        detail: r.opt_text("detail")?,
        lead_ids: serde_json::from_value(r.json("lead_ids")?).unwrap_or_default(),
    })
}

/// A `held_inquiries` row.
pub(crate) fn held_row(r: &impl Columns) -> Result<HeldInquiryRow> {
    Ok(HeldInquiryRow {
        id: r.int("id")?,
        held_at: r.instant("held_at")?,
        source_key: r.text("source_key")?,
        reason: r.text("reason")?,
        document_id: r.opt_int("document_id")?,
        resend: r.flag("resend")?,
        lead: r.json("lead")?,
        released_at: r.opt_instant("released_at")?,
        released_by: r.opt_text("released_by")?,
        lead_id: r.opt_int("lead_id")?,
    })
}

/// A cadence version with its enrollment figures: `version, label, snapshot, created_at,
/// first_enrolled, last_enrolled, enrollments`.
pub(crate) fn cadence_version_row(r: &impl Columns) -> Result<CadenceVersionRow> {
    Ok(CadenceVersionRow {
        version: r.text("version")?,
        label: r.opt_text("label")?,
        snapshot: r.json("snapshot")?,
        kept_at: r.instant("created_at")?,
        first_enrolled_at: r.opt_instant("first_enrolled")?,
        last_enrolled_at: r.opt_instant("last_enrolled")?,
        enrollments: r.int("enrollments")?,
    })
}

/// The latest event of one shape, as [`crate::ChangeSets::conversation_events`] reads it.
pub(crate) fn latest_event(r: &impl Columns) -> Result<LatestEvent> {
    Ok(LatestEvent {
        kind: r.text("kind")?,
        data_kind: r.opt_text("data_kind")?,
        outcome: r.opt_text("outcome")?,
        at: r.instant("at")?,
    })
}
