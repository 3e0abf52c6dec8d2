//! The sandbox outbox, kept by the channels crate in the store's database, on each backend.

use keepwarm_channels::NewOutbox;
use keepwarm_domain::LeadId;

fn entry(touch: Option<i64>, outbound: Option<i64>) -> NewOutbox {
    NewOutbox {
        touch_id: touch,
        outbound_id: outbound,
        lead_id: Some(LeadId(1)),
        at: "2026-12-01T15:00:00Z".parse().unwrap(),
        channel: "sms".into(),
        recipient_kind: "customer".into(),
        recipient: "+13125550103".into(),
        subject: None,
        body: "hi".into(),
        attachments: vec![],
        message_id: None,
        reply_to: None,
    }
}

#[tokio::test]
async fn the_outbox_keeps_one_message_per_touch_in_the_stores_database() {
    let dir = tempfile::tempdir().unwrap();
    let file = format!("sqlite://{}", dir.path().join("outbox.db").display());
    // PostgreSQL too: before, `serve` on PostgreSQL failed because the outbox needed SQLite.
    let pg = keepwarm_store::testing::TestDatabase::create().await;
    for url in ["sqlite::memory:", file.as_str(), pg.url.as_str()] {
        let store = keepwarm_store::connect(url).await.unwrap();
        let outbox = keepwarm_engine::sandbox_outbox(&store).unwrap();
        let sent = entry(Some(7), None);
        assert_eq!(
            outbox.insert(std::slice::from_ref(&sent)).await.unwrap(),
            1,
            "{url}"
        );
        // The same touch again, twice in one batch: nothing new.
        assert_eq!(
            outbox.insert(&[sent.clone(), sent]).await.unwrap(),
            0,
            "{url}"
        );
        assert_eq!(
            outbox.insert(&[entry(None, Some(3))]).await.unwrap(),
            1,
            "{url}"
        );
        assert_eq!(
            outbox.list(Some(LeadId(1))).await.unwrap().len(),
            2,
            "{url}"
        );
        assert!(
            outbox.list(Some(LeadId(2))).await.unwrap().is_empty(),
            "{url}"
        );
        assert_eq!(
            outbox.for_touch(7).await.unwrap().unwrap().body,
            "hi",
            "{url}"
        );
        assert!(outbox.for_outbound(3).await.unwrap().is_some(), "{url}");
        assert!(outbox.for_touch(8).await.unwrap().is_none(), "{url}");
        let page = outbox.page(Some(LeadId(1)), None, 1).await.unwrap();
        assert_eq!(page.len(), 1, "{url}");
        let next = outbox.page(Some(LeadId(1)), Some(page[0].id), 5).await;
        assert_eq!(next.unwrap().len(), 1, "{url}");
        assert_eq!(outbox.list(None).await.unwrap().len(), 2, "{url}");
    }
}
