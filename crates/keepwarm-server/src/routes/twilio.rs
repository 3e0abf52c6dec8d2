//! `/webhooks/twilio/*`: Twilio's webhooks — inbound texts, delivery status of texts and calls, and
//! the instructions for an answered automated call. Every request must carry a valid
//! `X-Twilio-Signature` over the public URL Twilio called and every form parameter it sent;
//! anything else gets 403 and changes nothing. Replays of the same `MessageSid` are recorded once,
//! and a status that arrives after a later one (`sent` after `delivered`) is ignored.
//!
//! Before a byte of the body is read, the webhooks must be configured and the request must carry a
//! signature header; the body is then read up to [`MAX_TWILIO_FORM`], far more than any Twilio
//! request (a 1,600-character text and ten media links are a few kilobytes), and only then verified.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use keepwarm_engine::{CallAnswer, DeliveryReport, InboundMessage};
use keepwarm_twilio::{
    AnsweredBy, CallStatus, CallStatusUpdate, CallbackError, DeliveryStatus, InboundText,
    MessageStatusUpdate, Say, TwimlResponse,
};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// An empty TwiML document: nothing to say back.
const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

/// Largest Twilio webhook body read before its signature is checked.
pub const MAX_TWILIO_FORM: usize = 64 * 1024;

/// The Twilio webhook routes.
pub fn router() -> OpenApiRouter<AppState> {
    let router = OpenApiRouter::new()
        .routes(routes!(inbound_sms))
        .routes(routes!(status))
        .routes(routes!(voice))
        .layer(DefaultBodyLimit::max(MAX_TWILIO_FORM));
    // `Signed` refuses every request without a valid signature.
    crate::openapi::require(router, crate::openapi::Security::TwilioSignature)
}

/// The form Twilio posts (its parameters, every one signed); the handlers read the ones named here.
#[derive(utoipa::ToSchema)]
#[schema(as = TwilioForm)]
#[allow(dead_code, non_snake_case)] // Describes the form; handlers read the signed parameters.
pub(crate) struct TwilioFormShape {
    /// The message (texts, and status callbacks of texts).
    MessageSid: Option<String>,
    /// The call (calls, and status callbacks of calls).
    CallSid: Option<String>,
    /// The customer's number.
    From: Option<String>,
    /// The dealership's number.
    To: Option<String>,
    /// The text.
    Body: Option<String>,
    /// A text's delivery status.
    MessageStatus: Option<String>,
    /// A call's status.
    CallStatus: Option<String>,
    /// Twilio's error code.
    ErrorCode: Option<String>,
    /// Answering-machine detection's verdict.
    AnsweredBy: Option<String>,
}

/// The form parameters, in order, duplicates kept (all of them are signed).
fn form_params(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// What can be checked before the body is read: the webhooks are configured and the request
/// carries a signature.
fn precheck<'s>(state: &'s AppState, headers: &HeaderMap) -> ApiResult<&'s crate::TwilioWebhooks> {
    let Some(twilio) = &state.settings.twilio else {
        return Err(ApiError::NotFound(
            "Twilio webhooks are not configured (set KEEPWARM_TWILIO_AUTH_TOKEN and KEEPWARM_PUBLIC_URL); route".into(),
        ));
    };
    if !headers.contains_key("x-twilio-signature") {
        return Err(ApiError::Forbidden(
            "missing X-Twilio-Signature header".into(),
        ));
    }
    Ok(twilio)
}

/// Checks the signature over the public URL Twilio called and every parameter.
fn verify(
    twilio: &crate::TwilioWebhooks,
    uri: &Uri,
    headers: &HeaderMap,
    params: &[(String, String)],
) -> ApiResult<()> {
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

/// A Twilio webhook's form parameters, once its signature over the public URL and every parameter
/// has been checked: a handler that takes this never sees an unsigned request.
pub(crate) struct Signed(pub(crate) Vec<(String, String)>);

impl FromRequest<AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let twilio = precheck(state, request.headers())?;
        let uri = request.uri().clone();
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|r| ApiError::from_body(r, MAX_TWILIO_FORM))?;
        let params = form_params(&body);
        verify(twilio, &uri, &headers, &params)?;
        Ok(Signed(params))
    }
}

pub(crate) fn twiml() -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        EMPTY_TWIML,
    )
        .into_response()
}

pub(crate) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Twilio's incoming-message webhook: an incoming text or MMS.
///
/// A `MessageSid` delivered twice is recorded once. A picture-only MMS is a message too: its media
/// links are recorded in the message text (`[image/jpeg: URL]`), so nothing the customer sent is
/// lost.
#[utoipa::path(post, path = "/webhooks/twilio/sms", tag = "webhooks",
    request_body(content = TwilioFormShape, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Empty TwiML: nothing to say back.", body = String, content_type = "text/xml")))]
async fn inbound_sms(State(state): State<AppState>, Signed(params): Signed) -> ApiResult<Response> {
    let text = InboundText::from_params(&params).map_err(|e| match e {
        CallbackError::Missing(name) => ApiError::field(name, "missing"),
        CallbackError::Invalid { param, value } => {
            ApiError::field(param, format!("`{value}` is not valid"))
        }
    })?;
    state
        .engine
        .inbound(InboundMessage {
            from: text.from.clone(),
            body: text.body.clone(),
            channel: "sms".into(),
            provider_id: text.message_sid.as_ref().map(|s| format!("twilio:{s}")),
            media: text
                .media
                .iter()
                .map(|m| keepwarm_engine::InboundMedia {
                    url: m.url.clone(),
                    content_type: m.content_type.clone(),
                })
                .collect(),
        })
        .await?;
    Ok(twiml())
}

/// The touch a callback URL names (`?touch=ID`, set when the message was sent).
fn touch_of(uri: &Uri) -> ApiResult<Option<i64>> {
    let Some(query) = uri.query() else {
        return Ok(None);
    };
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if k == "touch" {
            return v
                .parse::<i64>()
                .ok()
                .filter(|t| *t > 0)
                .map(Some)
                .ok_or_else(|| ApiError::field("touch", format!("`{v}` is not a touch id")));
        }
    }
    Ok(None)
}

