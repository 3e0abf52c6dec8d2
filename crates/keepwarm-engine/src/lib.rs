//! keepwarm's engine driver: it carries out what keepwarm-domain decides, against a store and a
//! channel, on a clock.
//!
//! [`Engine`] ingests leads (segment, owner, cadence version, first touch — one transaction), runs
//! the dispatcher one batch at a time ([`Engine::run_next_due`]), reconciles touches a crash left in
//! `sending`, and applies follow-up changes (stop, pause, resume, reassign, inbound messages). The
//! worker loop around the dispatcher ([`worker`]) only sleeps and wakes. Nothing here holds a database
//! transaction across a channel call.
#![forbid(unsafe_code)]

mod appointments;
pub mod audit;
mod callbacks;
pub mod calls;
pub mod clock;
pub mod compliance_explain;
pub mod config_dir;
mod consent;
pub mod context;
pub mod conversation;
mod delivery;
mod dispatch;
pub mod dnc;
pub mod documents;
mod email_replies;
mod escalate;
mod follow_up;
mod import;
mod inbound_calls;
mod ingest;
mod intake_cap;
mod inventory;
pub mod kill_switch;
mod lead_facts;
mod machine;
mod matched;
mod opt_out_hold;
mod outbound;
mod outcome_import;
mod outcomes;
mod people;
mod role;
pub mod sandbox_calls;
pub mod sign_in;
pub mod sign_in_limits;
pub mod staff_messages;
pub mod staff_tokens;
pub mod telemetry;
mod timers;
pub mod worker;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use keepwarm_channels::{PgOutbox, SharedChannel, SharedOutbox, SqliteOutbox};
use keepwarm_domain::cadence::CadenceSnapshot;
use keepwarm_domain::config::Config;
use keepwarm_domain::lead::FieldError;
use keepwarm_store::{NewCadenceVersion, Pools, SharedStore, StoreError};
use tokio::sync::Notify;

pub use callbacks::{CallAnswer, CallOutcome, DeliveryReport};
pub use calls::{CallPlaced, CallReport};
pub use clock::{Clock, ManualClock, SystemClock};
pub use dispatch::{Ran, Reconciled};
pub use email_replies::EmailReceived;
pub use follow_up::{InboundMedia, InboundMessage, InboundOutcome};
pub use import::{ImportRow, RowOutcome};
pub use inbound_calls::{DialEnded, InboundRing, RingNext, StaffCall};
pub use ingest::{CadenceRef, IngestOptions, IngestOutcome};
pub use opt_out_hold::HoldDecision;
pub use outcome_import::{OutcomeRowReport, RowResult};
pub use outcomes::{OutcomeInput, OutcomeResult, MAX_REASON};
pub use people::{ErasureReport, PersonExport, SUPPRESSED_REFUSAL};
pub use role::WorkerOptions;
pub use sandbox_calls::{CallScript, PlayedCall};
pub use staff_messages::{StaffMessage, StaffMessageSent};

/// Errors from the engine, by what the caller should tell its user.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The input is not acceptable; each problem names its field.
    #[error("invalid input: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Validation(Vec<FieldError>),
    /// The lead, staff member or other thing named does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The request conflicts with the current state (resuming a stopped lead, ...).
    #[error("{0}")]
    Conflict(String),
    /// The compliance gate refused a person's message to a customer (opted out, consent revoked,
    /// outside the contact window); `next_opening` says when the window opens again, if it will.
    #[error("{reason}")]
    Refused {
        /// Why, naming the revocation or the closed window.
        reason: String,
        /// When the customer's contact window next opens.
        next_opening: Option<Timestamp>,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A provider needed for the request could not be reached or could not say whether it acted
    /// (a call could not be placed); nothing was done that needs undoing.
    #[error("{0}")]
    Unavailable(String),
    /// Stored data refers to configuration that is gone (a cadence version that was never kept).
    #[error("inconsistent data: {0}")]
    Inconsistent(String),
    /// The inquiry went over its source's hourly cap and is held for a person (not a lead yet).
    #[error("held for a person as inquiry {id}: {reason}")]
    Held {
        /// The held inquiry's id.
        id: i64,
        /// Why.
        reason: String,
    },
}

