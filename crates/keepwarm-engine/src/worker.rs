//! The worker loop: drain what is due, then sleep until the next touch is due, something new may be
//! due (a lead, a resume: this process's own wake-up, or on PostgreSQL another process's
//! `NOTIFY keepwarm_work`), or the poll interval runs out. All the work is in [`Engine::drain`];
//! this only sleeps and wakes. Notifications are never the source of truth: a worker that missed
//! one finds the work at its next poll.

use std::sync::Arc;
use std::time::Duration;

use keepwarm_store::WorkListener;
use tokio::task::JoinHandle;

use crate::Engine;

/// Longest the worker sleeps without looking at the store, with the real clock. Touches due sooner
/// wake it at their due time and announced work wakes it at once; this bounds how long work
/// another process made due could wait when its announcement was lost (SQLite has none).
pub const POLL_INTERVAL: Duration = Duration::from_secs(30);

/// How often the worker removes raw documents past their retention.
pub const PURGE_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

/// Starts the worker on the current runtime. It ends after [`Engine::stop_dispatch`], once the batch
/// it is sending is recorded. Aborting the handle stops it at any point safely too: touches it
/// claimed are reconciled once their lease runs out.
pub fn spawn_worker(engine: Arc<Engine>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut announcements = listen(&engine).await;
        let mut purged_at = None;
        loop {
            if engine.is_stopping() {
                return;
            }
            let next = match engine.drain_then_next().await {
                Ok((_, next)) => next,
                Err(e) => {
                    tracing::error!(error = %e, "dispatch failed; retrying in 1s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            purge_now_and_then(&engine, &mut purged_at).await;
            if engine.clock().as_manual().is_some() {
                engine.woken().await;
                continue;
            }
            let sleep = next.map_or(POLL_INTERVAL, |next| {
                let wait = next.duration_since(engine.now());
                Duration::try_from(wait)
                    .unwrap_or(Duration::ZERO)
                    .min(POLL_INTERVAL)
            });
            tokio::select! {
                () = tokio::time::sleep(sleep) => {}
                () = engine.woken() => {}
                () = announced(&mut announcements) => {}
            }
        }
    })
}

/// Removes raw documents past their retention, at most once per [`PURGE_EVERY`] of the engine's
/// clock: retention is counted in days, so doing it on every wake-up would only cost a statement.
async fn purge_now_and_then(engine: &Engine, purged_at: &mut Option<jiff::Timestamp>) {
    let now = engine.now();
    if purged_at.is_some_and(|at| now.duration_since(at) < PURGE_EVERY) {
        return;
    }
    *purged_at = Some(now);
    if let Err(e) = engine.purge_old_documents().await {
        tracing::error!(error = %e, "removing raw documents past their retention failed");
    }
}

/// Listens for other processes' work announcements, when the store has them.
async fn listen(engine: &Engine) -> Option<WorkListener> {
    match engine.store().listen_for_work().await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for work announcements; polling only");
            None
        }
    }
}

/// The next announcement; never, without a listener.
async fn announced(listener: &mut Option<WorkListener>) {
    match listener {
        Some(l) => {
            if let Err(e) = l.next().await {
                tracing::warn!(error = %e, "the work announcement connection failed; reconnecting");
            }
        }
        None => std::future::pending().await,
    }
}
