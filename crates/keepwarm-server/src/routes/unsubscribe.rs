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
use keepwarm_domain::LeadId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::AppState;

/// The unsubscribe routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show, unsubscribe))
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

/// The unsubscribe link in every e-mail: a page with one button (a GET never unsubscribes, so link
/// scanners cannot).
#[utoipa::path(get, path = "/u/{token}", tag = "unsubscribe",
    params(("token" = String, Path, description = "The signed token from the e-mail.")),
    responses(
        (status = 200, description = "The page with the button.", body = String, content_type = "text/html"),
        (status = 400, description = "A bad or expired link.", body = String, content_type = "text/html")))]
async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let now = state.engine.now();
    match &state.settings.unsubscribe {
        Some(signer) if signer.verify(&token, now).is_ok() => page(StatusCode::OK, CONFIRM),
        _ => page(StatusCode::BAD_REQUEST, INVALID),
    }
}

/// Unsubscribe from e-mail at once (the page's button, or a mail client's RFC 8058 one-click
/// `List-Unsubscribe=One-Click`). Texts and calls are not affected.
#[utoipa::path(post, path = "/u/{token}", tag = "unsubscribe",
    params(("token" = String, Path, description = "The signed token from the e-mail.")),
    responses(
        (status = 200, description = "Unsubscribed.", body = String, content_type = "text/html"),
        (status = 400, description = "A bad or expired link: nothing changed.", body = String, content_type = "text/html")))]
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