impl EngineError {
    pub(crate) fn field(field: &str, message: impl Into<String>) -> Self {
        EngineError::Validation(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }
}

/// An engine result.
pub type Result<T> = std::result::Result<T, EngineError>;

/// The sandbox channel's outbox, kept in the store's database through the store's own pools (so an
/// in-memory database is shared too), on SQLite or PostgreSQL.
pub fn sandbox_outbox(store: &SharedStore) -> Result<SharedOutbox> {
    Ok(match store.pools() {
        Pools::Sqlite(pools) => Arc::new(SqliteOutbox::new(pools.writer, pools.reader)),
        Pools::Postgres(pool) => Arc::new(PgOutbox::new(pool)),
    })
}

/// The follow-up engine.
pub struct Engine {
    config: Arc<Config>,
    store: SharedStore,
    channel: SharedChannel,
    clock: Arc<dyn Clock>,
    wake: Notify,
    /// With a manual clock, drains run one at a time so simulated time moves in steps: a request
    /// that moved the clock returns only once the work due on the way is recorded. The real clock
    /// never takes it, and exactly-once never rests on it: every claim carries a lease.
    manual_steps: tokio::sync::Mutex<()>,
    /// Set by [`Engine::stop_dispatch`]: the dispatcher finishes its batch and starts no other.
    stopping: std::sync::atomic::AtomicBool,
    intake: tokio::sync::mpsc::Sender<import::IntakeJob>,
    classifier: keepwarm_classify::Classifier,
    current: BTreeMap<String, (String, Arc<CadenceSnapshot>)>,
    snapshots: Mutex<HashMap<(String, String), Arc<CadenceSnapshot>>>,
    /// Transports whose outage the managers were already told about.
    outages_alerted: Mutex<std::collections::HashSet<String>>,
    /// This process's name on the leases it takes on queued work.
    worker: String,
    /// Whether this process dispatches, and its leases.
    role: WorkerOptions,
    /// The suppression list's hashing key, read once (see `people`).
    suppression_key: tokio::sync::OnceCell<String>,
    /// Counters and histograms of the engine's work.
    telemetry: telemetry::Telemetry,
    /// A test seam: where the next read of the kill switches waits (see
    /// [`Engine::pause_after_next_switch_read`]).
    #[cfg(feature = "testing")]
    switch_pause: kill_switch::SwitchReadPause,
}

impl Engine {
    /// Builds an engine that dispatches with the built-in leases, and keeps the current version of
    /// every configured cadence in the store.
    pub async fn new(
        config: Config,
        store: SharedStore,
        channel: SharedChannel,
        clock: Arc<dyn Clock>,
    ) -> Result<Arc<Self>> {
        Self::with_role(config, store, channel, clock, WorkerOptions::default()).await
    }

