//! `spawn_app`: the server on port 0 with a fresh database, the starter configuration, the sandbox
//! channel and a manual clock, plus typed helpers. Assertions on a lead print its whole timeline.
//!
//! The fresh database is SQLite in memory, or, with `KEEPWARM_TEST_BACKEND=postgres`, a database
//! of its own on the PostgreSQL server `KEEPWARM_TEST_PG` names (created for the test, dropped
//! after it; see [`fresh_store`]). Tests that restart the server or run two on one database use a
//! [`KeptDatabase`] of the same backend; tests that name a SQLite file stay on that file.

use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use keepwarm_channels::SandboxChannel;
use keepwarm_domain::config::{load_config, starter, Config};
use keepwarm_engine::{Engine, ManualClock};
use keepwarm_server::ServerSettings;
use keepwarm_store::testing::TestDatabase;
use serde_json::{json, Value};

pub const TOKEN: &str = "test-token";
pub const EMAIL_SECRET: &str = "mail-secret";
pub const TWILIO_TOKEN: &str = "twilio-auth-token";
pub const PUBLIC_URL: &str = "https://keepwarm.example.com";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub engine: Arc<Engine>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    worker: tokio::task::JoinHandle<()>,
    /// The PostgreSQL database made for this test, dropped with it.
    database: Option<TestDatabase>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        self.worker.abort();
    }
}

/// The environment variable choosing the backend of [`fresh_store`]: `sqlite` (the default) or
/// `postgres`.
pub const BACKEND_ENV: &str = "KEEPWARM_TEST_BACKEND";

/// A fresh, empty store on the backend [`BACKEND_ENV`] names, and the PostgreSQL database behind
/// it (keep it as long as the store: dropping it drops the database).
pub struct FreshStore {
    pub store: keepwarm_store::SharedStore,
    pub database: Option<TestDatabase>,
}

/// Whether this run's fresh stores are on PostgreSQL ([`BACKEND_ENV`]). Any other value than
/// `sqlite`, `postgres` or unset stops the test: a typo must not quietly test SQLite.
pub fn on_postgres() -> bool {
    match std::env::var(BACKEND_ENV).as_deref() {
        Err(_) | Ok("" | "sqlite") => false,
        Ok("postgres") => true,
        Ok(other) => panic!("{BACKEND_ENV}={other}: expected sqlite or postgres"),
    }
}

/// An empty store: SQLite in memory, or a new PostgreSQL database ([`BACKEND_ENV`]).
pub async fn fresh_store() -> FreshStore {
    if on_postgres() {
        let database = TestDatabase::create().await;
        let store = keepwarm_store::connect(&database.url)
            .await
            .expect("store on PostgreSQL");
        FreshStore {
            store,
            database: Some(database),
        }
    } else {
        FreshStore {
            store: keepwarm_store::connect("sqlite::memory:")
                .await
                .expect("store"),
            database: None,
        }
    }
}

/// The store at `db`; `sqlite::memory:` means a fresh store of this run's backend.
async fn store_at(db: &str) -> FreshStore {
    if db == "sqlite::memory:" {
        return fresh_store().await;
    }
    FreshStore {
        store: keepwarm_store::connect(db).await.expect("store"),
        database: None,
    }
}

pub fn starter_config() -> Config {
    load_config(&starter::files())
        .expect("starter config")
        .config
}

/// The starter configuration with the store open around the clock, so only the recipient's own
/// rules limit a touch.
pub fn open_all_hours() -> Config {
    let mut config = starter_config();
    for d in &mut config.dealerships {
        d.hours.insert(
            "sales".into(),
            keepwarm_domain::hours::WeeklyHours::always(),
        );
    }
    config
}

/// Tuesday 2026-12-01 09:00 in Chicago: inside the sales window.
pub const TUESDAY_9AM_CHICAGO: &str = "2026-12-01T15:00:00Z";

pub async fn spawn_app(start: &str) -> TestApp {
    spawn_app_with("sqlite::memory:", start).await
}

pub async fn spawn_app_on(db: &Path, start: &str) -> TestApp {
    spawn_app_with(&format!("sqlite://{}", db.display()), start).await
}

/// A database that outlives the apps started on it, for restarts and for several servers on one
/// database: a SQLite file in a directory of its own, or, on the PostgreSQL run ([`BACKEND_ENV`]),
/// a PostgreSQL database of its own. Both are removed when this is dropped.
pub struct KeptDatabase {
    /// `sqlite://PATH` or `postgres://...`.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    _database: Option<TestDatabase>,
}

impl KeptDatabase {
    /// A new, empty database on this run's backend.
    pub async fn create() -> KeptDatabase {
        if on_postgres() {
            let database = TestDatabase::create().await;
            KeptDatabase {
                url: database.url.clone(),
                _dir: None,
                _database: Some(database),
            }
        } else {
            let dir = tempfile::tempdir().expect("temporary directory");
            KeptDatabase {
                url: format!("sqlite://{}", dir.path().join("keepwarm.db").display()),
                _dir: Some(dir),
                _database: None,
            }
        }
    }
}

/// The server on `db`, a database that outlives it ([`KeptDatabase`]).
pub async fn spawn_app_at(db: &KeptDatabase, start: &str) -> TestApp {
    spawn_app_with(&db.url, start).await
}

async fn spawn_app_with(db: &str, start: &str) -> TestApp {
    spawn_app_configured(starter_config(), db, start).await
}

