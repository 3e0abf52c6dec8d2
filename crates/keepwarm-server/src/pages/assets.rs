//! The workspace's stylesheet and script, embedded in the binary and served under names that carry
//! a hash of their content (`/assets/app-1a2b3c4d5e6f.css`), so a browser may cache them for a year
//! and still never runs yesterday's script against today's pages.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const CSS: &str = include_str!("assets/app.css");
const JS: &str = include_str!("assets/app.js");

/// An embedded file: its served name, content type and bytes.
struct Asset {
    name: String,
    content_type: &'static str,
    body: &'static str,
}

fn hashed(stem: &str, ext: &str, body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let short: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{stem}-{short}.{ext}")
}

static ASSETS: LazyLock<[Asset; 2]> = LazyLock::new(|| {
    [
        Asset {
            name: hashed("app", "css", CSS),
            content_type: "text/css; charset=utf-8",
            body: CSS,
        },
        Asset {
            name: hashed("app", "js", JS),
            content_type: "text/javascript; charset=utf-8",
            body: JS,
        },
    ]
});

/// The stylesheet's path.
pub fn css_path() -> String {
    format!("/assets/{}", ASSETS[0].name)
}

/// The script's path.
pub fn js_path() -> String {
    format!("/assets/{}", ASSETS[1].name)
}

/// `GET /assets/{name}`: an embedded file, cacheable for a year; any other name is 404.
pub async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            a.body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_names_carry_a_hash_of_their_content() {
        assert_ne!(hashed("app", "css", "a"), hashed("app", "css", "b"));
        assert!(css_path().starts_with("/assets/app-") && css_path().ends_with(".css"));
        assert!(js_path().ends_with(".js"));
        assert_eq!(css_path().len(), "/assets/app-".len() + 12 + ".css".len());
    }
}
