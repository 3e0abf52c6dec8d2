//! `/webhooks/*`: public routes that providers call. They carry their own authentication (not the
//! API token): the lead e-mail webhook needs the shared secret, as `?token=` or as the password of
//! HTTP basic auth. Without it: 401, and nothing is stored.
//!
//! The secret is checked from the query and headers *before a byte of the body is read*, so an
//! outsider cannot make the server buffer anything; a declared length over [`MAX_EMAIL`] is refused
//! before reading too; and at most [`MAX_LARGE_BODIES`] e-mail bodies are read at once (others wait
//! up to [`LARGE_BODY_WAIT`], then get 503 with `Retry-After`), so memory held by bodies stays
//! under `MAX_LARGE_BODIES × MAX_EMAIL`.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use base64::Engine as _;
use keepwarm_engine::EmailReceived;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::{constant_time_eq, AppState};

/// Largest lead e-mail accepted, attachments included.
pub const MAX_EMAIL: usize = 10 * 1024 * 1024;

/// Most e-mail bodies read at the same time.
pub const MAX_LARGE_BODIES: usize = 4;

/// How long an e-mail waits for one of the [`MAX_LARGE_BODIES`] slots before it gets 503.
pub const LARGE_BODY_WAIT: Duration = Duration::from_secs(10);

/// The webhook routes.
pub fn router() -> OpenApiRouter<AppState> {
    let (schemas, paths, email) = routes!(lead_email);
    let router = OpenApiRouter::new().routes((
        schemas,
        paths,
        email.layer(DefaultBodyLimit::max(MAX_EMAIL)),
    ));
    // `authorize_email` refuses every request without the secret.
    crate::openapi::require(router, crate::openapi::Security::EmailSecret)
}

/// The secret given with the request: `token` in the query, or the basic-auth password.
fn given_secret(query: Option<&str>, headers: &HeaderMap) -> Option<String> {
    if let Some(q) = query {
        for pair in q.split('&') {
            if let Some(value) = pair.strip_prefix("token=") {
                return Some(percent_decode(value));
            }
        }
    }
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = auth.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    text.split_once(':')
        .map(|(_, password)| password.to_owned())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |c: Option<&u8>| c.and_then(|c| (*c as char).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match (b, hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b'+', ..) => {
                out.push(b' ');
                i += 1;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Checks the e-mail webhook's secret from the query and headers alone.
fn authorize_email(state: &AppState, query: Option<&str>, headers: &HeaderMap) -> ApiResult<()> {
    let Some(secret) = state.settings.email_secret.as_deref() else {
        return Err(ApiError::WebhookUnauthorized(
            "e-mail intake is not configured: set KEEPWARM_EMAIL_SECRET and give it as ?token= or as the basic-auth password".into(),
        ));
    };
    let authorized = given_secret(query, headers)
        .is_some_and(|given| constant_time_eq(given.as_bytes(), secret.as_bytes()));
    if authorized {
        Ok(())
    } else {
        Err(ApiError::WebhookUnauthorized(
            "missing or wrong e-mail webhook secret (give KEEPWARM_EMAIL_SECRET as ?token= or as the basic-auth password)".into(),
        ))
    }
}

/// The body length the client declared, if any.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// A raw RFC 5322 lead e-mail (what an MTA pipe or inbound-parse service forwards; at most
/// 10 MiB). Needs the shared secret as `?token=` or the basic-auth password; the API token does not
/// apply.
#[utoipa::path(post, path = "/webhooks/email", tag = "webhooks",
    request_body(content = String, content_type = "message/rfc822", description = "The raw message."),
    responses(
        (status = 200, description = "What came of the e-mail: a lead document's outcome, or the lead a customer's reply was threaded onto.", body = Object),
        (status = 503, description = "Too many e-mails are being read at once; retry after `Retry-After`.", body = crate::openapi::ErrorBody)))]
async fn lead_email(
    State(state): State<AppState>,
    request: Request,
) -> ApiResult<Json<EmailReceived>> {
    authorize_email(&state, request.uri().query(), request.headers())?;
    if declared_length(request.headers()).is_some_and(|n| n > MAX_EMAIL as u64) {
        return Err(ApiError::PayloadTooLarge(MAX_EMAIL));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let slot = tokio::time::timeout(LARGE_BODY_WAIT, state.large_bodies.clone().acquire_owned())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| {
            ApiError::Busy(format!(
                "{MAX_LARGE_BODIES} e-mails are being received already; retry later"
            ))
        })?;
    let body = Bytes::from_request(request, &state)
        .await
        .map_err(|r| ApiError::from_body(r, MAX_EMAIL))?;
    if body.is_empty() {
        return Err(ApiError::field(
            "body",
            "empty; expected a raw RFC 5322 message",
        ));
    }
    // A reply address's tag names its lead only if this deployment's key made it.
    let signer = state.settings.unsubscribe.clone();
    let tagged = move |address: &str| {
        let tag = keepwarm_email::reply_to::reply_tag_in(address)?;
        signer.as_ref()?.verify_reply_tag(tag)
    };
    let outcome = state
        .engine
        .receive_email(Vec::from(body), content_type, &tagged)
        .await?;
    // The slot is held until the engine is done with the body: that is the memory it bounds.
    drop(slot);
    Ok(Json(outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_comes_from_the_query_or_basic_auth() {
        let headers = HeaderMap::new();
        assert_eq!(
            given_secret(Some("a=1&token=s%3Dcr%2Bt"), &headers).as_deref(),
            Some("s=cr+t")
        );
        let mut headers = HeaderMap::new();
        let value = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("mta:hunter2")
        );
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        assert_eq!(given_secret(None, &headers).as_deref(), Some("hunter2"));
        assert_eq!(
            given_secret(Some("token=%"), &HeaderMap::new()).as_deref(),
            Some("%")
        );
    }
}
