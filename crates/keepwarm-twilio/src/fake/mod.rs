//! A fake Twilio for tests and benchmarks (feature `fake`): an HTTP server on 127.0.0.1 that
//! serves CreateMessage, ListMessage, FetchMessage and CreateCall, checks basic auth, validates
//! every request against Twilio's OpenAPI description ([`schema`]) and answers in the spec's
//! shapes. It records every request, and can be told to fail: a recipient with an error code,
//! the next N requests with a status, added latency.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use keepwarm_twilio::{fake::FakeTwilio, TwilioClient};
//! let fake = FakeTwilio::start().await?;
//! fake.fail_to("+13125550199", 21610);
//! let client = TwilioClient::new(fake.config()).expect("client");
//! // ... send through `client`, then:
//! assert!(fake.violations().is_empty());
//! # Ok(()) }
//! ```
//!
//! It keeps its own manual clock ([`FakeTwilio::set_now`]) for `date_created` and `date_sent`:
//! nothing here reads the system clock. It must never be built into production: the feature
//! is off by default.

mod answers;
pub mod schema;

use crate::callbacks::DeliveryStatus;
use crate::client::TwilioConfig;
use crate::resources::{rfc2822, CallResource, MessageResource};
use crate::retry::RetryPolicy;
use crate::secret::AuthToken;
use jiff::Timestamp;
use schema::Spec;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// The account SID the fake accepts.
pub const FAKE_ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
/// The auth token the fake accepts.
pub const FAKE_AUTH_TOKEN: &str = "fake-auth-token-0123456789abcdef";

/// One request the fake received, as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// The path, e.g. `/2010-04-01/Accounts/AC.../Messages.json`.
    pub path: String,
    /// The query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The form parameters, in order.
    pub form: Vec<(String, String)>,
    /// The operation it was routed to (`CreateMessage`...), if any.
    pub operation: Option<String>,
    /// Whether its basic auth matched.
    pub authorized: bool,
}

