//! Several engines on one database: each touch is claimed by one worker with a lease, and only
//! touches whose lease ran out are reconciled, so two servers sharing a database file never send a
//! touch twice.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::Timestamp;
use keepwarm_channels::{Channel, ChannelError, Delivered, Delivery, Message, SandboxChannel};
use tokio::sync::{oneshot, Notify};

use keepwarm_domain::config::Config;
use serde_json::json;

use crate::helpers::{
    inquiry, launch, starter_config, test_settings, KeptDatabase, TestApp, TWILIO_TOKEN,
};

/// Sends per touch, counted across every engine of a test.
type Sends = Arc<Mutex<BTreeMap<i64, usize>>>;

/// The sandbox, counting every touch handed to it. With `hold`, its first batch of touches waits
/// until the test lets it go (a provider that takes its time), saying when it starts waiting.
struct SlowCounting {
    inner: SandboxChannel,
    sends: Sends,
    /// Touches this server sent.
    mine: Arc<AtomicUsize>,
    started: Arc<Notify>,
    hold: Mutex<Option<oneshot::Receiver<()>>>,
}

#[async_trait]
impl Channel for SlowCounting {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn send(&self, m: &Message) -> Result<Delivery, ChannelError> {
        self.send_batch(std::slice::from_ref(m))
            .await
            .pop()
            .unwrap_or_else(|| Err(ChannelError::Unavailable("no result".into())))
    }

    async fn send_batch(&self, messages: &[Message]) -> Vec<Result<Delivery, ChannelError>> {
        {
            let mut sends = self.sends.lock().unwrap();
            for touch in messages.iter().filter_map(|m| m.touch_id) {
                *sends.entry(touch).or_default() += 1;
                self.mine.fetch_add(1, Ordering::SeqCst);
            }
        }
        let touches = messages.iter().any(|m| m.touch_id.is_some());
        let hold = touches.then(|| self.hold.lock().unwrap().take()).flatten();
        if let Some(hold) = hold {
            self.started.notify_one();
            let _ = hold.await;
        }
        self.inner.send_batch(messages).await
    }

    async fn lookup(
        &self,
        m: &Message,
        since: Timestamp,
    ) -> Result<Option<Delivered>, ChannelError> {
        self.inner.lookup(m, since).await
    }
}

/// A server on the database `db` (a URL), its clock at `start`, sending through a channel that
/// counts into `sends` and `mine` and, with `hold`, holds its first batch.
async fn server_on(
    db: &str,
    start: &str,
    sends: &Sends,
    mine: &Arc<AtomicUsize>,
    started: &Arc<Notify>,
    hold: Option<oneshot::Receiver<()>>,
) -> TestApp {
    server_configured(starter_config(), db, start, sends, mine, started, hold).await
}

