//! The security activity page: every event once, with its kind, newest
//! first, 20 a page, nothing secret stored, 90 days kept.
use crate::helpers::{pair, session_cookie, spawn_app, Browser, TestApp, TestUser};
use sesame::db::Db;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

async fn activity(browser: &Browser, page: Option<&str>) -> serde_json::Value {
    let res = match page {
        Some(page) => browser.post_form("/api/activity", &[("page", page)]).await,
        None => browser.post_form("/api/activity", &[]).await,
    };
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

fn kinds(page: &serde_json::Value) -> Vec<String> {
    page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// The stored rows of `account_events`, every column as text.
async fn stored_events(app: &TestApp) -> Vec<String> {
    const SQL: &str = "SELECT kind || '|' || detail || '|' || device || '|' || ip \
        FROM account_events ORDER BY id";
    app.storage.texts(SQL).await
}

/// Failed and throttled sign-ins are written apart from their request:
/// waits until `count` events are stored.
async fn until_stored(app: &TestApp, count: usize) -> Vec<String> {
    for _ in 0..100 {
        let rows = stored_events(app).await;
        if rows.len() >= count {
            return rows;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stored_events(app).await
}

#[tokio::test]
async fn every_event_appears_once_with_its_kind_and_nothing_secret() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    app.logout().await;
    assert_eq!(
        app.login(&user.with_password("not-the-password"), false)
            .await
            .status(),
        401
    );
    let cookie = pair(&session_cookie(&app.login(&user, false).await).unwrap());

    // A phone signs in, and is revoked from here.
    let phone = Browser::with_user_agent(FIREFOX, &app);
    assert_eq!(phone.login(&user, true).await.status(), 200);
    let sessions: serde_json::Value = app.sessions().await.json().await.unwrap();
    let handle = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["this_device"] == false)
        .unwrap()["handle"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.revoke_session(&handle).await.status(), 200);
    // Two more browsers, revoked all at once.
    app.new_browser().login(&user, false).await;
    app.new_browser().login(&user, false).await;
    assert_eq!(app.revoke_other_sessions().await.status(), 200);
    let new_password = "another-long-password";
    assert_eq!(
        app.change_password(&user.password, new_password)
            .await
            .status(),
        200
    );
    app.logout_all().await;
    assert_eq!(
        app.login(&user.with_password(new_password), false)
            .await
            .status(),
        200
    );

    let page = activity(&app, None).await;
    let expected = [
        "signed_in",
        "signed_out_everywhere",
        "password_changed",
        "other_sessions_revoked",
        "signed_in",
        "signed_in",
        "session_revoked",
        "signed_in",
        "signed_in",
        "sign_in_failed",
        "signed_out",
        "signed_in",
    ];
    assert_eq!(kinds(&page), expected, "{page}");
    let events = page["events"].as_array().unwrap();
    let what: Vec<&str> = events.iter().map(|e| e["what"].as_str().unwrap()).collect();
    assert_eq!(what[0], "Signed in: with a password");
    assert_eq!(what[3], "Other sessions revoked: 2 sessions");
    assert_eq!(what[6], "Session revoked: Firefox 128 on Linux");
    assert_eq!(what[11], "Signed in: new account");
    assert_eq!(events[7]["device"], "Firefox 128 on Linux");
    assert_eq!(events[0]["ip"], "127.0.0.1");
    assert_eq!(page["has_next"], false);

    // Nothing secret in what is stored.
    let stored = stored_events(&app).await.join("\n");
    let token = app
        .storage
        .texts("SELECT session_token FROM users")
        .await
        .remove(0);
    let session_value = cookie.split_once('=').unwrap().1;
    for secret in [
        user.password.as_str(),
        new_password,
        "not-the-password",
        session_value,
        &session_value[..session_value.len().min(16)],
        token.as_str(),
        handle.as_str(),
    ] {
        assert!(!stored.contains(secret), "{secret} is stored: {stored}");
    }

    // Another user sees none of it.
    let other = app.new_browser();
    other.register(&TestUser::generate()).await;
    assert_eq!(kinds(&activity(&other, None).await), ["signed_in"]);
}

#[tokio::test]
async fn throttled_sign_ins_are_recorded_and_unknown_names_are_not() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let attacker = app.new_browser();
    let wrong = user.with_password("not-the-password");
    for _ in 0..5 {
        assert_eq!(attacker.login(&wrong, false).await.status(), 401);
    }
    assert_eq!(attacker.login(&wrong, false).await.status(), 429);
    // A name that is no account's leaves nothing.
    attacker.login(&TestUser::generate(), false).await;
    let rows = until_stored(&app, 7).await;
    assert_eq!(rows.len(), 7, "{rows:?}");
    let page = activity(&app, None).await;
    let kinds = kinds(&page);
    assert_eq!(kinds.iter().filter(|k| *k == "sign_in_failed").count(), 5);
    assert_eq!(kinds.iter().filter(|k| *k == "throttled").count(), 1);
    assert_eq!(kinds.iter().filter(|k| *k == "signed_in").count(), 1);
}

#[tokio::test]
async fn activity_is_newest_first_twenty_a_page_and_signed_in_only() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    // 1 + 2 × 12 = 25 events.
    for _ in 0..12 {
        app.logout().await;
        assert_eq!(app.login(&user, false).await.status(), 200);
    }
    let first = activity(&app, None).await;
    assert_eq!(first["events"].as_array().unwrap().len(), 20);
    assert_eq!(first["has_next"], true);
    let second = activity(&app, Some("2")).await;
    let rest = second["events"].as_array().unwrap();
    assert_eq!(rest.len(), 5);
    assert_eq!(second["has_next"], false);
    assert_eq!(rest[4]["what"], "Signed in: new account");
    let ids: Vec<i64> = first["events"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest)
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");

    let html = app.html("/profile/activity?page=2").await;
    assert!(html.contains("Security activity"), "{html}");
    assert!(html.contains("Signed in: new account"), "{html}");
    assert!(
        html.contains(r#"href="/profile/activity?page=1""#),
        "{html}"
    );
    let bad = app.get("/profile/activity?page=x").await;
    assert_eq!(bad.status(), 422);
    let zero = app.post_form("/api/activity", &[("page", "0")]).await;
    assert_eq!(zero.status(), 422);

    let visitor = app.new_browser();
    assert_eq!(visitor.post_form("/api/activity", &[]).await.status(), 401);
    let res = visitor.get("/profile/activity").await;
    assert_eq!(res.status(), 302);
    assert_eq!(
        crate::helpers::location(&res).as_deref(),
        Some("/login?next=%2Fprofile%2Factivity")
    );
}

#[tokio::test]
async fn events_older_than_ninety_days_are_deleted() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let db = app.storage.db().await;
    let old = time::OffsetDateTime::now_utc().unix_timestamp() - 91 * 24 * 60 * 60;
    const SQL: &str = "INSERT INTO account_events \
        (user_id, created_at, kind, detail, device, family, ip) \
        SELECT id, $1, 'signed_in', 'with a password', 'Firefox', 'Firefox on Linux', '127.0.0.1' \
        FROM users";
    match &db {
        Db::Sqlite(pool, _) => sqlx::query(SQL).bind(old).execute(pool).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::query(SQL).bind(old).execute(pool).await.map(|_| ()),
    }
    .unwrap();
    assert_eq!(stored_events(&app).await.len(), 2);
    assert_eq!(sesame::activity::db::prune(&db).await.unwrap(), 1);
    assert_eq!(kinds(&activity(&app, None).await), ["signed_in"]);
}