impl RecordedRequest {
    /// The first form parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every form parameter called `name`, in order (array parameters such as
    /// `StatusCallbackEvent` repeat).
    pub fn params(&self, name: &str) -> Vec<&str> {
        self.form
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A request that broke the OpenAPI description; it was answered 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The operation (or `"unknown route"`).
    pub operation: String,
    /// `METHOD path`.
    pub request: String,
    /// Every problem found.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
struct InjectedFailure {
    status: u16,
    retry_after: Option<Duration>,
}

#[derive(Debug)]
struct State {
    now: Timestamp,
    requests: Vec<RecordedRequest>,
    /// Messages in creation order, as JSON shaped like the spec's.
    messages: Vec<Value>,
    calls: Vec<Value>,
    violations: Vec<Violation>,
    next_failures: VecDeque<InjectedFailure>,
    recipient_errors: HashMap<String, u32>,
    latency: Duration,
}

#[derive(Debug)]
struct Shared {
    spec: Arc<Spec>,
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(guard) => guard,
            // A test that panicked while holding the lock left valid data behind.
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// The running fake. Dropping it stops the server.
#[derive(Debug)]
pub struct FakeTwilio {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeTwilio {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeTwilio {
    /// Binds 127.0.0.1 on a free port and serves on the current tokio runtime. Its clock starts
    /// at 2026-01-01T00:00:00Z.
    pub async fn start() -> std::io::Result<FakeTwilio> {
        let spec = compiled_spec().map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared {
            spec,
            state: Mutex::new(State {
                now: Timestamp::from_second(1_767_225_600).unwrap_or(Timestamp::UNIX_EPOCH),
                requests: Vec::new(),
                messages: Vec::new(),
                calls: Vec::new(),
                violations: Vec::new(),
                next_failures: VecDeque::new(),
                recipient_errors: HashMap::new(),
                latency: Duration::ZERO,
            }),
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let app = axum::Router::new()
            .fallback(answers::handle)
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the fake Twilio server stopped");
            }
        });
        Ok(FakeTwilio {
            addr,
            shared,
            server,
        })
    }

    /// `http://127.0.0.1:PORT`, to use as the client's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client configuration for this fake: its URL and credentials, a 5 s timeout, no rate
    /// limit, and retries with 1 to 20 ms backoff so tests stay fast.
    pub fn config(&self) -> TwilioConfig {
        TwilioConfig {
            base_url: self.base_url(),
            send_rate: None,
            timeout: Duration::from_secs(5),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(20),
                max_retry_after: Duration::from_secs(2),
            },
            ..TwilioConfig::new(FAKE_ACCOUNT_SID, AuthToken::new(FAKE_AUTH_TOKEN))
        }
    }

    /// Sets the fake's clock, used for `date_created`, `date_sent` and `date_updated`.
    pub fn set_now(&self, now: Timestamp) {
        self.shared.lock().now = now;
    }

    /// Makes every CreateMessage or CreateCall to `number` fail with Twilio error `code`
    /// (HTTP 400, or 401 for 20003), e.g. `fail_to("+13125550199", 21610)`.
    pub fn fail_to(&self, number: &str, code: u32) {
        self.shared
            .lock()
            .recipient_errors
            .insert(number.to_owned(), code);
    }

    /// Answers the next `count` valid, authorised requests with HTTP `status` (429, 500, 503...)
    /// and Twilio's error body for it.
    pub fn fail_next(&self, count: usize, status: u16) {
        self.fail_next_inner(count, status, None);
    }

    /// As [`FakeTwilio::fail_next`], with a `Retry-After` header of `retry_after` (whole
    /// seconds).
    pub fn fail_next_with_retry_after(&self, count: usize, status: u16, retry_after: Duration) {
        self.fail_next_inner(count, status, Some(retry_after));
    }

    fn fail_next_inner(&self, count: usize, status: u16, retry_after: Option<Duration>) {
        let mut state = self.shared.lock();
        for _ in 0..count {
            state.next_failures.push_back(InjectedFailure {
                status,
                retry_after,
            });
        }
    }

    /// Delays every answer by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().latency = latency;
    }

    /// Removes every injected failure, recipient error and latency.
    pub fn clear_faults(&self) {
        let mut state = self.shared.lock();
        state.next_failures.clear();
        state.recipient_errors.clear();
        state.latency = Duration::ZERO;
    }

    /// Changes a stored message's status (as delivery would), for fetch and list to report.
    /// Returns whether the SID was known.
    pub fn set_message_status(&self, sid: &str, status: DeliveryStatus) -> bool {
        let mut state = self.shared.lock();
        let now = rfc2822::format(state.now);
        match state.messages.iter_mut().find(|m| m["sid"] == sid) {
            Some(message) => {
                message["status"] = serde_json::to_value(status).unwrap_or(Value::Null);
                message["date_updated"] = Value::String(now);
                true
            }
            None => false,
        }
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Every message created, in order.
    pub fn messages(&self) -> Vec<MessageResource> {
        self.shared
            .lock()
            .messages
            .iter()
            .filter_map(|m| serde_json::from_value(m.clone()).ok())
            .collect()
    }

    /// Every call created, in order.
    pub fn calls(&self) -> Vec<CallResource> {
        self.shared
            .lock()
            .calls
            .iter()
            .filter_map(|c| serde_json::from_value(c.clone()).ok())
            .collect()
    }

    /// Every request that broke the OpenAPI description. A test should assert this is empty.
    pub fn violations(&self) -> Vec<Violation> {
        self.shared.lock().violations.clone()
    }

    /// The property names of `operation`'s response schema in the OpenAPI description.
    pub fn response_properties(&self, operation: &str) -> Vec<String> {
        self.shared
            .spec
            .operation(operation)
            .map(|op| op.response_properties.clone())
            .unwrap_or_default()
    }
}

/// The validators, compiled from the OpenAPI subset once per process and shared by every fake.
fn compiled_spec() -> Result<Arc<Spec>, String> {
    static SPEC: OnceLock<Result<Arc<Spec>, String>> = OnceLock::new();
    SPEC.get_or_init(|| Spec::load().map(Arc::new)).clone()
}
