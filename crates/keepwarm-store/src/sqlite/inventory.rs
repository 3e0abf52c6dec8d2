//! The inventory feed's table: replaced whole by an import, read by the keys of a batch's leads.

use std::collections::HashSet;

use jiff::Timestamp;
use sqlx::SqlitePool;

use crate::Result;

/// Replaces a dealership's inventory with `items` (`(key, available)`) in one transaction.
pub(super) async fn replace_inventory(
    pool: &SqlitePool,
    dealership: &str,
    items: &[(String, bool)],
    now: Timestamp,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM inventory WHERE dealership = ?")
        .bind(dealership)
        .execute(&mut *tx)
        .await?;
    for (key, available) in items {
        sqlx::query(
            "INSERT INTO inventory (dealership, key, available, imported_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (dealership, key) DO UPDATE SET available = excluded.available",
        )
        .bind(dealership)
        .bind(key)
        .bind(available)
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Which of `keys` the dealership's inventory holds as available.
pub(super) async fn available_stock(
    pool: &SqlitePool,
    dealership: &str,
    keys: &[String],
) -> Result<HashSet<String>> {
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<String> = sqlx::query_scalar(
        "SELECT key FROM inventory WHERE dealership = ? AND available = 1
         AND key IN (SELECT value FROM json_each(?))",
    )
    .bind(dealership)
    .bind(serde_json::to_string(keys).unwrap_or_else(|_| "[]".into()))
    .fetch_all(pool)
    .await?;
    Ok(found.into_iter().collect())
}
