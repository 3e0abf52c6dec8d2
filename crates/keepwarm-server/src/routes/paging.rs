//! Paging of the API's lists: `?limit=` (1 to [`MAX_LIMIT`]) and `?cursor=`; the body stays the
//! plain JSON array it always was, and a page that has more after it says so in two headers:
//!
//! - `Link: </api/v1/leads?status=active&cursor=…>; rel="next"` (RFC 8288), the same query with the
//!   cursor of the next page;
//! - `x-next-cursor: …`, the cursor alone.
//!
//! No header means the last page. A cursor is opaque: the list's name and the sort key of the
//! page's last row, in URL-safe base64. A cursor of another list, or one that is not a cursor, is
//! a 400 naming `cursor`.

use axum::http::header::{HeaderName, HeaderValue, LINK};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use keepwarm_domain::lead::FieldError;
use keepwarm_store::Page;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};

/// The largest page any list gives.
pub const MAX_LIMIT: u32 = 1000;

/// The header carrying the next page's cursor.
pub const NEXT_CURSOR: HeaderName = HeaderName::from_static("x-next-cursor");

/// The page a request asks for, one row longer than it will get: that extra row tells whether
/// another page follows.
pub fn requested(
    list: &str,
    limit: Option<u32>,
    cursor: Option<&str>,
    default: u32,
) -> ApiResult<Page> {
    let limit = limit.unwrap_or(default);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let after = cursor.map(|c| decode(list, c)).transpose()?;
    Ok(Page {
        after,
        limit: limit + 1,
    })
}

/// The answer for `rows` fetched with `page`: at most `page.limit - 1` of them, with the next
/// page's `Link` and cursor when there are more. `key` gives a row's sort key.
pub fn respond<T: Serialize>(
    list: &str,
    uri: &Uri,
    page: &Page,
    rows: Vec<T>,
    key: impl Fn(&T) -> Vec<i64>,
) -> Response {
    respond_visible(list, uri, page, rows, key, |_| true)
}

/// [`respond`] showing only the rows `visible` keeps (a staff token's own): the cursor still
/// follows the page as fetched, so such a page can be shorter than `limit` and have a next one.
pub fn respond_visible<T: Serialize>(
    list: &str,
    uri: &Uri,
    page: &Page,
    mut rows: Vec<T>,
    key: impl Fn(&T) -> Vec<i64>,
    visible: impl Fn(&T) -> bool,
) -> Response {
    let wanted = (page.limit - 1) as usize;
    let more = rows.len() > wanted;
    rows.truncate(wanted);
    let next = more
        .then(|| rows.last().map(|r| encode(list, &key(r))))
        .flatten();
    rows.retain(|r| visible(r));
    let mut response = Json(rows).into_response();
    if let Some(cursor) = next {
        let link = format!("<{}>; rel=\"next\"", next_uri(uri, &cursor));
        let headers = response.headers_mut();
        // A cursor and a link are base64 and a URL we built: always valid header values.
        if let (Ok(c), Ok(l)) = (HeaderValue::from_str(&cursor), HeaderValue::from_str(&link)) {
            headers.insert(NEXT_CURSOR, c);
            headers.insert(LINK, l);
        }
    }
    response
}

fn encode(list: &str, key: &[i64]) -> String {
    let key: Vec<String> = key.iter().map(i64::to_string).collect();
    URL_SAFE_NO_PAD.encode(format!("{list}:{}", key.join(".")))
}

fn decode(list: &str, cursor: &str) -> ApiResult<Vec<i64>> {
    let bad = || {
        ApiError::BadQuery(vec![FieldError {
            field: "cursor".into(),
            message: format!(
                "not a cursor of this list: pass the `x-next-cursor` a page of {list} gave"
            ),
        }])
    };
    let text = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    let key = text
        .strip_prefix(list)
        .and_then(|k| k.strip_prefix(':'))
        .ok_or_else(bad)?;
    key.split('.')
        .map(|n| n.parse::<i64>().map_err(|_| bad()))
        .collect()
}

/// The request's URI with its `cursor` replaced by `cursor`.
fn next_uri(uri: &Uri, cursor: &str) -> String {
    let pairs = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .filter(|(k, _)| k != "cursor")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect::<Vec<_>>();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .append_pair("cursor", cursor)
        .finish();
    format!("{}?{query}", uri.path())
}

/// A key of the expected length, or the 400 for a cursor that is not one of this list's.
pub fn key_of<const N: usize>(list: &str, page: &Page) -> ApiResult<Option<[i64; N]>> {
    page.after
        .as_deref()
        .map(|k| {
            <[i64; N]>::try_from(k).map_err(|_| {
                ApiError::BadQuery(vec![FieldError {
                    field: "cursor".into(),
                    message: format!(
                        "not a cursor of this list: pass the `x-next-cursor` a page of {list} gave"
                    ),
                }])
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_decodes_to_the_key_it_was_made_from_and_only_for_its_list() {
        let cursor = encode("tasks", &[0, -5, 42]);
        assert_eq!(decode("tasks", &cursor).ok(), Some(vec![0, -5, 42]));
        assert!(decode("leads", &cursor).is_err());
        assert!(decode("tasks", "not base64 !").is_err());
        assert!(decode("tasks", &URL_SAFE_NO_PAD.encode("tasks:1.x")).is_err());
    }

    #[test]
    fn the_next_link_keeps_the_query_and_replaces_the_cursor() {
        let uri: Uri = "/api/v1/leads?status=active&cursor=old&limit=2"
            .parse()
            .unwrap_or_default();
        assert_eq!(
            next_uri(&uri, "abc"),
            "/api/v1/leads?status=active&limit=2&cursor=abc"
        );
    }
}
