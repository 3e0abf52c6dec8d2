//! [`TwilioClient`]: the REST calls keepwarm makes (send a text, place a call, list and fetch
//! messages for crash reconciliation), with basic auth, a timeout, the retries described in
//! [`crate::retry`] and the per-number [`SendRateLimiter`]. Owns the HTTP; knows nothing of
//! keepwarm's engine or store.

use crate::error::{TwilioError, TwilioErrorBody};
use crate::limiter::{RateLimit, SendRateLimiter, SharedSchedule};
use crate::resources::{
    CallResource, CreateCall, MessagePage, MessageResource, SendMessage, Sender,
};
use crate::retry::{AttemptFailure, RequestKind, RetryPolicy};
use crate::secret::AuthToken;
use jiff::Timestamp;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Twilio's REST API host.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// How many pages [`TwilioClient::find_sent_message`] reads at most (50 messages each).
const RECONCILE_MAX_PAGES: usize = 20;

/// Everything the client needs; `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// The API root: [`DEFAULT_BASE_URL`], or a fake server's URL in tests.
    pub base_url: String,
    /// The account SID, `AC` + 32 hex; also the basic-auth user name.
    pub account_sid: String,
    /// The auth token; the basic-auth password.
    pub auth_token: AuthToken,
    /// The whole-request timeout, connection included.
    pub timeout: Duration,
    /// How failures are retried inside the client.
    pub retry: RetryPolicy,
    /// Texts per second per sending number; `None` sends as fast as asked.
    pub send_rate: Option<RateLimit>,
    /// Where the per-number buckets are kept when several processes send from the same numbers;
    /// `None` paces within this process only.
    pub shared_schedule: Option<Arc<dyn SharedSchedule>>,
}

impl TwilioConfig {
    /// A configuration for Twilio itself: 10 s timeout, [`RetryPolicy::default`], and one text
    /// per second per number (Twilio's rate for a US long code).
    pub fn new(account_sid: impl Into<String>, auth_token: AuthToken) -> Self {
        TwilioConfig {
            base_url: DEFAULT_BASE_URL.to_owned(),
            account_sid: account_sid.into(),
            auth_token,
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            send_rate: Some(RateLimit::per_second(1, 1)),
            shared_schedule: None,
        }
    }
}

/// Which messages [`TwilioClient::list_messages`] returns (Twilio's ListMessage filters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// Only messages to this number (`To`).
    pub to: Option<String>,
    /// Only messages from this number (`From`).
    pub from: Option<String>,
    /// Only messages sent on or after this UTC date (`DateSent>`). Twilio filters by day and
    /// leaves out messages not yet sent (no `date_sent`), so reconciliation does not use it.
    pub date_sent_on_or_after: Option<jiff::civil::Date>,
    /// Stop after this many messages; `None` reads every page.
    pub limit: Option<usize>,
}

/// A client for Twilio's 2010-04-01 REST API. Cheap to clone; clones share the connection
/// pool and the rate limiter.
#[derive(Debug, Clone)]
pub struct TwilioClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base_url: Url,
    config: TwilioConfig,
    limiter: Arc<SendRateLimiter>,
}

