//! The pages' one error type and the one place it becomes an HTML answer.
//!
//! The API's errors ([`ApiError`]) keep their status codes; a page shows their message in words
//! instead of JSON. A request without a live session goes to `/login` (303) and comes back after.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use keepwarm_engine::EngineError;
use maud::html;

use crate::error::ApiError;

/// A page error.
#[derive(Debug)]
pub enum PageError {
    /// No live session: sign in first, then come back to this path.
    SignIn(String),
    /// A form without its session's CSRF token (403).
    Csrf,
    /// Too many sign-in attempts (429), with the seconds to wait.
    TooManyAttempts(u64),
    /// What the API would have answered.
    Api(ApiError),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError::Api(e)
    }
}

impl From<EngineError> for PageError {
    fn from(e: EngineError) -> Self {
        PageError::Api(e.into())
    }
}

impl From<keepwarm_store::StoreError> for PageError {
    fn from(e: keepwarm_store::StoreError) -> Self {
        PageError::Api(e.into())
    }
}

/// The status and the words a person reads for an API error; internal causes are logged only.
fn status_and_words(e: ApiError) -> (StatusCode, String) {
    use ApiError as E;
    match e {
        E::NotFound(what) => (StatusCode::NOT_FOUND, format!("{what} not found.")),
        E::Validation(fields) | E::BadQuery(fields) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        E::BadRequest(why) => (StatusCode::BAD_REQUEST, why),
        E::Conflict(why) => (StatusCode::CONFLICT, why),
        E::Refused {
            reason,
            next_opening,
        } => (
            StatusCode::CONFLICT,
            match next_opening {
                Some(at) => format!("{reason} (the contact window opens again at {at})"),
                None => reason,
            },
        ),
        E::NotAllowed(why) | E::Forbidden(why) => (StatusCode::FORBIDDEN, why),
        E::PayloadTooLarge(limit) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the form is larger than {limit} bytes"),
        ),
        E::Unauthorized | E::WebhookUnauthorized(_) => {
            (StatusCode::UNAUTHORIZED, "please sign in".into())
        }
        E::UnsupportedMediaType(why) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, why),
        E::Busy(why) | E::Unavailable(why) => (StatusCode::SERVICE_UNAVAILABLE, why),
        E::Internal(cause) => {
            tracing::error!(%cause, "internal error on a page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong inside keepwarm; the server log says what.".into(),
            )
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, words) = match self {
            PageError::SignIn(back) => {
                let back = if back.starts_with('/') && !back.starts_with("//") {
                    back
                } else {
                    "/".into()
                };
                let to = format!("/login?next={}", super::encode(&back));
                return Redirect::to(&to).into_response();
            }
            PageError::Csrf => (
                StatusCode::FORBIDDEN,
                "This form is out of date or did not come from keepwarm (its CSRF token is \
                 missing or wrong). Go back, reload the page and try again."
                    .to_owned(),
            ),
            PageError::TooManyAttempts(secs) => {
                let page = super::layout::bare(
                    "Too many attempts",
                    html! {
                        h1 { "Too many sign-in attempts" }
                        p { "Wait " (secs) " seconds and try again." }
                        p { a href="/login" { "Back to sign in" } }
                    },
                );
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, secs.to_string())],
                    page,
                )
                    .into_response();
            }
            PageError::Api(e) => status_and_words(e),
        };
        let title = status.canonical_reason().unwrap_or("Error");
        let page = super::layout::bare(
            title,
            html! {
                h1 { (title) }
                p role="alert" { (words) }
                p { a href="/" { "Back to Today" } }
            },
        );
        (status, page).into_response()
    }
}