    /// [`Engine::new`] for a process in the given role (HTTP only, a short lease, ...).
    pub async fn with_role(
        config: Config,
        store: SharedStore,
        channel: SharedChannel,
        clock: Arc<dyn Clock>,
        role: WorkerOptions,
    ) -> Result<Arc<Self>> {
        let now = clock.now();
        let mut current = BTreeMap::new();
        let mut snapshots = HashMap::new();
        for cadence in config.cadences.values() {
            let snapshot = Arc::new(CadenceSnapshot::new(cadence, &config.blocks));
            let version = snapshot.version();
            store
                .save_cadence_version(&NewCadenceVersion {
                    name: cadence.name.clone(),
                    version: version.clone(),
                    label: cadence.label.clone(),
                    snapshot: serde_json::to_string(&*snapshot)
                        .map_err(|e| EngineError::Inconsistent(e.to_string()))?,
                    at: now,
                })
                .await?;
            snapshots.insert((cadence.name.clone(), version.clone()), snapshot.clone());
            current.insert(cadence.name.clone(), (version, snapshot));
        }
        let classifier = match &config.reply_phrases {
            Some(text) => keepwarm_classify::Classifier::default_with_overrides(text)
                .map_err(|e| EngineError::Inconsistent(format!("replies.toml: {e}")))?,
            None => keepwarm_classify::Classifier::default_set(),
        };
        let (intake, jobs) = tokio::sync::mpsc::channel(1024);
        let engine = Arc::new(Self {
            config: Arc::new(config),
            store,
            channel,
            clock,
            wake: Notify::new(),
            manual_steps: tokio::sync::Mutex::new(()),
            stopping: std::sync::atomic::AtomicBool::new(false),
            intake,
            classifier,
            current,
            snapshots: Mutex::new(snapshots),
            outages_alerted: Mutex::new(Default::default()),
            worker: worker_name(),
            role,
            suppression_key: tokio::sync::OnceCell::new(),
            telemetry: telemetry::Telemetry::default(),
            #[cfg(feature = "testing")]
            switch_pause: Default::default(),
        });
        import::spawn_intake(Arc::downgrade(&engine), jobs);
        Ok(engine)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The store.
    pub fn store(&self) -> &SharedStore {
        &self.store
    }

    /// How each transport behind the channel is doing.
    pub fn channel_health(&self) -> Vec<keepwarm_channels::TransportHealth> {
        self.channel.health()
    }

    /// The engine's metrics, for the server to register and expose.
    pub fn telemetry(&self) -> &telemetry::Telemetry {
        &self.telemetry
    }

    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    /// Now, by the engine's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The current version of a configured cadence.
    pub fn current_version(&self, cadence: &str) -> Option<&str> {
        self.current.get(cadence).map(|(v, _)| v.as_str())
    }

    /// A cadence version's snapshot, from memory or the store.
    pub(crate) async fn snapshot(&self, name: &str, version: &str) -> Result<Arc<CadenceSnapshot>> {
        let key = (name.to_owned(), version.to_owned());
        if let Some(s) = self.lock_snapshots().get(&key) {
            return Ok(s.clone());
        }
        let json = self
            .store
            .cadence_version(name, version)
            .await?
            .ok_or_else(|| {
                EngineError::Inconsistent(format!(
                    "cadence {name} version {version} was never kept"
                ))
            })?;
        let snapshot: CadenceSnapshot = serde_json::from_str(&json).map_err(|e| {
            EngineError::Inconsistent(format!("cadence {name} version {version}: {e}"))
        })?;
        let snapshot = Arc::new(snapshot);
        self.lock_snapshots().insert(key, snapshot.clone());
        Ok(snapshot)
    }

    fn lock_snapshots(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, String), Arc<CadenceSnapshot>>> {
        self.snapshots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Called after anything that may have made work due: with a manual clock the work due now is
    /// done before returning (so a demo or test sees it at once); with the real clock the workers
    /// are woken ([`Engine::wake_workers`]), so there is no polling interval between a lead and its
    /// first touch.
    pub(crate) async fn after_change(&self) -> Result<()> {
        if self.clock.as_manual().is_some() && self.role.dispatches {
            self.drain().await?;
        } else {
            self.wake_workers().await;
        }
        Ok(())
    }

    /// Wakes this process's worker and, on PostgreSQL, every other process's
    /// (`NOTIFY keepwarm_work`): work may be due now. Only a hint, so a failed notification is
    /// logged, not returned: workers still look at the store on their timer.
    pub(crate) async fn wake_workers(&self) {
        self.wake.notify_one();
        if let Err(e) = self.store.announce_work().await {
            tracing::warn!(error = %e, "could not wake other processes' workers; they will poll");
        }
    }

    /// How this process takes part in the work queue.
    pub fn role(&self) -> &WorkerOptions {
        &self.role
    }

    /// This process's name on the leases it takes.
    pub fn worker_name(&self) -> &str {
        &self.worker
    }

    /// Asks the dispatcher to stop (a shutdown): the batch being sent is recorded, no further batch
    /// is claimed, and the worker loop ends.
    pub fn stop_dispatch(&self) {
        self.stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Whether [`Engine::stop_dispatch`] was called.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits until something may have made work due.
    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }
}

/// A name for this process's leases, unique across processes and machines sharing a database: the
/// process id and a per-process random number.
fn worker_name() -> String {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!("worker-{}-{random:016x}", std::process::id())
}
