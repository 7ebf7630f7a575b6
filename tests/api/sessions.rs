//! The session as a store, and what is (not) stored.
use crate::helpers::{session_cookie, set_cookies, spawn_app, TestUser};

async fn stored_sessions(app: &crate::helpers::TestApp) -> i64 {
    app.stored_sessions().await
}

#[tokio::test]
async fn a_visitor_who_stores_nothing_gets_no_session() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/cookies",
        "/session",
        "/login",
        "/register",
        "/profile",
        "/users",
    ] {
        let res = app.get(path).await;
        assert!(
            session_cookie(&res).is_none(),
            "{path}: {:?}",
            set_cookies(&res)
        );
    }
    for path in ["/api/current_user", "/api/session_data"] {
        let res = app.post_form(path, &[]).await;
        assert!(session_cookie(&res).is_none(), "{path}");
    }
    assert_eq!(stored_sessions(&app).await, 0);
}

#[tokio::test]
async fn a_visitor_can_keep_a_note_in_the_session() {
    let app = spawn_app().await;
    assert!(app.note().await.is_null());

    let res = app.set_note("hello <b>world</b>").await;
    assert_eq!(res.status(), 200);
    assert!(session_cookie(&res).is_some());
    assert_eq!(app.note().await, "hello <b>world</b>");
    assert_eq!(stored_sessions(&app).await, 1);

    let html = app.get("/session").await.text().await.unwrap();
    assert!(
        html.contains("Note: hello &lt;b&gt;world&lt;/b&gt;"),
        "{html}"
    );
}

#[tokio::test]
async fn the_session_page_says_when_there_is_no_note() {
    let app = spawn_app().await;
    let html = app.get("/session").await.text().await.unwrap();
    assert!(html.contains("Session data"));
    assert!(html.contains("No note in this session."));
    for label in ["Note", "Save note"] {
        assert!(html.contains(label));
    }
}

#[tokio::test]
async fn a_note_must_be_1_to_200_characters() {
    let app = spawn_app().await;
    let long = "n".repeat(201);
    for bad in ["", long.as_str()] {
        let res = app.set_note(bad).await;
        assert_eq!(res.status(), 422);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("Note must be 1–200 characters."));
    }
    assert!(app.note().await.is_null());
    assert_eq!(stored_sessions(&app).await, 0);
    let ok = "ü".repeat(200);
    assert_eq!(app.set_note(&ok).await.status(), 200);
}

#[tokio::test]
async fn reading_a_signed_in_session_does_not_write_it_every_time() {
    let app = spawn_app().await;
    app.register(&TestUser::generate()).await;
    for _ in 0..3 {
        let res = app.post_form("/api/current_user", &[]).await;
        assert!(
            session_cookie(&res).is_none(),
            "a read re-sent the cookie, so it saved"
        );
        let res = app.get("/profile").await;
        assert!(session_cookie(&res).is_none());
    }
}

#[tokio::test]
async fn logout_deletes_the_stored_session() {
    let app = spawn_app().await;
    app.register(&TestUser::generate()).await;
    assert_eq!(stored_sessions(&app).await, 1);
    let res = app.logout().await;
    assert!(
        session_cookie(&res).is_some_and(|c| c.contains("Max-Age=0")),
        "cookie removed"
    );
    assert_eq!(stored_sessions(&app).await, 0);
}

#[tokio::test]
async fn expired_sessions_are_deleted_by_the_cleanup_task() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.session_idle = std::time::Duration::from_secs(1);
        s.session_cleanup_every = std::time::Duration::from_millis(200);
    })
    .await;
    app.register(&TestUser::generate()).await;
    assert_eq!(stored_sessions(&app).await, 1);

    // The store keeps expiry in whole seconds, so allow one more.
    tokio::time::sleep(std::time::Duration::from_millis(2600)).await;

    assert_eq!(stored_sessions(&app).await, 0);
}

#[tokio::test]
async fn a_remembered_session_slides_with_activity_and_ends_without_it() {
    use std::time::Duration;
    let app = crate::helpers::spawn_app_with(|s| s.session_lifetime = Duration::from_secs(3)).await;
    let user = TestUser::generate();
    app.register(&user).await;
    app.logout().await;
    let first = session_cookie(&app.login(&user, true).await).unwrap();
    assert!(first.contains("Max-Age=3"), "{first}");

    // Used every 0.8 s for 4 s: past its 3 s lifetime, still signed in, and
    // the renewals re-sent the cookie with a fresh Max-Age.
    let mut renewed = false;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(800)).await;
        let res = app.post_form("/api/current_user", &[]).await;
        renewed |= session_cookie(&res).is_some_and(|c| c.contains("Max-Age=3"));
        assert_ne!(res.text().await.unwrap(), "null");
    }
    assert!(renewed);

    tokio::time::sleep(Duration::from_millis(3300)).await;
    assert!(app.current_user().await.is_null());
}
