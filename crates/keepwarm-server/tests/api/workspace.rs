//! The workspace (issue 14) over HTTP: sign-in, sessions, CSRF, roles, Today, the lead page's
//! actions, search and CSV, and the live stream. The browser tests (scripts/browser) drive the
//! same pages in Chromium.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "correct horse battery";

/// A signed-in browser: its session cookie and the CSRF token its pages carry.
pub(crate) struct Browser {
    client: reqwest::Client,
    address: String,
    cookie: String,
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(crate) async fn with_passwords(app: &TestApp) {
    for who in ["sam", "alex", "morgan"] {
        app.engine.set_staff_password(who, PASSWORD).await.unwrap();
    }
}

async fn post_login(app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    no_redirects()
        .post(format!("{}/login", app.address))
        .form(&[("login", login), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap()
}

pub(crate) async fn sign_in(app: &TestApp, login: &str) -> Browser {
    let response = post_login(app, login, PASSWORD).await;
    assert_eq!(response.status(), 303, "sign-in of {login} refused");
    let set = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    let cookie = set.split(';').next().unwrap().to_owned();
    Browser {
        client: no_redirects(),
        address: app.address.clone(),
        cookie,
    }
}

impl Browser {
    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.unwrap()
    }

    /// The CSRF token the session's pages carry.
    pub(crate) async fn csrf(&self) -> String {
        let html = self.page("/").await;
        let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
        html[at..at + 64].to_owned()
    }

    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

pub(crate) fn lead_of(owner: &str, phone: &str, first_name: &str) -> Value {
    let mut lead = inquiry(phone);
    lead["owner"] = json!(owner);
    lead["customer"]["first_name"] = json!(first_name);
    lead
}

#[tokio::test]
async fn a_person_signs_in_with_id_or_email_and_out_and_pages_need_a_session() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let anonymous = no_redirects()
        .get(format!("{}/leads?q=x", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303);
    assert_eq!(
        anonymous.headers()["location"],
        "/login?next=/leads%3Fq%3Dx"
    );

    assert_eq!(
        post_login(&app, "sam", "wrong password!").await.status(),
        401
    );
    assert_eq!(post_login(&app, "nobody", PASSWORD).await.status(), 401);
    let response = post_login(&app, "SAM@lakeside-motors.example.com", PASSWORD).await;
    assert_eq!(response.status(), 303, "sign-in by e-mail");
    let set = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain http in tests: {set}");

    let sam = sign_in(&app, "sam").await;
    let today = sam.page("/").await;
    assert!(
        today.contains("<h1>Today</h1>") && today.contains("Sam Rivera"),
        "{today}"
    );
    let csrf = sam.csrf().await;
    assert_eq!(
        sam.post("/logout", &[]).await.status(),
        403,
        "sign-out needs the token too"
    );
    assert_eq!(sam.post("/logout", &[("csrf", &csrf)]).await.status(), 303);
    assert_eq!(sam.get("/").await.status(), 303, "the session ended");
}

#[tokio::test]
async fn a_session_idle_too_long_ends_and_a_new_password_ends_them_all() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let sam = sign_in(&app, "sam").await;
    app.advance("1h").await;
    assert_eq!(sam.get("/").await.status(), 200, "an hour idle is fine");
    app.advance("2h1m").await;
    assert_eq!(
        sam.get("/").await.status(),
        303,
        "past two hours idle it ends"
    );
    let sam = sign_in(&app, "sam").await;
    app.engine
        .set_staff_password("sam", "another long password")
        .await
        .unwrap();
    assert_eq!(
        sam.get("/").await.status(),
        303,
        "a new password ends open sessions"
    );
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_account() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    for _ in 0..5 {
        assert_eq!(
            post_login(&app, "alex", "not the password").await.status(),
            401
        );
    }
    let refused = post_login(&app, "alex", PASSWORD).await;
    assert_eq!(refused.status(), 429, "even the right password waits");
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(
        post_login(&app, "sam", PASSWORD).await.status(),
        303,
        "other accounts are not held"
    );
    app.advance("15m").await;
    assert_eq!(post_login(&app, "alex", PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn sign_in_limits_hold_across_processes_on_one_database_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keepwarm.db");
    {
        // Two servers on one database, as two processes behind a load balancer.
        let one = spawn_app_on(&db, TUESDAY_9AM_CHICAGO).await;
        let two = spawn_app_on(&db, TUESDAY_9AM_CHICAGO).await;
        with_passwords(&one).await;
        for app in [&one, &two, &one, &two, &one] {
            assert_eq!(
                post_login(app, "alex", "not the password").await.status(),
                401
            );
        }
        let refused = post_login(&two, "alex", PASSWORD).await;
        assert_eq!(refused.status(), 429, "five failures across both servers");
        // Per address too: twenty failures against made-up accounts hold the address.
        for i in 0..15 {
            post_login(&two, &format!("nobody{i}"), "guess").await;
        }
        assert_eq!(
            post_login(&one, "sam", PASSWORD).await.status(),
            429,
            "the address is held on the other server too"
        );
    }
    // A restart forgets nothing.
    let again = spawn_app_on(&db, "2026-12-01T15:05:00Z").await;
    assert_eq!(post_login(&again, "alex", PASSWORD).await.status(), 429);
    again.advance("15m").await;
    assert_eq!(post_login(&again, "alex", PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let id = app
        .create_lead(&lead_of("sam", "+13125550101", "Dana"))
        .await;
    let sam = sign_in(&app, "sam").await;
    let path = format!("/leads/{id}/pause");
    assert_eq!(
        sam.post(&path, &[("reason", "at the lot")]).await.status(),
        403
    );
    assert_eq!(
        sam.post(
            &path,
            &[("reason", "at the lot"), ("csrf", &"0".repeat(64))]
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        app.lead(id).await["status"],
        "active",
        "{}",
        app.story(id).await
    );
    let csrf = sam.csrf().await;
    let done = sam
        .post(&path, &[("reason", "at the lot"), ("csrf", &csrf)])
        .await;
    assert_eq!(done.status(), 303);
    assert_eq!(
        done.headers()["location"],
        format!("/leads/{id}?done=pause")
    );
    assert_eq!(app.lead(id).await["status"], "paused");
    let paused = app
        .timeline(id)
        .await
        .into_iter()
        .find(|e| e["kind"] == "follow_up_paused")
        .unwrap();
    assert_eq!(
        paused["data"]["by"], "sam",
        "the action is the signed-in person's"
    );
}

#[tokio::test]
async fn a_salesperson_cannot_open_another_owners_lead_but_a_manager_can() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let alexs = app
        .create_lead(&lead_of("alex", "+13125550102", "Quinn"))
        .await;
    let sam = sign_in(&app, "sam").await;
    assert_eq!(sam.get(&format!("/leads/{alexs}")).await.status(), 404);
    assert_eq!(
        sam.get(&format!("/fragments/leads/{alexs}")).await.status(),
        404
    );
    let csrf = sam.csrf().await;
    let stop = sam
        .post(
            &format!("/leads/{alexs}/stop"),
            &[("reason", "x"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(stop.status(), 404, "acting on it is 404 as well");
    assert!(
        !sam.page("/leads").await.contains("Quinn"),
        "nor does search find it"
    );
    let morgan = sign_in(&app, "morgan").await;
    let page = morgan.page(&format!("/leads/{alexs}")).await;
    assert!(
        page.contains("Quinn Reyes") && page.contains("Alex Chen"),
        "{page}"
    );
    let today = morgan.page("/").await;
    assert!(
        today.contains("<dt>Leads touched</dt><dd>1</dd>"),
        "a lead stored and texted this very minute counts in today's speed to lead:\n{today}"
    );
    assert!(
        !sam.page("/").await.contains("Speed to first touch"),
        "managers only"
    );
}

#[tokio::test]
async fn the_lead_page_shows_the_lead_in_words_and_local_time() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let id = app
        .create_lead(&lead_of("sam", "+13125550103", "Dana"))
        .await;
    let sam = sign_in(&app, "sam").await;
    let page = sam.page(&format!("/leads/{id}")).await;
    for expected in [
        "Dana Reyes",
        "2022 Honda CR-V EX",
        "Sam Rivera",
        "New inquiry",
        "Text sent: ",
        "Tue 1 Dec, 09:00",
        "may be contacted",
        "(312) 555-0103",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in:\n{page}");
    }
    let thread = &page[page.find("<ol class=\"thread\">").unwrap()..];
    let thread = &thread[..thread.find("</ol>").unwrap()];
    let outbox = app.outbox(Some(id)).await;
    let first_text = outbox
        .iter()
        .find(|m| m["channel"] == "sms")
        .and_then(|m| m["body"].as_str())
        .expect("the first text")
        .to_owned();
    assert!(
        thread.contains(&maud::html! { (first_text) }.into_string()),
        "the thread shows the words sent, not the block's name:\n{thread}"
    );
    assert!(!thread.contains(">First response<"), "{thread}");
    assert!(
        !page.contains(">+13125550103<"),
        "phone numbers read nationally"
    );
    assert!(!page.contains("— ·"), "no empty payment method: {page}");
    assert!(!page.contains("\"kind\""), "no JSON on the page");
    let draft = sam
        .page(&format!("/leads/{id}?block=appointment_options"))
        .await;
    assert!(
        draft.contains("Dana"),
        "the template is drafted for the lead"
    );
    assert_eq!(
        sam.get(&format!("/leads/{id}?block=nope")).await.status(),
        422
    );
}

#[tokio::test]
async fn a_hot_reply_waits_on_today_and_a_reply_from_the_lead_page_clears_it() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let id = app
        .create_lead(&lead_of("sam", "+13125550104", "Dana"))
        .await;
    let sam = sign_in(&app, "sam").await;
    assert!(sam
        .page("/fragments/today")
        .await
        .contains("Nobody is waiting"));
    app.reply("+13125550104", "Can I come see it Saturday morning?")
        .await;
    let today = sam.page("/fragments/today").await;
    assert!(
        today.contains("Waiting on us (1)") && today.contains("Dana Reyes"),
        "{today}\n{}",
        app.story(id).await
    );
    let csrf = sam.csrf().await;
    let sent = sam
        .post(
            &format!("/leads/{id}/reply"),
            &[
                ("csrf", csrf.as_str()),
                ("channel", "sms"),
                ("body", "Saturday at 10 works, see you then!"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303, "{}", sent.text().await.unwrap());
    let today = sam.page("/fragments/today").await;
    assert!(
        today.contains("Nobody is waiting"),
        "{today}\n{}",
        app.story(id).await
    );
    let page = sam.page(&format!("/leads/{id}")).await;
    let thread = &page[page.find("<ol class=\"thread\">").unwrap()..];
    let thread = &thread[..thread.find("</ol>").unwrap()];
    assert_eq!(
        thread.matches("Saturday at 10 works").count(),
        1,
        "the reply is in the thread once, queued then sent:\n{page}"
    );
}

#[tokio::test]
async fn reassigning_and_recording_an_appointment_go_through_the_engine() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let id = app
        .create_lead(&lead_of("sam", "+13125550105", "Dana"))
        .await;
    let morgan = sign_in(&app, "morgan").await;
    let csrf = morgan.csrf().await;
    let moved = morgan
        .post(
            &format!("/leads/{id}/reassign"),
            &[
                ("csrf", csrf.as_str()),
                ("owner", "alex"),
                ("reason", "Sam is off"),
            ],
        )
        .await;
    assert_eq!(moved.status(), 303);
    assert_eq!(app.lead(id).await["owner"]["id"], "alex");
    let booked = morgan
        .post(
            &format!("/leads/{id}/outcome"),
            &[
                ("csrf", csrf.as_str()),
                ("stage", "appointment_set"),
                ("appointment_at", "2026-12-05T10:00"),
                ("appointment_kind", "sales"),
            ],
        )
        .await;
    assert_eq!(booked.status(), 303, "{}", booked.text().await.unwrap());
    let lead = app.lead(id).await;
    assert_eq!(lead["stage"], "appointment_set");
    assert_eq!(
        lead["appointment"]["starts_at"], "2026-12-05T16:00:00Z",
        "10:00 in Chicago"
    );
    let bad = morgan
        .post(
            &format!("/leads/{id}/outcome"),
            &[("csrf", csrf.as_str()), ("stage", "won")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(
        bad.text().await.unwrap().contains("stage"),
        "the field is named"
    );
}

#[tokio::test]
async fn search_finds_a_phone_in_any_format_and_the_csv_is_the_same_view() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    app.create_lead(&lead_of("sam", "+13125550106", "Dana"))
        .await;
    app.create_lead(&lead_of("sam", "+13125550107", "Robin"))
        .await;
    let morgan = sign_in(&app, "morgan").await;
    for typed in [
        "(312) 555-0106",
        "312.555.0106",
        "+1 312 555 0106",
        "dana13125550106@EXAMPLE.com",
        "dana",
    ] {
        let page = morgan.page(&format!("/leads?q={}", urlencode(typed))).await;
        assert!(
            page.contains("Dana Reyes") && !page.contains("Robin Reyes"),
            "{typed}:\n{page}"
        );
    }
    let csv = morgan.get("/leads.csv?q=robin").await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].contains("Robin Reyes")
            && lines[1].contains("+13125550107")
            && lines[1].contains("Sam Rivera")
    );
    let bad = morgan.get("/leads?stage=won").await;
    assert_eq!(bad.status(), 422);
    assert_eq!(morgan.get("/leads?colour=red").await.status(), 400);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_live_stream_tells_an_open_page_that_something_changed() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let sam = sign_in(&app, "sam").await;
    let mut stream = sam.get("/live").await;
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    // The first reading of the newest event may come before or after the lead: wait for it to
    // settle, then a change must arrive within a second.
    tokio::time::sleep(Duration::from_millis(600)).await;
    app.create_lead(&lead_of("sam", "+13125550108", "Dana"))
        .await;
    let started = std::time::Instant::now();
    let mut seen = String::new();
    while !seen.contains("event: changed") {
        let chunk = tokio::time::timeout(Duration::from_secs(2), stream.chunk())
            .await
            .expect("an event within 2 s")
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn assets_are_served_under_hashed_names_and_cached() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    let page = reqwest::get(format!("{}/login", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = page.find("/assets/app-").unwrap();
    let end = at + page[at..].find('"').unwrap();
    let css = reqwest::get(format!("{}{}", app.address, &page[at..end]))
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert!(css.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let stale = reqwest::get(format!("{}/assets/app-000000000000.css", app.address))
        .await
        .unwrap();
    assert_eq!(stale.status(), 404);
}

#[tokio::test]
async fn a_salesperson_who_gives_a_lead_away_lands_on_today_not_on_a_404() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let id = app
        .create_lead(&lead_of("sam", "+13125550109", "Dana"))
        .await;
    let sam = sign_in(&app, "sam").await;
    let csrf = sam.csrf().await;
    let moved = sam
        .post(
            &format!("/leads/{id}/reassign"),
            &[
                ("csrf", csrf.as_str()),
                ("owner", "alex"),
                ("reason", "Alex speaks Spanish"),
            ],
        )
        .await;
    assert_eq!(moved.status(), 303);
    assert_eq!(moved.headers()["location"], "/");
    assert_eq!(app.lead(id).await["owner"]["id"], "alex");
    assert_eq!(sam.get(&format!("/leads/{id}")).await.status(), 404);
}

/// The search's visibility, written as SQL, agrees with the lead page's (`access::sees_lead`) for
/// every role: an owner who left leaves the lead in their team's unowned queue.
#[tokio::test]
async fn search_shows_each_role_exactly_the_leads_it_may_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("kw.db").display());
    let ids = {
        let app = spawn_app_configured(starter_config(), &db, TUESDAY_9AM_CHICAGO).await;
        vec![
            app.create_lead(&lead_of("alex", "+13125550111", "Left"))
                .await,
            app.create_lead(&lead_of("sam", "+13125550112", "Sams"))
                .await,
            app.create_lead(&lead_of("jordan", "+13125550113", "Jordans"))
                .await,
        ]
    };
    // Alex leaves: their lead is the sales team's unowned queue now.
    let mut config = starter_config();
    config.staff.retain(|s| s.id != "alex");
    let app = spawn_app_configured(config, &db, TUESDAY_9AM_CHICAGO).await;
    with_passwords_of(&app, &["sam", "jordan", "riley", "morgan"]).await;
    for who in ["sam", "jordan", "riley", "morgan"] {
        let browser = sign_in(&app, who).await;
        let list = browser.page("/leads").await;
        for id in &ids {
            let opens = browser.get(&format!("/leads/{id}")).await.status() == 200;
            let listed = list.contains(&format!("href=\"/leads/{id}\""));
            assert_eq!(
                listed, opens,
                "{who} on lead {id}: listed {listed}, opens {opens}"
            );
        }
        let expected = match who {
            "sam" => 2,
            "jordan" => 2,
            "riley" => 0,
            _ => 3,
        };
        let listed = ids
            .iter()
            .filter(|id| list.contains(&format!("href=\"/leads/{id}\"")))
            .count();
        assert_eq!(listed, expected, "{who}");
    }
}

async fn with_passwords_of(app: &TestApp, who: &[&str]) {
    for w in who {
        app.engine.set_staff_password(w, PASSWORD).await.unwrap();
    }
}

#[tokio::test]
async fn tasks_show_my_calls_with_a_call_button_and_one_tap_completes_one() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let id = app
        .create_lead(&lead_of("sam", "+13125550130", "Dana"))
        .await;
    app.advance("P2DT3H").await;
    let story = app.story(id).await;
    let task = app
        .tasks(Some("sam"))
        .await
        .into_iter()
        .find(|t| t["lead_id"] == id && t["kind"] == "call")
        .unwrap_or_else(|| panic!("no call task:\n{story}"));
    let sam = sign_in(&app, "sam").await;
    let page = sam.page("/tasks").await;
    assert!(
        page.contains("Dana Reyes") && page.contains("href=\"tel:+13125550130\""),
        "{page}"
    );
    assert!(
        page.contains("value=\"voicemail_left\""),
        "one-tap outcomes"
    );
    let alex = sign_in(&app, "alex").await;
    assert!(
        !alex.page("/tasks").await.contains("Dana Reyes"),
        "Alex's own list"
    );
    let path = format!("/tasks/{}/complete", task["id"]);
    let alex_csrf = alex.csrf().await;
    let refused = alex
        .post(
            &path,
            &[("csrf", alex_csrf.as_str()), ("outcome", "connected")],
        )
        .await;
    assert_eq!(refused.status(), 404, "not Alex's task, not Alex's lead");
    let csrf = sam.csrf().await;
    assert_eq!(
        sam.post(&path, &[("outcome", "connected")]).await.status(),
        403
    );
    let done = sam
        .post(
            &path,
            &[("csrf", csrf.as_str()), ("outcome", "voicemail_left")],
        )
        .await;
    assert_eq!(done.status(), 303);
    let after = app
        .tasks(Some("sam"))
        .await
        .into_iter()
        .find(|t| t["id"] == task["id"])
        .unwrap();
    assert_eq!(after["status"], "done");
    assert_eq!(after["outcome"], "voicemail_left");
    assert_eq!(after["completed_by"], "sam");
    assert!(
        !sam.page("/tasks").await.contains("Dana Reyes"),
        "done tasks leave the list"
    );
}

#[tokio::test]
async fn the_inbox_lists_waiting_conversations_and_filters_by_label_and_owner() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let dana = app
        .create_lead(&lead_of("sam", "+13125550131", "Dana"))
        .await;
    app.create_lead(&lead_of("alex", "+13125550132", "Robin"))
        .await;
    app.reply("+13125550131", "Can I come see it Saturday morning?")
        .await;
    app.reply("+13125550132", "What is the best price you can do?")
        .await;
    let morgan = sign_in(&app, "morgan").await;
    let all = morgan.page("/inbox").await;
    let escalations: Value = app.get("/api/v1/escalations").await.json().await.unwrap();
    assert!(
        all.contains("Dana Reyes") && all.contains("Robin Reyes"),
        "{escalations}\n{}",
        app.story(dana).await
    );
    let dana_at = all.find("Dana Reyes").unwrap();
    let robin_at = all.find("Robin Reyes").unwrap();
    assert!(dana_at < robin_at, "oldest first");
    let alexs = morgan.page("/inbox?owner=alex").await;
    assert!(
        !alexs.contains("Dana Reyes") && alexs.contains("Robin Reyes"),
        "{alexs}"
    );
    let sam = sign_in(&app, "sam").await;
    let mine = sam.page("/fragments/inbox").await;
    assert!(
        mine.contains("Dana Reyes") && !mine.contains("Robin Reyes"),
        "{mine}"
    );
    assert_eq!(morgan.get("/inbox?colour=red").await.status(), 400);
}

#[tokio::test]
async fn a_customer_still_waits_on_today_and_the_inbox_after_the_escalation_is_acknowledged() {
    let app = spawn_app(TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let dana = app
        .create_lead(&lead_of("sam", "+13125550141", "Dana"))
        .await;
    app.advance("PT1M").await;
    app.reply("+13125550141", "Who is this?").await;
    let escalations: Value = app.get("/api/v1/escalations").await.json().await.unwrap();
    let escalation = escalations[0]["id"].as_i64().expect("an escalation");
    // Acknowledged is not answered: the customer still waits on a person's answer.
    let ack = app
        .post(
            &format!("/api/v1/escalations/{escalation}/ack"),
            &json!({"by": "sam"}),
        )
        .await;
    assert_eq!(ack.status(), 200);
    let sam = sign_in(&app, "sam").await;
    for page in ["/fragments/today", "/fragments/inbox"] {
        let html = sam.page(page).await;
        assert!(
            html.contains("Waiting on us (1)")
                && html.contains(&format!("href=\"/leads/{dana}\""))
                && html.contains("Who is this?"),
            "{page}:\n{html}\n{}",
            app.story(dana).await
        );
        assert!(!html.contains("timer late"), "not late yet: {html}");
    }
    app.advance("PT20M").await;
    let today = sam.page("/fragments/today").await;
    assert!(
        today.contains("timer late") && today.contains("20 min"),
        "past its due time the timer is red: {today}"
    );
}

#[tokio::test]
async fn a_manager_of_one_dealership_sees_only_its_customers_owners_and_audit() {
    let mut config = crate::helpers::starter_config();
    let mut north = config.dealerships[0].clone();
    north.id = "north".into();
    north.name = "Lakeside North".into();
    config.dealerships.push(north);
    for s in &mut config.staff {
        s.dealership = match s.id.as_str() {
            "morgan" | "sam" => Some("main".into()),
            "alex" | "pat" => Some("north".into()),
            _ => None,
        };
    }
    let app =
        crate::helpers::spawn_app_configured(config, "sqlite::memory:", TUESDAY_9AM_CHICAGO).await;
    with_passwords(&app).await;
    let dana = app
        .create_lead(&lead_of("sam", "+13125550151", "Dana"))
        .await;
    let mut robin = lead_of("alex", "+13125550152", "Robin");
    robin["dealership"] = json!("north");
    let robin = app.create_lead(&robin).await;
    app.reply("+13125550151", "Who is this?").await;
    app.reply("+13125550152", "Who is this?").await;

    let morgan = sign_in(&app, "morgan").await;
    for page in ["/fragments/today", "/fragments/inbox"] {
        let html = morgan.page(page).await;
        assert!(
            html.contains(&format!("href=\"/leads/{dana}\""))
                && !html.contains(&format!("href=\"/leads/{robin}\""))
                && !html.contains("Robin"),
            "{page}: Morgan manages main, not north:\n{html}"
        );
    }
    for page in ["/leads", "/leads.csv"] {
        let found = morgan.page(page).await;
        assert!(
            found.contains("Dana") && !found.contains("Robin"),
            "{page}: Morgan manages main, not north:\n{found}"
        );
    }
    let today = morgan.page("/").await;
    let load = &today[today.find("load-h").expect("the load card")..];
    let load = &load[..load.find("</table>").unwrap()];
    assert!(
        load.contains("Sam Rivera") && !load.contains("Alex Chen"),
        "{load}"
    );

    let token = crate::staff::token_for(&app, "morgan").await;
    for (query, status) in [
        ("", 200),
        ("?dealership=main", 200),
        ("?dealership=north", 404),
    ] {
        let path = format!("/api/v1/audit{query}");
        let answer = crate::staff::get_as(&app, &token, &path).await;
        assert_eq!(answer.status(), status, "{path}");
    }
}