/// [`server_on`] with its own configuration.
async fn server_configured(
    config: Config,
    db: &str,
    start: &str,
    sends: &Sends,
    mine: &Arc<AtomicUsize>,
    started: &Arc<Notify>,
    hold: Option<oneshot::Receiver<()>>,
) -> TestApp {
    let store = keepwarm_store::connect(db).await.unwrap();
    let channel = Arc::new(SlowCounting {
        inner: SandboxChannel::new(keepwarm_engine::sandbox_outbox(&store).unwrap()),
        sends: sends.clone(),
        mine: mine.clone(),
        started: started.clone(),
        hold: Mutex::new(hold),
    });
    let settings = test_settings(TWILIO_TOKEN, None);
    launch(config, store, channel, start, settings).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_dispatching_from_one_database_send_every_touch_exactly_once() {
    // More first texts than one batch claims, all due at the same instant.
    const LEADS: usize = 300;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("shared.db").display());
    let sends = Sends::default();
    let started = Arc::new(Notify::new());
    let (by_first, by_second) = (Arc::default(), Arc::default());
    // 02:00 in Chicago: the leads' first texts wait for the store to open at 09:00 (15:00Z).
    let (release, hold) = oneshot::channel();
    let first = server_on(
        &db,
        "2026-12-01T08:00:00Z",
        &sends,
        &by_first,
        &started,
        Some(hold),
    )
    .await;
    for i in 0..LEADS {
        first
            .create_lead(&inquiry(&format!("(312) 555-{:04}", 3000 + i)))
            .await;
    }
    let opening = "2026-12-01T15:00:00Z";
    let first_drain = tokio::spawn({
        let engine = first.engine.clone();
        async move { engine.advance_to(opening.parse().unwrap()).await }
    });
    // While the first server's channel holds its first batch, a second server starts on the same
    // file (reconciling at start-up, as `serve` does) and its worker dispatches what is left.
    started.notified().await;
    let second = server_on(&db, opening, &sends, &by_second, &started, None).await;
    second.engine.drain().await.unwrap();
    release.send(()).unwrap();
    first_drain.await.unwrap().unwrap();
    let outbox = first.outbox(None).await;
    let sends = sends.lock().unwrap().clone();
    let twice: Vec<(&i64, &usize)> = sends.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "touches sent more than once: {twice:?}");
    assert_eq!(outbox.len(), sends.len());
    assert!(
        sends.len() >= LEADS,
        "{} of {LEADS} first texts",
        sends.len()
    );
    let (by_first, by_second) = (
        by_first.load(Ordering::SeqCst),
        by_second.load(Ordering::SeqCst),
    );
    assert!(
        by_first > 0 && by_second > 0,
        "both servers dispatched: {by_first} and {by_second} touches"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_batches_in_flight_for_one_capped_person_send_only_what_the_cap_allows() {
    // Maine allows one automated text per 8 hours to a person, counted across dealerships.
    let db = KeptDatabase::create().await;
    let mut config = starter_config();
    let mut north = config.dealerships[0].clone();
    north.id = "north".into();
    config.dealerships.push(north);
    let phone = "(207) 555-0142";
    let lead_at = |dealership: &str| {
        let mut lead = inquiry(phone);
        lead["dealership"] = json!(dealership);
        lead["source"]["provider_lead_id"] = json!(format!("cars-{dealership}"));
        // Asked two days ago: the first text is an automated solicitation the cap counts, not an
        // answer to a fresh inquiry.
        lead["received_at"] = json!("2026-11-29T15:00:00Z");
        lead
    };
    let sends = Sends::default();
    let started = Arc::new(Notify::new());
    let (by_first, by_second) = (Arc::default(), Arc::default());
    // 03:00 in Maine: the first lead's text waits for the store to open at 09:00 Chicago (15:00Z).
    let (release, hold) = oneshot::channel();
    let first = server_configured(
        config.clone(),
        &db.url,
        "2026-12-01T08:00:00Z",
        &sends,
        &by_first,
        &started,
        Some(hold),
    )
    .await;
    let one = first.create_lead(&lead_at("main")).await;
    let opening = "2026-12-01T15:00:00Z";
    let first_drain = tokio::spawn({
        let engine = first.engine.clone();
        async move { engine.advance_to(opening.parse().unwrap()).await }
    });
    // The first server's text to the Maine number is in flight (its provider holds it) when the
    // second server gets the same person's other lead and dispatches its text.
    started.notified().await;
    let second =
        server_configured(config, &db.url, opening, &sends, &by_second, &started, None).await;
    let two = second.create_lead(&lead_at("north")).await;
    second.engine.drain().await.unwrap();
    release.send(()).unwrap();
    first_drain.await.unwrap().unwrap();
    let texts = |outbox: Vec<serde_json::Value>| {
        outbox
            .into_iter()
            .filter(|m| m["channel"] == "sms" && m["to"] == "+12075550142")
            .count()
    };
    let story = format!("{}\n{}", second.story(one).await, second.story(two).await);
    assert_eq!(texts(second.outbox(None).await), 1, "{story}");
    let timeline = second.timeline(two).await;
    let capped = timeline
        .iter()
        .find(|e| e["kind"] == "touch_deferred")
        .unwrap_or_else(|| panic!("no deferral:\n{story}"));
    assert!(capped["data"].to_string().contains("US-ME.cap"), "{capped}");
    // Deferred, not dropped: it goes once the first text is 8 hours old.
    second.advance("PT9H").await;
    assert_eq!(
        texts(second.outbox(Some(two)).await),
        1,
        "{}",
        second.story(two).await
    );
    assert_eq!(texts(second.outbox(None).await), 2);
}
