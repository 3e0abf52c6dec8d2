//! `/u/{token}`: the unsubscribe link in every e-mail's footer and `List-Unsubscribe` header.
//!
//! `GET` shows a page with one button, so that mail scanners that fetch links cannot unsubscribe
//! anybody; `POST` (the button, or a mail client's RFC 8058 one-click
//! `List-Unsubscribe=One-Click`) revokes e-mail consent for the address at once. The token is signed
//! and expires (a year by default, never under 60 days); a bad or expired token changes nothing.
//! The pages are fixed text: nothing from the request is echoed into them.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use keepwarm_domain::LeadId;

use crate::error::ApiResult;
use crate::AppState;

/// The unsubscribe routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/u/{token}", get(show).post(unsubscribe))
}

const CONFIRM: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Unsubscribe</title></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 3em auto;">
<h1>Stop these e-mails?</h1>
<p>Press the button and this dealership will send no more e-mails to this address.</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button></form>
</body></html>"#;

const DONE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Unsubscribed</title></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 3em auto;">
<h1>You are unsubscribed</h1>
<p>This dealership will send no more e-mails to this address. Texts and calls you agreed to are not
affected; reply STOP to any text to end those too.</p>
</body></html>"#;

const INVALID: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Link not valid</title></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 3em auto;">
<h1>This link is not valid</h1>
<p>It may be incomplete or too old. Reply to any e-mail from the dealership with "unsubscribe" and
they will stop.</p>
</body></html>"#;

fn page(status: StatusCode, html: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let now = state.engine.now();
    match &state.settings.unsubscribe {
        Some(signer) if signer.verify(&token, now).is_ok() => page(StatusCode::OK, CONFIRM),
        _ => page(StatusCode::BAD_REQUEST, INVALID),
    }
}

async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Response> {
    let now = state.engine.now();
    let claim = match &state.settings.unsubscribe {
        Some(signer) => signer.verify(&token, now),
        None => return Ok(page(StatusCode::BAD_REQUEST, INVALID)),
    };
    let Ok(claim) = claim else {
        return Ok(page(StatusCode::BAD_REQUEST, INVALID));
    };
    state
        .engine
        .unsubscribe_email(
            &claim.contact,
            claim.lead_id.map(LeadId),
            "unsubscribe link",
        )
        .await?;
    Ok(page(StatusCode::OK, DONE))
}