#[tokio::test]
async fn a_sign_in_from_a_new_device_leaves_a_notice_until_dismissed() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let notices = |browser: &Browser| {
        let browser = browser.clone();
        async move {
            let res = browser.post_form("/api/notices", &[]).await;
            assert_eq!(res.status(), 200);
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    // The registration's own browser, again: nothing new.
    app.logout().await;
    app.login(&user, false).await;
    assert_eq!(notices(&app).await, serde_json::json!([]));
    // A phone, twice: one notice.
    let phone = Browser::with_user_agent(FIREFOX, &app);
    phone.login(&user, false).await;
    phone.logout().await;
    phone.login(&user, false).await;
    let list = notices(&app).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["text"], "New sign-in from Firefox 128 on Linux");
    let html = app.html("/profile").await;
    assert!(
        html.contains("New sign-in from Firefox 128 on Linux"),
        "{html}"
    );

    let id = list[0]["id"].as_i64().unwrap().to_string();
    let someone = app.new_browser();
    someone.register(&TestUser::generate()).await;
    assert_eq!(
        someone
            .post_form("/api/dismiss_notice", &[("id", &id)])
            .await
            .status(),
        404,
        "another user's notice"
    );
    assert_eq!(
        app.post_form("/api/dismiss_notice", &[("id", &id)])
            .await
            .status(),
        200
    );
    assert_eq!(notices(&app).await, serde_json::json!([]));
    assert!(!app.html("/profile").await.contains("New sign-in from"));
}