impl TwilioClient {
    /// Builds a client. Fails with [`TwilioError::InvalidRequest`] when the base URL is not an
    /// absolute URL, the account SID is not alphanumeric or the HTTP client cannot be built.
    pub fn new(config: TwilioConfig) -> Result<Self, TwilioError> {
        check_sid("account SID", &config.account_sid)?;
        let base_url = Url::parse(&config.base_url)
            .ok()
            .filter(|url| !url.cannot_be_a_base())
            .ok_or_else(|| {
                TwilioError::InvalidRequest(format!("base URL {:?}", config.base_url))
            })?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(concat!("keepwarm-twilio/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TwilioError::InvalidRequest(format!("HTTP client: {e}")))?;
        let limiter = Arc::new(match &config.shared_schedule {
            Some(shared) => SendRateLimiter::shared(config.send_rate, shared.clone()),
            None => SendRateLimiter::new(config.send_rate),
        });
        Ok(TwilioClient {
            inner: Arc::new(Inner {
                http,
                base_url,
                config,
                limiter,
            }),
        })
    }

    /// The limiter `send_message` waits on, to share with other senders of the same numbers.
    pub fn limiter(&self) -> &Arc<SendRateLimiter> {
        &self.inner.limiter
    }

    /// Sends a text (CreateMessage), after waiting for the sender's rate limit. Returns the
    /// created message, normally `queued`.
    pub async fn send_message(
        &self,
        message: &SendMessage,
    ) -> Result<MessageResource, TwilioError> {
        self.inner.limiter.acquire(message.from.as_str()).await;
        let url = self.account_url("Messages.json")?;
        self.execute(
            RequestKind::Create,
            reqwest::Method::POST,
            url,
            Some(&message.form()),
        )
        .await
    }

    /// Places a call (CreateCall). Returns the created call, normally `queued`.
    pub async fn create_call(&self, call: &CreateCall) -> Result<CallResource, TwilioError> {
        let url = self.account_url("Calls.json")?;
        self.execute(
            RequestKind::Create,
            reqwest::Method::POST,
            url,
            Some(&call.form()),
        )
        .await
    }

    /// Fetches one message by SID (FetchMessage), e.g. to read its current status.
    pub async fn fetch_message(&self, sid: &str) -> Result<MessageResource, TwilioError> {
        check_sid("message SID", sid)?;
        let url = self.account_url(&format!("Messages/{sid}.json"))?;
        self.execute(RequestKind::Read, reqwest::Method::GET, url, None)
            .await
    }

    /// Lists messages matching `filter` (ListMessage), newest first, following
    /// `next_page_uri` until the last page or `filter.limit`.
    pub async fn list_messages(
        &self,
        filter: &MessageFilter,
    ) -> Result<Vec<MessageResource>, TwilioError> {
        let mut url = self.account_url("Messages.json")?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(to) = &filter.to {
                query.append_pair("To", to);
            }
            if let Some(from) = &filter.from {
                query.append_pair("From", from);
            }
            if let Some(date) = filter.date_sent_on_or_after {
                query.append_pair("DateSent>", &date.to_string());
            }
            query.append_pair("PageSize", "50");
        }
        let mut found = Vec::new();
        let mut next = Some(url);
        while let Some(page_url) = next.take() {
            let page: MessagePage = self
                .execute(RequestKind::Read, reqwest::Method::GET, page_url, None)
                .await?;
            found.extend(page.messages);
            if filter.limit.is_some_and(|limit| found.len() >= limit) {
                found.truncate(filter.limit.unwrap_or(usize::MAX));
                break;
            }
            next = page
                .next_page_uri
                .map(|uri| self.page_url(&uri))
                .transpose()?;
        }
        Ok(found)
    }

    /// Crash reconciliation: the newest outbound message to `to` from `from` with exactly
    /// `body`, created at or after `since` (by Twilio's clock: pass the claim time minus a
    /// margin for clock skew), or `None` if Twilio has none.
    ///
    /// It lists by `To` (and `From` for a number; for a Messaging Service it compares
    /// `messaging_service_sid`), newest first, and stops at the first page reaching messages
    /// created before `since`. It does not filter by `DateSent`, because a message still
    /// `queued` or `accepted` has no `date_sent` yet and is exactly the one a crash leaves
    /// behind. Twilio may alter a body (a Messaging Service can append opt-out text, smart
    /// encoding can replace characters); a caller that enables those should match on
    /// [`TwilioClient::list_messages`] itself.
    pub async fn find_sent_message(
        &self,
        to: &str,
        from: &Sender,
        body: &str,
        since: Timestamp,
    ) -> Result<Option<MessageResource>, TwilioError> {
        let mut url = self.account_url("Messages.json")?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("To", to);
            if let Sender::Number(number) = from {
                query.append_pair("From", number);
            }
            query.append_pair("PageSize", "50");
        }
        let mut next = Some(url);
        for _ in 0..RECONCILE_MAX_PAGES {
            let Some(page_url) = next.take() else { break };
            let page: MessagePage = self
                .execute(RequestKind::Read, reqwest::Method::GET, page_url, None)
                .await?;
            let mut reached_older = false;
            for message in page.messages {
                let created = message.date_created;
                if created.is_some_and(|at| at < since) {
                    reached_older = true;
                    continue;
                }
                if is_match(&message, to, from, body) {
                    return Ok(Some(message));
                }
            }
            if reached_older {
                break;
            }
            next = page
                .next_page_uri
                .map(|uri| self.page_url(&uri))
                .transpose()?;
        }
        Ok(None)
    }

    fn account_url(&self, rest: &str) -> Result<Url, TwilioError> {
        let config = &self.inner.config;
        let path = format!("2010-04-01/Accounts/{}/{rest}", config.account_sid);
        join(&self.inner.base_url, &path)
    }

    fn page_url(&self, uri: &str) -> Result<Url, TwilioError> {
        join(&self.inner.base_url, uri.trim_start_matches('/'))
    }

