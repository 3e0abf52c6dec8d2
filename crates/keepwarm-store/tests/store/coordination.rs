//! What processes sharing a database tell each other ([`Coordination`]): the shared send schedule
//! on every backend a second process can share, and work announcements on PostgreSQL.

use std::time::Duration;

use super::*;

store_test!(
    two_processes_take_turns_on_one_numbers_send_schedule,
    [sqlite_file, postgres],
    |store, url| {
        // A second connection to the same database: another process.
        let other = connect(&url).await.unwrap();
        let interval = Duration::from_millis(1_000);
        let mut waits = Vec::new();
        for i in 0..6 {
            let s = if i % 2 == 0 { &store } else { &other };
            waits.push(
                s.reserve_send_slot("+13125550100", interval, 2)
                    .await
                    .unwrap(),
            );
        }
        // Two at once (the burst), then one a second, whichever process asks. The schedule is in
        // the database's clock, which moves on a little between the calls.
        for (i, wait) in waits.iter().enumerate() {
            let expected = Duration::from_millis(1_000 * (i as u64).saturating_sub(1));
            assert!(
                *wait <= expected && *wait + Duration::from_millis(500) >= expected,
                "reservation {i} waits {wait:?}, expected about {expected:?}: {waits:?}"
            );
        }
        // Another number has a schedule of its own.
        assert_eq!(
            other
                .reserve_send_slot("+13125550199", interval, 1)
                .await
                .unwrap(),
            Duration::ZERO
        );
    }
);

store_test!(
    sqlite_has_no_work_announcements,
    [sqlite_memory, sqlite_file],
    |store| {
        store.announce_work().await.unwrap();
        assert!(store.listen_for_work().await.unwrap().is_none());
    }
);

store_test!(
    an_announcement_wakes_a_listener_in_another_process,
    [postgres],
    |store, url| {
        let other = connect(&url).await.unwrap();
        let mut listener = store.listen_for_work().await.unwrap().unwrap();
        // Nothing announced: nothing heard.
        let quiet = tokio::time::timeout(Duration::from_millis(200), listener.next()).await;
        assert!(quiet.is_err(), "woken without an announcement");
        other.announce_work().await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), listener.next())
            .await
            .expect("the announcement never arrived")
            .unwrap();
    }
);
