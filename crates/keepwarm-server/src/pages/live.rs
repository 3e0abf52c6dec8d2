//! `/live`: Server-Sent Events telling open pages that something changed, so they redraw their
//! live regions (a hot reply appears on Today without reloading).
//!
//! One watcher per server reads the newest timeline event id every [`POLL`] and publishes it on a
//! watch channel; every open stream sends `event: changed` when it moves. Watching the store rather
//! than the engine's calls sees changes made by any process sharing the database (the worker, the
//! CLI, a second server). The watcher starts with the first stream and stops with the last.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::Stream;
use keepwarm_engine::Engine;
use tokio::sync::watch;

use super::session::Viewer;
use crate::AppState;

/// How often the watcher reads the newest event id: the bound on how late a page learns of a
/// change (well under the second the issue allows).
pub const POLL: Duration = Duration::from_millis(250);

/// The shared watcher: the receiver open streams clone, while any is open.
#[derive(Default)]
pub struct LiveFeed {
    current: Mutex<Weak<watch::Receiver<i64>>>,
}

impl std::fmt::Debug for LiveFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveFeed").finish_non_exhaustive()
    }
}

impl LiveFeed {
    /// A receiver of the newest event id, starting the watcher if none runs.
    fn subscribe(&self, engine: &Arc<Engine>) -> Arc<watch::Receiver<i64>> {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(rx) = current.upgrade() {
            return rx;
        }
        let (tx, rx) = watch::channel(0);
        let rx = Arc::new(rx);
        *current = Arc::downgrade(&rx);
        tokio::spawn(watch_events(Arc::downgrade(engine), tx));
        rx
    }
}

/// Publishes the newest event id until no stream listens (or the engine is gone).
async fn watch_events(engine: Weak<Engine>, tx: watch::Sender<i64>) {
    let mut interval = tokio::time::interval(POLL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        if tx.receiver_count() == 0 {
            return;
        }
        let Some(engine) = engine.upgrade() else {
            return;
        };
        match engine.store().latest_event_id().await {
            Ok(id) => {
                tx.send_if_modified(|seen| {
                    let moved = *seen != id;
                    *seen = id;
                    moved
                });
            }
            Err(e) => tracing::warn!(error = %e, "live updates: reading the newest event failed"),
        }
    }
}

/// `GET /live`: `event: changed` whenever the timeline moves; a comment every 15 s keeps proxies
/// from closing the stream.
pub(super) async fn stream(
    State(state): State<AppState>,
    _viewer: Viewer,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let shared = state.live.subscribe(&state.engine);
    let mut rx = (*shared).clone();
    rx.mark_unchanged();
    let events = futures::stream::unfold((rx, shared), |(mut rx, shared)| async move {
        rx.changed().await.ok()?;
        let id = *rx.borrow_and_update();
        let event = Event::default().event("changed").data(id.to_string());
        Some((Ok(event), (rx, shared)))
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