    /// One logical request: attempts and the waits between them (see [`crate::retry`]).
    async fn execute<T: DeserializeOwned>(
        &self,
        kind: RequestKind,
        method: reqwest::Method,
        url: Url,
        form: Option<&[(&'static str, String)]>,
    ) -> Result<T, TwilioError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let failed = match self.attempt(kind, &method, &url, form, attempt).await {
                Attempt::Done(result) => return result,
                Attempt::Failed(failed) => failed,
            };
            if !failed.failure.is_retryable(kind) {
                return Err(failed.error);
            }
            let jitter: f64 = rand::random();
            let retry = self.inner.config.retry;
            let Some(wait) = retry.delay_before(attempt, failed.retry_after, jitter) else {
                return Err(failed.error);
            };
            tracing::warn!(
                %method,
                path = url.path(),
                attempt,
                failure = ?failed.failure,
                code = failed.error.code(),
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "Twilio request failed; retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// One HTTP request, its answer read and classified.
    async fn attempt<T: DeserializeOwned>(
        &self,
        kind: RequestKind,
        method: &reqwest::Method,
        url: &Url,
        form: Option<&[(&'static str, String)]>,
        attempt: u32,
    ) -> Attempt<T> {
        let config = &self.inner.config;
        let mut request = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .basic_auth(&config.account_sid, Some(config.auth_token.expose()));
        if let Some(form) = form {
            request = request.form(form);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                let failure = if e.is_connect() {
                    AttemptFailure::ConnectFailed
                } else {
                    AttemptFailure::AfterSend
                };
                return Attempt::Failed(Failed {
                    failure,
                    retry_after: None,
                    error: TwilioError::Unavailable {
                        status: None,
                        code: None,
                        message: e.to_string(),
                        retry_after: None,
                        attempts: attempt,
                        maybe_sent: failure.maybe_sent(kind),
                    },
                });
            }
        };
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let text = match response.text().await {
            Ok(text) => text,
            Err(e) => {
                let failure = AttemptFailure::AfterSend;
                return Attempt::Failed(Failed {
                    failure,
                    retry_after,
                    error: TwilioError::Unavailable {
                        status: Some(status),
                        code: None,
                        message: format!("reading Twilio's answer: {e}"),
                        retry_after,
                        attempts: attempt,
                        maybe_sent: failure.maybe_sent(kind),
                    },
                });
            }
        };
        if (200..300).contains(&status) {
            return Attempt::Done(serde_json::from_str(&text).map_err(|e| {
                TwilioError::InvalidResponse {
                    status,
                    detail: e.to_string(),
                }
            }));
        }
        let failure = AttemptFailure::Status(status);
        let error = TwilioError::from_response(
            status,
            &TwilioErrorBody::parse(&text),
            retry_after,
            attempt,
            failure.maybe_sent(kind),
        );
        Attempt::Failed(Failed {
            failure,
            retry_after,
            error,
        })
    }
}

/// How one HTTP request ended.
enum Attempt<T> {
    /// Finished: success, or an answer no retry can change.
    Done(Result<T, TwilioError>),
    /// Failed in a way the retry policy decides about.
    Failed(Failed),
}

/// A failed attempt, with what the retry policy needs.
struct Failed {
    failure: AttemptFailure,
    retry_after: Option<Duration>,
    error: TwilioError,
}

fn is_match(message: &MessageResource, to: &str, from: &Sender, body: &str) -> bool {
    let outbound = message
        .direction
        .as_deref()
        .is_none_or(|d| d.starts_with("outbound"));
    let sender_matches = match from {
        Sender::Number(number) => message.from.as_deref() == Some(number.as_str()),
        Sender::MessagingService(sid) => message.messaging_service_sid.as_deref() == Some(sid),
    };
    outbound
        && sender_matches
        && message.to.as_deref() == Some(to)
        && message.body.as_deref() == Some(body)
}

/// `Retry-After` in seconds; an HTTP date would need the clock and counts as absent.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn join(base: &Url, path: &str) -> Result<Url, TwilioError> {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let with_slash = format!("{}/", base.path());
        base.set_path(&with_slash);
    }
    base.join(path)
        .map_err(|e| TwilioError::InvalidRequest(format!("URL {base}{path}: {e}")))
}

fn check_sid(what: &str, sid: &str) -> Result<(), TwilioError> {
    if !sid.is_empty() && sid.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(TwilioError::InvalidRequest(format!(
            "the {what} {sid:?} is not alphanumeric"
        )))
    }
}
