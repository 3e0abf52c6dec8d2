//! Paged reads of the tasks: a page starts after the previous page's last row
//! (keyset paging), so rows added meanwhile never shift a page or repeat a row.

use crate::rows::task_row;
use sqlx::SqlitePool;

use crate::records::TaskRow;
use crate::{Page, Result};

/// Tasks, open ones first, then by due time and id. The key is `[done (0 or 1), due (ms), id]`.
pub(super) async fn tasks(
    pool: &SqlitePool,
    owner: Option<&str>,
    page: &Page,
) -> Result<Vec<TaskRow>> {
    let (done, due, id) = match page.after.as_deref() {
        Some([done, due, id]) => (*done, *due, *id),
        // Before every row: open (0), the earliest instant, id 0.
        _ => (0, i64::MIN, 0),
    };
    sqlx::query(
        "SELECT * FROM tasks WHERE (?1 IS NULL OR owner_id = ?1)
           AND ((status = 'done') > ?2
             OR ((status = 'done') = ?2 AND (due_at > ?3 OR (due_at = ?3 AND id > ?4))))
         ORDER BY status = 'done', due_at, id LIMIT ?5",
    )
    .bind(owner)
    .bind(done)
    .bind(due)
    .bind(id)
    .bind(i64::from(page.limit.max(1)))
    .fetch_all(pool)
    .await?
    .iter()
    .map(task_row)
    .collect()
}
