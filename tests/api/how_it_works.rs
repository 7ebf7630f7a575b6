//! `/how-it-works` shows what this browser holds and what the server
//! stores for it, after each thing a person can do, and nothing secret.
use crate::helpers::*;
use std::str::FromStr;

/// The session cookie's value in this client's jar, from a response that set it.
fn session_value(res: &reqwest::Response) -> String {
    let cookie = pair(&session_cookie(res).expect("a session cookie"));
    cookie.split_once('=').expect("name=value").1.to_owned()
}

/// Neither the cookie's value, nor the session id in it, nor the whole
/// key it is stored under appears in `html`.
fn assert_no_secret(html: &str, cookie_value: &str) {
    assert!(
        !html.contains(cookie_value),
        "the whole cookie value is on the page"
    );
    // A signed value: a 44-character HMAC, then the id.
    let id = &cookie_value[44..];
    assert!(!html.contains(id), "the session id is on the page");
    let key =
        sesame::session::store::at_rest(&tower_sessions::session::Id::from_str(id).expect("an id"))
            .to_string();
    assert!(!html.contains(&key), "the whole stored key is on the page");
    assert!(
        html.contains(&format!("{}…", &key[..8])),
        "the key's start is shown"
    );
    assert!(
        html.contains(&format!("{}…", &cookie_value[..4])),
        "the masked value"
    );
    assert!(!html.contains("$argon2"), "a password hash");
}

#[tokio::test]
async fn a_fresh_visitor_sees_no_cookies_and_gets_no_session() {
    let app = spawn_app().await;
    let res = app.get("/how-it-works").await;
    assert_eq!(res.status(), 200);
    assert!(
        set_cookies(&res).is_empty(),
        "viewing the page set a cookie"
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains("No cookies: nothing has been set here."),
        "{html}"
    );
    assert!(
        html.contains("No session stored for this browser."),
        "{html}"
    );
    assert!(html.contains("<svg"), "the picture is inline SVG");
    assert!(html.contains("What this browser holds and what the server stores for it"));
    // Viewing it again, and asking its server function, store nothing.
    app.get("/how-it-works").await;
    app.post_form("/api/how_it_works", &[]).await;
    assert_eq!(app.stored_sessions().await, 0);
}

#[tokio::test]
async fn the_demo_cookie_is_shown_with_its_attributes() {
    let app = spawn_app().await;
    app.get("/set_cookie/alice").await;
    let html = app.html("/how-it-works").await;
    assert!(html.contains("username = alice"), "{html}");
    // Drawn over two lines each, at the picture's width.
    assert!(html.contains("HttpOnly · SameSite=Lax · Path=/"), "{html}");
    assert!(html.contains("until the browser closes"), "{html}");
    assert!(
        html.contains("Set-Cookie: username=alice; HttpOnly; SameSite=Lax"),
        "{html}"
    );
    // A cookie is not a session: nothing stored.
    assert!(
        html.contains("No session stored for this browser."),
        "{html}"
    );
    assert_eq!(app.stored_sessions().await, 0);
    app.get("/delete_cookie").await;
    let html = app.html("/how-it-works").await;
    assert!(html.contains("No cookies"), "{html}");
}

#[tokio::test]
async fn a_note_is_a_stored_session_under_a_key_that_is_not_the_cookie() {
    let app = spawn_app().await;
    let res = app.set_note("hello there").await;
    let value = session_value(&res);
    let html = app.html("/how-it-works").await;
    assert!(html.contains("note → hello there"), "{html}");
    assert!(html.contains("user → (not signed in)"), "{html}");
    assert!(html.contains("session under key "), "{html}");
    assert!(html.contains("expires 20"), "{html}");
    assert_no_secret(&html, &value);
}

#[tokio::test]
async fn signed_in_with_and_without_remember_me() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    app.logout().await;

    let res = app.login(&user, false).await;
    let value = session_value(&res);
    let html = app.html("/how-it-works").await;
    assert!(
        html.contains(&format!("user → id 1, {}", user.username)),
        "{html}"
    );
    // Wrapped to the picture's width wherever the names make it fall.
    assert!(
        html.contains(&format!("users row: 1 · {}", user.username)),
        "{html}"
    );
    assert!(html.contains(&user.email), "{html}");
    assert!(html.contains("until the browser closes"), "{html}");
    assert!(!html.contains("Max-Age="), "{html}");
    assert_no_secret(&html, &value);
    // Nor the user's session token (what every session of theirs checks).
    let token: String = match app.storage.db().await {
        sesame::db::Db::Sqlite(pool, _) => sqlx::query_scalar("SELECT session_token FROM users")
            .fetch_one(&pool)
            .await
            .unwrap(),
        sesame::db::Db::Postgres(pool) => sqlx::query_scalar("SELECT session_token FROM users")
            .fetch_one(&pool)
            .await
            .unwrap(),
    };
    assert!(!html.contains(&token), "the session token is on the page");

    app.logout().await;
    let res = app.login(&user, true).await;
    let value = session_value(&res);
    let html = app.html("/how-it-works").await;
    assert!(html.contains("Max-Age=604800"), "remembered: {html}");
    assert_no_secret(&html, &value);
}

#[tokio::test]
async fn log_out_keeps_the_note_and_log_out_everywhere_stores_nothing() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    app.set_note("kept").await;

    app.logout().await;
    let html = app.html("/how-it-works").await;
    assert!(html.contains("user → (not signed in)"), "{html}");
    assert!(html.contains("note → kept"), "{html}");

    app.login(&user, false).await;
    app.logout_all().await;
    let html = app.html("/how-it-works").await;
    assert!(
        html.contains("No session stored for this browser."),
        "{html}"
    );
}

#[tokio::test]
async fn the_pages_that_change_something_link_to_it() {
    let app = spawn_app().await;
    for page in ["/", "/cookies", "/session"] {
        let html = app.html(page).await;
        assert!(html.contains(r#"href="/how-it-works""#), "{page}");
        assert!(html.contains("See what changed"), "{page}");
    }
    // The nav: a visitor gets Log in and Register; a signed-in user the
    // username and a Log out button instead.
    let html = app.html("/").await;
    assert!(
        html.contains(">Log in</a>") && html.contains(">Register</a>"),
        "{html}"
    );
    let user = TestUser::generate();
    app.register(&user).await;
    let html = app.html("/").await;
    assert!(
        !html.contains(">Log in</a>") && !html.contains(">Register</a>"),
        "{html}"
    );
    assert!(html.contains(&format!(">{}</a>", user.username)), "{html}");
    assert!(html.contains(r#"action="/api/logout""#), "{html}");
}
