//! Lists are paged: `?limit=` and `?cursor=`, the body a plain array as before, the next page in
//! the `Link` and `x-next-cursor` headers; following them gives every row once, in order.

use serde_json::{json, Value};

use crate::helpers::{inquiry, spawn_app, TestApp, TUESDAY_9AM_CHICAGO};

/// Every row of `path` (which has no query yet), fetched `limit` at a time by following `Link`.
async fn all_pages(app: &TestApp, path: &str, limit: u32) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut next = Some(format!("{path}?limit={limit}"));
    let mut pages = 0;
    while let Some(url) = next.take() {
        let response = app.get(&url).await;
        assert_eq!(response.status(), 200, "{url}");
        let headers = response.headers().clone();
        let page: Vec<Value> = response.json().await.unwrap();
        assert!(page.len() <= limit as usize, "{url}: {} rows", page.len());
        pages += 1;
        assert!(pages < 100, "{path}: the cursors never end");
        if let Some(link) = headers.get("link") {
            let link = link.to_str().unwrap();
            let target = link
                .strip_prefix('<')
                .and_then(|l| l.split_once(">; rel=\"next\""))
                .map(|(t, _)| t.to_owned())
                .unwrap_or_else(|| panic!("bad Link: {link}"));
            let cursor = headers["x-next-cursor"].to_str().unwrap();
            assert!(target.ends_with(&format!("cursor={cursor}")), "{target}");
            assert_eq!(page.len(), limit as usize, "a page before the last is full");
            next = Some(target);
        }
        rows.extend(page);
    }
    rows
}

async fn hot_lead(app: &TestApp, n: u32) -> i64 {
    let phone = format!("(312) 555-09{n:02}");
    let id = app.create_lead(&inquiry(&phone)).await;
    app.reply(
        &format!("+131255509{n:02}"),
        "what would you give me for my 2015 Focus?",
    )
    .await;
    id
}

#[tokio::test]
async fn every_list_gives_each_row_once_in_order_when_followed_page_by_page() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    for n in 0..5 {
        let id = hot_lead(&app, n).await;
        let at = app
            .now()
            .checked_add(jiff::Span::new().hours(48 + i64::from(n)))
            .unwrap();
        let booked = app
            .post(
                &format!("/api/v1/leads/{id}/outcomes"),
                &json!({"stage": "appointment_set", "appointment": {"at": at.to_string(), "kind": "sales"}, "by": "sam"}),
            )
            .await;
        assert_eq!(booked.status(), 200);
    }
    app.advance("P2D").await;
    for (path, limit) in [
        ("/api/v1/leads", 2),
        ("/api/v1/escalations", 2),
        ("/api/v1/sandbox/outbox", 3),
        ("/api/v1/tasks", 2),
        ("/api/v1/appointments", 2),
        ("/api/v1/documents", 2),
    ] {
        let whole: Vec<Value> = app.get(path).await.json().await.unwrap();
        let paged = all_pages(&app, path, limit).await;
        assert_eq!(paged, whole, "{path}");
        if path != "/api/v1/documents" {
            assert!(
                whole.len() > limit as usize,
                "{path}: only {} rows",
                whole.len()
            );
        }
    }
}

#[tokio::test]
async fn a_lead_arriving_between_pages_neither_repeats_nor_hides_a_row() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(
            app.create_lead(&inquiry(&format!("(312) 555-098{n}")))
                .await,
        );
    }
    let first = app.get("/api/v1/leads?limit=2").await;
    let cursor = first.headers()["x-next-cursor"]
        .to_str()
        .unwrap()
        .to_owned();
    let first: Vec<Value> = first.json().await.unwrap();
    app.create_lead(&inquiry("(312) 555-0989")).await;
    let second = app
        .get(&format!("/api/v1/leads?limit=2&cursor={cursor}"))
        .await;
    assert!(second.headers().get("link").is_none(), "the last page");
    let second: Vec<Value> = second.json().await.unwrap();
    let seen: Vec<i64> = first
        .iter()
        .chain(&second)
        .map(|l| l["id"].as_i64().unwrap())
        .collect();
    ids.reverse();
    assert_eq!(seen, ids, "newest first, each once");
}

#[tokio::test]
async fn a_cursor_that_is_not_one_of_the_lists_is_a_400_naming_cursor() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    for n in 0..2 {
        app.create_lead(&inquiry(&format!("(312) 555-097{n}")))
            .await;
    }
    let leads = app.get("/api/v1/leads?limit=1").await;
    let leads_cursor = leads.headers()["x-next-cursor"]
        .to_str()
        .unwrap()
        .to_owned();
    for path in [
        "/api/v1/leads?cursor=not-a-cursor!".to_owned(),
        "/api/v1/leads?cursor=".to_owned(),
        format!("/api/v1/tasks?cursor={leads_cursor}"),
        format!("/api/v1/sandbox/outbox?cursor={leads_cursor}"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 400, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["fields"][0]["field"], "cursor", "{path}: {body}");
    }
}

#[tokio::test]
async fn a_limit_beyond_the_maximum_is_refused_naming_limit() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    for path in [
        "/api/v1/leads?limit=5000",
        "/api/v1/tasks?limit=0",
        "/api/v1/sandbox/outbox?limit=1001",
        "/api/v1/escalations?limit=1001",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 422, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["fields"][0]["field"], "limit", "{path}: {body}");
        assert!(
            body["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains("1000"),
            "{body}"
        );
    }
}
