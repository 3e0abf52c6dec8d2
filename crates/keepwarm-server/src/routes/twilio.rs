//! `/webhooks/twilio/*`: Twilio's webhooks. Every request must carry a valid `X-Twilio-Signature`
//! over the public URL Twilio called and every form parameter it sent; anything else gets 403 and
//! changes nothing. Replays of the same `MessageSid` are recorded once.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use keepwarm_engine::InboundMessage;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// An empty TwiML document: nothing to say back.
const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

/// The Twilio webhook routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/webhooks/twilio/sms", post(inbound_sms))
}

/// The form parameters, in order, duplicates kept (all of them are signed).
fn form_params(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// Checks the signature over the public URL Twilio called and every parameter.
fn verify(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    params: &[(String, String)],
) -> ApiResult<()> {
    let Some(twilio) = &state.settings.twilio else {
        return Err(ApiError::NotFound(
            "Twilio webhooks are not configured (set KEEPWARM_TWILIO_AUTH_TOKEN and KEEPWARM_PUBLIC_URL); route".into(),
        ));
    };
    let path_and_query = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let url = format!("{}{path_and_query}", twilio.public_url);
    let signature = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok());
    keepwarm_twilio::validate(&twilio.auth_token, &url, params, signature).map_err(|e| {
        tracing::warn!(%url, error = %e, "refused a Twilio webhook");
        ApiError::Forbidden(e.to_string())
    })
}

fn twiml() -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        EMPTY_TWIML,
    )
        .into_response()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn inbound_sms(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = body?;
    let params = form_params(&body);
    verify(&state, &uri, &headers, &params)?;
    let from = param(&params, "From").ok_or_else(|| ApiError::field("From", "missing"))?;
    let sid = param(&params, "MessageSid").or_else(|| param(&params, "SmsSid"));
    let text = param(&params, "Body").unwrap_or_default();
    state
        .engine
        .inbound(InboundMessage {
            from: from.to_owned(),
            body: text.to_owned(),
            channel: "sms".into(),
            provider_id: sid.map(|s| format!("twilio:{s}")),
        })
        .await?;
    Ok(twiml())
}
