//! Who is looking: the signed-in staff member behind a page request, from the session cookie.
//!
//! The cookie holds a random token; the engine keeps its digest and the session's CSRF token
//! ([`keepwarm_engine::sign_in`]). Every page handler takes a [`Viewer`]: without a live session the
//! request is sent to `/login` (a page) or refused 401 (the live-update stream). Every form carries
//! the session's CSRF token in a hidden field and [`Viewer::check_csrf`] refuses a post without
//! it (403), so another site cannot make a signed-in browser act.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use keepwarm_domain::routing::Staff;
use keepwarm_store::WebSessionRow;

use super::error::PageError;
use crate::caller::Caller;
use crate::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "kw_session";

/// The signed-in staff member of a page request.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Who.
    pub staff: Staff,
    /// Their session.
    pub session: WebSessionRow,
}

impl Viewer {
    /// The viewer as an API caller: the same visibility rules and attribution as a staff token.
    pub fn caller(&self) -> Caller {
        Caller::Staff(Box::new(self.staff.clone()))
    }

    /// Refuses a form whose CSRF token is missing or not this session's (403).
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), PageError> {
        match given {
            Some(token)
                if crate::constant_time_eq(
                    token.as_bytes(),
                    self.session.csrf_token.as_bytes(),
                ) =>
            {
                Ok(())
            }
            _ => Err(PageError::Csrf),
        }
    }
}

/// The value of cookie `name` in a request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The `Set-Cookie` value that carries a new session's token.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let back = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
        let Some(token) = cookie(&parts.headers, COOKIE) else {
            return Err(PageError::SignIn(back));
        };
        let idle = state.settings.workspace.idle;
        match state.engine.web_session(token, idle).await? {
            Some(s) => Ok(Viewer {
                staff: s.staff,
                session: s.row,
            }),
            None => Err(PageError::SignIn(back)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_session_cookie_is_found_among_others_and_in_any_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; kw_session=abc ; b=2"),
        );
        assert_eq!(cookie(&headers, COOKIE), Some("abc"));
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1"));
        headers.append(header::COOKIE, HeaderValue::from_static("kw_session=xyz"));
        assert_eq!(cookie(&headers, COOKIE), Some("xyz"));
        assert_eq!(cookie(&HeaderMap::new(), COOKIE), None);
    }

    #[test]
    fn the_cookie_is_http_only_same_site_lax_and_secure_only_over_https() {
        let plain = session_cookie("t", false);
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax"));
        assert!(!plain.contains("Secure"));
        assert!(session_cookie("t", true).ends_with("; Secure"));
        assert!(cleared_cookie(true).contains("Max-Age=0"));
    }
}

/// The peer's socket address when the server was started with it (`keepwarm serve` is); absent in
/// a router driven without a listener.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddress(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddress(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}
