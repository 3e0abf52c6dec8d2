//! What only the PostgreSQL backend has to show: how it fails to open, and that separate pools (as
//! separate processes have) on one database stay correct when they race.

use super::*;

#[tokio::test]
async fn an_unreachable_server_is_one_line_that_never_shows_the_password() {
    // Port 1: nothing listens there.
    let url = "postgres://keepwarm:s3cret-Pa55@127.0.0.1:1/keepwarm";
    let err = connect_with(
        url,
        PgSettings {
            acquire_timeout: std::time::Duration::from_secs(3),
            ..PgSettings::default()
        },
    )
    .await
    .err()
    .unwrap()
    .to_string();
    assert!(!err.contains("s3cret-Pa55"), "{err}");
    assert!(!err.contains('\n'), "{err}");
    assert!(
        err.contains("postgres://keepwarm:***@127.0.0.1:1/keepwarm"),
        "{err}"
    );
}

#[tokio::test]
async fn a_malformed_url_is_refused_without_the_password() {
    let err = connect("postgres://keepwarm:s3cret-Pa55@db.example.com:port/keepwarm")
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(!err.contains("s3cret-Pa55"), "{err}");
    assert!(!err.contains('\n'), "{err}");
    assert!(err.contains("invalid URL"), "{err}");
}

#[tokio::test]
async fn a_missing_database_is_named_in_one_line() {
    let database = testing::TestDatabase::create().await;
    let mut url = url::Url::parse(&database.url).unwrap();
    url.set_path("kw_no_such_database");
    url.set_password(Some("s3cret-Pa55")).unwrap();
    let err = connect(url.as_str()).await.err().unwrap().to_string();
    assert!(!err.contains("s3cret-Pa55"), "{err}");
    assert!(err.contains("kw_no_such_database"), "{err}");
    assert!(!err.contains('\n'), "{err}");
}

#[tokio::test]
async fn migrations_apply_once_and_a_second_process_starting_finds_them_in_place() {
    let database = testing::TestDatabase::create().await;
    let (a, b) = tokio::join!(connect(&database.url), connect(&database.url));
    a.unwrap();
    b.unwrap();
    let again = connect(&database.url).await.unwrap();
    assert!(again.lead(LeadId(1)).await.unwrap().is_none());
}
