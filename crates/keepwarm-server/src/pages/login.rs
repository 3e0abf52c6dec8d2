//! `/login` and `/logout`: signing in with a staff id or e-mail and a password, and out.
//!
//! The sign-in form has no session yet, so its CSRF defence is the cookie's `SameSite=Lax` plus
//! an `Origin` check: a browser posting from another site says so. Attempts are limited per account
//! and per address, in the store ([`keepwarm_engine::sign_in_limits`]): the limit survives a
//! restart and holds across every process; a wrong id and a wrong password get the same answer.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use keepwarm_engine::sign_in_limits::keys;
use maud::{html, Markup};
use serde::Deserialize;

use super::error::PageError;
use super::layout;
use super::session::{cleared_cookie, session_cookie, PeerAddress, Viewer};
use crate::AppState;

/// Longest login (id or e-mail) read, in bytes.
const MAX_LOGIN: usize = 254;

#[derive(Debug, Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

/// Where to go after signing in: a local path only (never another site).
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/".to_owned(),
    }
}

fn form(next: &str, login: &str, problem: Option<&str>) -> Markup {
    html! {
        h1 { "Sign in to keepwarm" }
        @if let Some(problem) = problem {
            p.error role="alert" { (problem) }
        }
        form method="post" action="/login" {
            input type="hidden" name="next" value=(next);
            label for="login" { "Staff id or e-mail" }
            input id="login" name="login" type="text" autocomplete="username" required
                autocapitalize="none" spellcheck="false" value=(login) maxlength="254";
            label for="password" { "Password" }
            input id="password" name="password" type="password" autocomplete="current-password" required;
            p { button type="submit" { "Sign in" } }
        }
    }
}

/// `GET /login`.
pub(super) async fn show(Query(q): Query<NextQuery>) -> Response {
    layout::bare("Sign in", form(&local_path(q.next.as_deref()), "", None))
}

#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Whether a post comes from this site by its `Origin` (absent: not a browser's cross-site post).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, h)| h);
    origin_host.is_some() && origin_host == host
}

/// `POST /login`.
pub(super) async fn sign_in(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    if !same_origin(&headers) {
        return Err(PageError::Csrf);
    }
    let next = local_path(f.next.as_deref());
    let login: String = f.login.trim().chars().take(MAX_LOGIN).collect();
    let address = address.map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
    let keys = keys(&login, &address);
    if let Some(wait) = state.engine.sign_in_wait(&keys).await? {
        return Err(PageError::TooManyAttempts(wait));
    }
    match state.engine.sign_in(&login, &f.password).await? {
        Some(signed_in) => {
            state.engine.sign_in_succeeded(&keys[0].0).await?;
            tracing::info!(staff = %signed_in.staff.id, "signed in to the workspace");
            let cookie = session_cookie(&signed_in.token, state.settings.workspace.secure_cookies);
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response())
        }
        None => {
            state.engine.sign_in_failed(&keys).await?;
            let page = layout::bare(
                "Sign in",
                form(
                    &next,
                    &login,
                    Some("That staff id or e-mail and password do not match."),
                ),
            );
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct LogoutForm {
    csrf: Option<String>,
}

/// `POST /logout`: ends the session and clears the cookie.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<LogoutForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(f.csrf.as_deref())?;
    state.engine.sign_out(viewer.session.id).await?;
    let cookie = cleared_cookie(state.settings.workspace.secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        // (next, followed to)
        let cases = [
            (Some("/leads/7"), "/leads/7"),
            (Some("//evil.example"), "/"),
            (Some("https://evil.example"), "/"),
            (Some("/\\evil.example"), "/"),
            (None, "/"),
        ];
        for (next, to) in cases {
            assert_eq!(local_path(next), to, "{next:?}");
        }
    }
}