/// Twilio error codes that mean the number can never take texts (a landline, an unknown or
/// unreachable destination).
const UNREACHABLE_CODES: &[u32] = &[21211, 21214, 21612, 21614, 30005, 30006];

/// Twilio's status callback for texts and calls (`?touch=ID`, as keepwarm set it).
///
/// Records queued/sent/delivered/undelivered/failed and the error code on the touch and the
/// timeline; a status never replaces a later one; 21610 in a report opts the number out,
/// 30005/30006 mark it unusable.
#[utoipa::path(post, path = "/webhooks/twilio/status", tag = "webhooks",
    params(("touch" = Option<i64>, Query, minimum = 1, description = "The touch, as keepwarm set it.")),
    request_body(content = TwilioFormShape, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Empty TwiML.", body = String, content_type = "text/xml")))]
async fn status(
    State(state): State<AppState>,
    uri: Uri,
    Signed(params): Signed,
) -> ApiResult<Response> {
    let touch_id = touch_of(&uri)?;
    let report = if param(&params, "CallSid").is_some() && param(&params, "MessageSid").is_none() {
        let u = CallStatusUpdate::from_params(&params)
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let rank = match u.status {
            CallStatus::Queued | CallStatus::Initiated => 1,
            CallStatus::Ringing => 2,
            CallStatus::InProgress => 3,
            CallStatus::Unknown => 0,
            _ => 4,
        };
        let status = match (u.status, u.answered_by) {
            (CallStatus::Completed, Some(a)) if a.is_machine() => "completed-machine".to_owned(),
            (s, _) => serde_json::to_value(s)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "unknown".into()),
        };
        DeliveryReport {
            provider_id: u.call_sid,
            touch_id,
            status,
            rank,
            error_code: param(&params, "ErrorCode").map(str::to_owned),
            opted_out: false,
            unreachable: false,
        }
    } else {
        let u = MessageStatusUpdate::from_params(&params)
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let Some(rank) = u.status.rank() else {
            tracing::warn!(sid = %u.message_sid, "unknown Twilio message status; ignored");
            return Ok(twiml());
        };
        DeliveryReport {
            provider_id: u.message_sid,
            touch_id,
            status: status_word(u.status),
            rank,
            error_code: u.error_code.map(|c| c.to_string()),
            opted_out: u.error_code == Some(21610),
            unreachable: u.error_code.is_some_and(|c| UNREACHABLE_CODES.contains(&c)),
        }
    };
    state.engine.delivery_report(&report).await?;
    Ok(twiml())
}

fn status_word(s: DeliveryStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// Twilio's voice webhook: an answered automated call (`?touch=ID`), or a call to the store's
/// number (no `touch`: the number's own voice URL).
///
/// For an automated call, answering-machine detection decides: a person is connected to the owner
/// (`<Dial>`), a machine gets the step's message (`<Say>`) after the beep, then the call is
/// recorded as voicemail left. A call to the store rings the caller's owner first (an unknown
/// caller becomes a lead), then the team's on-shift members, then voicemail (`<Record>`); see
/// [`super::voice`].
#[utoipa::path(post, path = "/webhooks/twilio/voice", tag = "webhooks",
    params(("touch" = Option<i64>, Query, minimum = 1, description = "The touch, as keepwarm set it for an automated call; absent for a call to the store's number.")),
    request_body(content = TwilioFormShape, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "TwiML for the call.", body = String, content_type = "text/xml")))]
async fn voice(
    State(state): State<AppState>,
    uri: Uri,
    Signed(params): Signed,
) -> ApiResult<Response> {
    let Some(touch) = touch_of(&uri)? else {
        return super::voice::inbound_call(&state, &params).await;
    };
    let answered_by = param(&params, "AnsweredBy");
    if let Some(a) = answered_by {
        if AnsweredBy::parse(a).is_none() {
            tracing::warn!(answered_by = a, "unknown AnsweredBy value");
        }
    }
    let voice = state.engine.config().channels.twilio.say_voice.clone();
    let say = |text: String| Say {
        text,
        voice: Some(voice.clone()),
        language: None,
    };
    let call_sid = param(&params, "CallSid");
    let response = match state
        .engine
        .answer_call(touch, call_sid, answered_by)
        .await?
    {
        CallAnswer::Connect {
            owner_phone,
            caller_id,
            greeting,
        } => {
            let r = TwimlResponse::new().say(say(greeting));
            match caller_id {
                Some(c) => r.dial_with_caller_id(owner_phone.as_str(), c.as_str()),
                None => r.dial(owner_phone.as_str()),
            }
        }
        CallAnswer::LeaveMessage { text } => TwimlResponse::new().say(say(text)).hangup(),
        CallAnswer::NotReady => TwimlResponse::new().pause(2).redirect(uri.to_string()),
        CallAnswer::HangUp => TwimlResponse::new().hangup(),
    };
    Ok(twiml_response(&response))
}

/// A TwiML document as Twilio expects it back.
pub(crate) fn twiml_response(response: &TwimlResponse) -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        response.render().as_str().to_owned(),
    )
        .into_response()
}
