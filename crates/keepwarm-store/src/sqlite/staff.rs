//! Staff tokens and the consent ledger's revocations in force, on SQLite.

use crate::rows::token_row;
use jiff::Timestamp;
use keepwarm_domain::timeline::EscalationAcknowledged;
use keepwarm_domain::{LeadId, TimelineEvent};
use sqlx::sqlite::SqlitePool;
use sqlx::{Row, Sqlite, Transaction};

use super::{insert_events, ms, ts};
use crate::{NewEvent, NewStaffToken, Result, RevocationInForce, StaffTokenRow, StoreError};

/// Keeps a token's digest; see [`crate::ChangeSets::create_staff_token`].
pub(super) async fn create_token(
    pool: &SqlitePool,
    token: &NewStaffToken,
) -> Result<StaffTokenRow> {
    let row = sqlx::query(
        "INSERT INTO staff_tokens (staff_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)
         RETURNING id, staff_id, name, created_at, revoked_at",
    )
    .bind(&token.staff_id)
    .bind(&token.name)
    .bind(&token.token_hash)
    .bind(ms(token.created_at))
    .fetch_one(pool)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict("a token with this digest exists already".into())
        }
        e => e.into(),
    })?;
    token_row(&row)
}

/// Tokens, oldest first, optionally of one staff member.
pub(super) async fn tokens(pool: &SqlitePool, staff: Option<&str>) -> Result<Vec<StaffTokenRow>> {
    sqlx::query(
        "SELECT id, staff_id, name, created_at, revoked_at FROM staff_tokens
         WHERE ?1 IS NULL OR staff_id = ?1 ORDER BY id",
    )
    .bind(staff)
    .fetch_all(pool)
    .await?
    .iter()
    .map(token_row)
    .collect()
}

/// Revokes a token unless it was revoked already; `None` when there is no such token.
pub(super) async fn revoke_token(
    pool: &SqlitePool,
    id: i64,
    at: Timestamp,
) -> Result<Option<StaffTokenRow>> {
    sqlx::query("UPDATE staff_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(ms(at))
        .bind(id)
        .execute(pool)
        .await?;
    sqlx::query("SELECT id, staff_id, name, created_at, revoked_at FROM staff_tokens WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(token_row)
        .transpose()
}

/// The unrevoked token with this digest.
pub(super) async fn active_token(pool: &SqlitePool, hash: &str) -> Result<Option<StaffTokenRow>> {
    sqlx::query(
        "SELECT id, staff_id, name, created_at, revoked_at FROM staff_tokens
         WHERE token_hash = ? AND revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(token_row)
    .transpose()
}

/// The ledger's revocations in force for a contact, oldest first.
pub(super) async fn revocations(
    pool: &SqlitePool,
    contact: &str,
) -> Result<Vec<RevocationInForce>> {
    sqlx::query(
        "SELECT contact, channel, revoked_at, words, via FROM consent_ledger
         WHERE contact = ? AND restored_at IS NULL ORDER BY revoked_at, id",
    )
    .bind(contact)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(RevocationInForce {
            contact: r.get("contact"),
            channel: r.get("channel"),
            revoked_at: ts(r.get("revoked_at"))?,
            words: r.get("words"),
            via: r.get("via"),
        })
    })
    .collect()
}

/// Acknowledges every open or breached escalation of `lead` for `by`, each with its event.
pub(super) async fn acknowledge_open_in(
    tx: &mut Transaction<'_, Sqlite>,
    lead: LeadId,
    by: &str,
    via: &str,
    at: Timestamp,
) -> Result<()> {
    let open = sqlx::query(
        "SELECT id, sla_due_at FROM escalations WHERE lead_id = ? AND status IN ('open', 'breached')
         ORDER BY id",
    )
    .bind(lead.0)
    .fetch_all(&mut **tx)
    .await?;
    for row in &open {
        let id: i64 = row.get("id");
        let sla_due_at = ts(row.get("sla_due_at"))?;
        sqlx::query(
            "UPDATE escalations SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?,
                 next_deadline_at = NULL WHERE id = ?",
        )
        .bind(ms(at))
        .bind(by)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        let event = NewEvent::new(
            at,
            TimelineEvent::EscalationAcknowledged(EscalationAcknowledged {
                escalation_id: id,
                by: by.to_owned(),
                within_sla: at <= sla_due_at,
                via: Some(via.to_owned()),
            }),
        );
        insert_events(tx, &[(lead, &event)]).await?;
    }
    Ok(())
}
