//! The worker loop: drain what is due, then sleep until the next touch is due or something new may
//! be due (a lead, a resume). All the work is in [`Engine::drain`]; this only sleeps and wakes.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::Engine;

/// Longest the worker sleeps without looking at the store, with the real clock. Touches due sooner
/// wake it at their due time; this only bounds how long a touch scheduled by another process could
/// wait.
const MAX_SLEEP: Duration = Duration::from_secs(30);

/// Starts the worker on the current runtime. It ends after [`Engine::stop_dispatch`], once the batch
/// it is sending is recorded. Aborting the handle stops it at any point safely too: touches it
/// claimed are reconciled once their lease runs out.
pub fn spawn_worker(engine: Arc<Engine>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if engine.is_stopping() {
                return;
            }
            if let Err(e) = engine.drain().await {
                tracing::error!(error = %e, "dispatch failed; retrying in 1s");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            if let Err(e) = engine.purge_old_documents().await {
                tracing::error!(error = %e, "removing raw documents past their retention failed");
            }
            if engine.clock().as_manual().is_some() {
                engine.woken().await;
                continue;
            }
            let sleep = match engine.next_work_at().await {
                Ok(Some(next)) => {
                    let wait = next.duration_since(engine.now());
                    Duration::try_from(wait)
                        .unwrap_or(Duration::ZERO)
                        .min(MAX_SLEEP)
                }
                Ok(None) => MAX_SLEEP,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the next due time");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                () = tokio::time::sleep(sleep) => {}
                () = engine.woken() => {}
            }
        }
    })
}
