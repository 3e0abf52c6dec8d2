//! The kill switch's audit trail and release, and the do-not-call list's all-or-nothing imports,
//! on every backend.

use super::*;

fn flip(scope: &str, engaged: bool, at: Timestamp) -> NewKillSwitch {
    NewKillSwitch {
        scope: scope.into(),
        engaged,
        reason: format!("reason {engaged}"),
        by: "morgan".into(),
        at,
    }
}

fn held(c: &ClaimedTouch) -> TouchOutcome {
    TouchOutcome {
        result: TouchResult::Held,
        next: None,
        complete: false,
        events: vec![],
        ..sent(c, None)
    }
}

store_test!(
    a_released_kill_switch_puts_its_held_touches_back_in_order_but_not_a_paused_leads,
    |store| {
        save_version(&store).await;
        let first = store
            .create_lead(&lead("312-555-0701", t0(), "v1"))
            .await
            .unwrap();
        let paused = store
            .create_lead(&lead("312-555-0702", t0(), "v1"))
            .await
            .unwrap();
        store
            .set_kill_switch(&flip("main", true, t0()), &[], "")
            .await
            .unwrap();
        let claimed = claim_all(&store, WORKER).await;
        assert_eq!(claimed.len(), 2);
        let outcomes: Vec<TouchOutcome> = claimed.iter().map(held).collect();
        store.finish_touches(WORKER, &outcomes).await.unwrap();
        let pause = Change::Pause {
            lead: paused.id,
            reason: "x".into(),
            actor: "api".into(),
        };
        store.apply(&set(paused.id, vec![pause])).await.unwrap();
        assert_eq!(store.next_due_at().await.unwrap(), None);

        let released = store
            .set_kill_switch(
                &flip("main", false, t0() + 1.hours()),
                &["main".to_owned()],
                "released",
            )
            .await
            .unwrap();
        assert_eq!(released, 1);
        // The due time is kept, so released touches go in their order.
        assert_eq!(store.next_due_at().await.unwrap(), Some(t0()));
        assert_eq!(store.held_touches(paused.id).await.unwrap().len(), 1);
        let kinds: Vec<String> = store
            .timeline(first.id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.event.kind().to_owned())
            .collect();
        assert!(kinds.iter().any(|k| k == "touch_released"), "{kinds:?}");

        let now = store.kill_switches().await.unwrap();
        assert_eq!(now.len(), 1);
        assert!(!now[0].engaged);
        let history = store.kill_switch_history(Some("main"), 10).await.unwrap();
        assert_eq!(
            history.iter().map(|h| h.engaged).collect::<Vec<_>>(),
            [false, true]
        );
        assert_eq!(history[1].by, "morgan");
        assert!(store
            .kill_switch_history(Some("*"), 10)
            .await
            .unwrap()
            .is_empty());
    }
);

store_test!(
    a_do_not_call_import_counts_only_once_finished_and_a_failed_one_changes_nothing,
    |store| {
        let import = |source: &str| NewDncImport {
            registry_date: "2026-11-20".parse().unwrap(),
            source: source.into(),
            at: t0(),
        };
        let phones = ["+13125550801".to_owned(), "+13125550802".to_owned()];
        let first = store.start_dnc_import(&import("a.txt")).await.unwrap();
        store
            .add_dnc_numbers(first, &[3125550801, 3125550801, 2125550000])
            .await
            .unwrap();
        assert!(store.dnc_listed(&phones).await.unwrap().is_empty());
        assert_eq!(store.dnc_import().await.unwrap(), None);
        assert_eq!(store.finish_dnc_import(first).await.unwrap(), 2);
        let listed = store.dnc_listed(&phones).await.unwrap();
        assert_eq!(listed.into_iter().collect::<Vec<_>>(), [phones[0].clone()]);

        // A second import that fails half way: the first list stays whole.
        let second = store.start_dnc_import(&import("b.txt")).await.unwrap();
        store.add_dnc_numbers(second, &[3125550802]).await.unwrap();
        store.abandon_dnc_import(second).await.unwrap();
        let listed = store.dnc_listed(&phones).await.unwrap();
        assert_eq!(listed.into_iter().collect::<Vec<_>>(), [phones[0].clone()]);
        let info = store.dnc_import().await.unwrap().unwrap();
        assert_eq!((info.source.as_str(), info.numbers), ("a.txt", 2));

        // A finished one replaces it.
        let third = store.start_dnc_import(&import("c.txt")).await.unwrap();
        store.add_dnc_numbers(third, &[3125550802]).await.unwrap();
        assert_eq!(store.finish_dnc_import(third).await.unwrap(), 1);
        let listed = store.dnc_listed(&phones).await.unwrap();
        assert_eq!(listed.into_iter().collect::<Vec<_>>(), [phones[1].clone()]);
        assert!(store
            .dnc_listed(&["+442071234567".to_owned()])
            .await
            .unwrap()
            .is_empty());
    }
);