/// The server with its own configuration, on `db` (`sqlite::memory:`, a fresh store of this run's
/// backend, or the URL of an existing database: `sqlite://PATH`, a [`KeptDatabase`]'s).
pub async fn spawn_app_configured(config: Config, db: &str, start: &str) -> TestApp {
    let FreshStore { store, database } = store_at(db).await;
    // The sandbox names its e-mails as `serve` does: Message-IDs and reply addresses signed with
    // the key the server checks reply tags with.
    let signer = keepwarm_email::UnsubscribeSigner::new(
        "k1",
        keepwarm_email::Secret::new("test-unsubscribe-key-0123456789abcdef"),
    )
    .expect("signer");
    let channel = Arc::new(
        SandboxChannel::new(keepwarm_engine::sandbox_outbox(&store).unwrap())
            .with_email(signer.clone(), config.dealerships.clone()),
    );
    let settings = test_settings(TWILIO_TOKEN, Some(Arc::new(signer)));
    launch(config, store, channel, start, settings)
        .await
        .holding(database)
}

/// The settings every test server gets: the API token, the e-mail webhook secret, the Twilio
/// webhooks signed with `twilio_token` and reached at [`PUBLIC_URL`].
pub fn test_settings(
    twilio_token: &str,
    unsubscribe: Option<Arc<keepwarm_email::UnsubscribeSigner>>,
) -> ServerSettings {
    ServerSettings {
        api_token: TOKEN.into(),
        sandbox: true,
        email_secret: Some(EMAIL_SECRET.into()),
        twilio: Some(keepwarm_server::TwilioWebhooks {
            auth_token: twilio_token.into(),
            public_url: PUBLIC_URL.into(),
        }),
        unsubscribe,
        sandbox_only: false,
        metrics_token: None,
        workspace: Default::default(),
    }
}

/// Starts the engine, its worker and the server on port 0.
pub async fn launch(
    config: Config,
    store: keepwarm_store::SharedStore,
    channel: keepwarm_channels::SharedChannel,
    start: &str,
    settings: ServerSettings,
) -> TestApp {
    let clock = Arc::new(ManualClock::new(start.parse().expect("start instant")));
    let engine = Engine::new(config, store, channel, clock)
        .await
        .expect("engine");
    engine.reconcile().await.expect("reconcile");
    let worker = keepwarm_engine::worker::spawn_worker(engine.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    let server = tokio::spawn(keepwarm_server::serve(
        listener,
        engine.clone(),
        settings,
        std::future::pending(),
    ));
    TestApp {
        address,
        client: reqwest::Client::new(),
        engine,
        server,
        worker,
        database: None,
    }
}

impl TestApp {
    /// Keeps `database` (the test's PostgreSQL database, if any) until the app is dropped.
    pub fn holding(mut self, database: Option<TestDatabase>) -> Self {
        self.database = database;
        self
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .bearer_auth(TOKEN)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .bearer_auth(TOKEN)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// Posts a lead and returns its id, failing with the response body if it was not created.
    pub async fn create_lead(&self, lead: &Value) -> i64 {
        let response = self.post("/api/v1/leads", lead).await;
        let status = response.status();
        let body: Value = response.json().await.expect("json");
        assert_eq!(status, 201, "lead not created: {body}");
        body["id"].as_i64().expect("id")
    }

    pub async fn lead(&self, id: i64) -> Value {
        self.get(&format!("/api/v1/leads/{id}"))
            .await
            .json()
            .await
            .expect("json")
    }

    pub async fn outbox(&self, lead: Option<i64>) -> Vec<Value> {
        let path = match lead {
            Some(id) => format!("/api/v1/sandbox/outbox?lead={id}"),
            None => "/api/v1/sandbox/outbox".into(),
        };
        self.get(&path).await.json().await.expect("json")
    }

    pub async fn tasks(&self, owner: Option<&str>) -> Vec<Value> {
        let path = match owner {
            Some(o) => format!("/api/v1/tasks?owner={o}"),
            None => "/api/v1/tasks".into(),
        };
        self.get(&path).await.json().await.expect("json")
    }

    pub async fn timeline(&self, id: i64) -> Vec<Value> {
        self.get(&format!("/api/v1/leads/{id}/timeline"))
            .await
            .json()
            .await
            .expect("json")
    }

    /// The timeline as readable lines, for failure messages.
    pub async fn story(&self, id: i64) -> String {
        self.timeline(id)
            .await
            .iter()
            .map(|e| {
                format!(
                    "  {} {:<18} {}",
                    e["at"].as_str().unwrap_or(""),
                    e["kind"].as_str().unwrap_or(""),
                    e["data"]
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub async fn advance(&self, by: &str) -> Value {
        let response = self
            .post("/api/v1/sandbox/clock", &json!({"advance": by}))
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }

    pub async fn advance_to(&self, to: &str) -> Value {
        let response = self.post("/api/v1/sandbox/clock", &json!({"to": to})).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }

    /// A customer's text through the sandbox, answered 200; returns what it did.
    pub async fn reply(&self, from: &str, body: &str) -> Value {
        let response = self
            .post(
                "/api/v1/sandbox/inbound",
                &json!({"from": from, "body": body}),
            )
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }

    pub fn now(&self) -> Timestamp {
        self.engine.now()
    }
}

/// A fresh internet inquiry for a Chicago number.
pub fn inquiry(phone: &str) -> Value {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    json!({
        "source": {"kind": "internet", "provider": "Cars.com", "provider_lead_id": format!("cars-{phone}")},
        "customer": {"first_name": "Dana", "last_name": "Reyes", "phones": [phone], "emails": [format!("dana{digits}@example.com")]},
        "vehicles": [{"interest": "buy", "condition": "used", "year": 2022, "make": "Honda", "model": "CR-V", "trim": "EX"}],
        "payment": {"monthly_target": 450},
    })
}
