//! The page shell every screen shares: head, navigation, the signed-in person and sign-out, and
//! the headers every page carries (no caching, a strict content security policy).

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use super::assets;
use super::format::Words;
use super::session::Viewer;

/// The screens in the navigation: path and name.
const NAV: &[(&str, &str)] = &[
    ("/", "Today"),
    ("/inbox", "Inbox"),
    ("/tasks", "Tasks"),
    ("/leads", "Leads"),
];

/// The screens only managers see.
const OFFICE_NAV: &[(&str, &str)] = &[
    ("/reports", "Reports"),
    ("/compliance", "Compliance"),
    ("/settings", "Settings"),
];

/// Scripts only from keepwarm itself, no inline script or style, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · keepwarm" }
            link rel="stylesheet" href=(assets::css_path());
            script src=(assets::js_path()) defer {}
        }
    }
}

/// A whole page for a signed-in viewer; `current` is the navigation entry to mark. The body
/// carries the server's "now" so timers tick from the server's clock (which may be simulated).
pub fn page(viewer: &Viewer, words: &Words, title: &str, current: &str, body: Markup) -> Response {
    let office = viewer.caller().sees_everything();
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body data-now=(words.now().as_millisecond()) {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    nav aria-label="Main" {
                        ul {
                            @for (path, name) in NAV.iter().chain(if office { OFFICE_NAV } else { &[] }) {
                                li {
                                    @if *path == current {
                                        a href=(path) aria-current="page" { (name) }
                                    } @else {
                                        a href=(path) { (name) }
                                    }
                                }
                            }
                        }
                    }
                    form.signout method="post" action="/logout" {
                        (csrf_field(viewer))
                        span.who { (viewer.staff.name) }
                        " "
                        button type="submit" { "Sign out" }
                    }
                }
                main id="main" tabindex="-1" { (body) }
            }
        }
    };
    respond(markup)
}

/// A page without navigation (sign-in, errors).
pub fn bare(title: &str, body: Markup) -> Response {
    respond(html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body.bare { main id="main" { (body) } }
        }
    })
}

/// The hidden field every form of the viewer's session carries.
pub fn csrf_field(viewer: &Viewer) -> Markup {
    html! { input type="hidden" name="csrf" value=(viewer.session.csrf_token); }
}

/// An HTML answer with the headers every page carries.
pub fn respond(markup: Markup) -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "same-origin"),
        ],
        Html(markup.into_string()),
    )
        .into_response()
}

/// A fragment (a part of a page redrawn by the live updates), with the same headers.
pub fn fragment(markup: Markup) -> Response {
    respond(markup)
}
