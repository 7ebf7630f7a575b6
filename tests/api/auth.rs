//! Accounts, sign-in and sign-out over HTTP.
use crate::helpers::{
    assert_error, location, pair, session_cookie, set_cookies, spawn_app, spawn_app_with, AppError,
    TestUser,
};
use reqwest::header;
use std::time::Duration;

#[tokio::test]
async fn registering_signs_the_user_in() {
    let app = spawn_app().await;
    let user = TestUser::generate();

    let res = app.register(&user).await;

    assert_eq!(res.status(), 200);
    assert!(session_cookie(&res).is_some());
    let me = app.current_user().await;
    assert_eq!(me["username"], user.username.as_str());
    assert_eq!(me["email"], user.email.as_str());
    assert!(me["id"].is_i64());
    assert!(me.get("password_hash").is_none());
}

#[tokio::test]
async fn current_user_is_null_when_anonymous() {
    let app = spawn_app().await;
    assert!(app.current_user().await.is_null());
}

#[tokio::test]
async fn every_bad_registration_field_gets_its_own_message() {
    let app = spawn_app().await;
    let long_email = format!("{}@example.com", "a".repeat(243));
    let cases: Vec<(&str, String, String, String)> = vec![
        (
            "username",
            "ab".into(),
            "a@example.com".into(),
            "password1".into(),
        ),
        (
            "username",
            "x".repeat(33),
            "a@example.com".into(),
            "password1".into(),
        ),
        (
            "username",
            "has space".into(),
            "a@example.com".into(),
            "password1".into(),
        ),
        (
            "username",
            "<script>".into(),
            "a@example.com".into(),
            "password1".into(),
        ),
        (
            "email",
            "okname".into(),
            "not-an-email".into(),
            "password1".into(),
        ),
        ("email", "okname".into(), long_email, "password1".into()),
        (
            "password",
            "okname".into(),
            "a@example.com".into(),
            "short".into(),
        ),
        (
            "password",
            "okname".into(),
            "a@example.com".into(),
            "p".repeat(129),
        ),
    ];
    for (field, username, email, password) in cases {
        let res = app
            .post_form(
                "/api/register",
                &[
                    ("username", &username),
                    ("email", &email),
                    ("password", &password),
                ],
            )
            .await;
        assert_eq!(res.status(), 422, "{field}: {username} {email}");
        assert!(session_cookie(&res).is_none());
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "validation");
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, [field]);
    }
    assert!(app.current_user().await.is_null());
}

#[tokio::test]
async fn usernames_are_unique_whatever_their_case_and_emails_are_unique() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    assert_eq!(app.register(&user).await.status(), 200);

    let other = app.new_browser();
    let mut same_name = TestUser::generate();
    same_name.username = user.username.to_uppercase();
    let res = other.register(&same_name).await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("That username is taken."));

    let mut same_email = TestUser::generate();
    same_email.email = user.email.clone();
    let res = other.register(&same_email).await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("That email is already registered."));
}

#[tokio::test]
async fn login_works_with_any_case_of_the_username() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    app.logout().await;

    let mut shouting = user.clone();
    shouting.username = user.username.to_uppercase();
    let res = app.login(&shouting, false).await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.current_user().await["username"], user.username.as_str());
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_look_the_same() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    app.logout().await;

    let wrong = user.with_password("not-the-password");
    let mut unknown = TestUser::generate();
    unknown.password = wrong.password.clone();

    let a = app.login(&wrong, false).await;
    let (a_status, a_cookie) = (a.status(), session_cookie(&a));
    let a_body = a.text().await.unwrap();
    let b = app.login(&unknown, false).await;
    let (b_status, b_cookie) = (b.status(), session_cookie(&b));
    let b_body = b.text().await.unwrap();

    assert_eq!(a_status, 401);
    assert_eq!(b_status, 401);
    assert_eq!(a_body, b_body);
    assert_eq!(
        a_body,
        r#"{"error":"invalid_credentials","message":"Invalid username or password."}"#
    );
    assert!(
        a_cookie.is_none() && b_cookie.is_none(),
        "no session for a failed login"
    );
    assert!(app.current_user().await.is_null());
}

#[tokio::test]
async fn the_session_id_changes_at_login() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    app.logout().await;
    // A visitor session, perhaps planted by an attacker.
    let before = session_cookie(&app.set_note("planted").await).expect("a session for the note");

    let after = session_cookie(&app.login(&user, false).await).expect("a new cookie at login");

    assert_ne!(pair(&before), pair(&after));
    // The old id is worthless: not signed in, and its data is gone.
    assert_eq!(app.current_user_replaying(&pair(&before)).await, "null");
    // The note came along to the signed-in session (Flask keeps the session).
    assert_eq!(app.note().await, "planted");
}

#[tokio::test]
async fn cookies_are_httponly_lax_and_path_root_and_secure_only_when_configured() {
    let app = spawn_app().await;
    let cookie = session_cookie(&app.register(&TestUser::generate()).await).unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");

    let app = spawn_app_with(|s| s.cookie_secure = true).await;
    let cookie = session_cookie(&app.register(&TestUser::generate()).await).unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn remember_me_gives_a_persistent_cookie_of_session_days() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    app.logout().await;

    let remembered = session_cookie(&app.login(&user, true).await).unwrap();
    assert!(remembered.contains("Max-Age=604800"), "{remembered}");

    let other = app.new_browser();
    let res = other.login(&user, false).await;
    let plain = session_cookie(&res).unwrap();
    assert!(
        !plain.contains("Max-Age") && !plain.contains("Expires"),
        "{plain}"
    );
}

#[tokio::test]
async fn logout_ends_the_sign_in_on_the_server_and_keeps_the_note() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    let old = pair(&session_cookie(&app.register(&user).await).unwrap());
    app.set_note("keep me").await;

    let res = app.logout().await;
    assert_eq!(res.status(), 200);

    assert!(app.current_user().await.is_null());
    assert_eq!(app.note().await, "keep me");
    // Replaying the cookie from before the logout is anonymous.
    assert_eq!(app.current_user_replaying(&old).await, "null");
}

#[tokio::test]
async fn log_out_everywhere_clears_the_session_and_ends_the_other_devices() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    app.set_note("gone soon").await;
    let laptop = app.new_browser();
    assert_eq!(laptop.login(&user, true).await.status(), 200);
    assert!(!laptop.current_user().await.is_null());

    let res = app.logout_all().await;
    assert_eq!(res.status(), 200);

    assert!(app.current_user().await.is_null());
    assert!(app.note().await.is_null());
    assert!(
        laptop.current_user().await.is_null(),
        "the other device is signed out"
    );
}

#[tokio::test]
async fn a_browser_session_expires_after_the_idle_limit_even_if_replayed() {
    let app = spawn_app_with(|s| s.session_idle = Duration::from_secs(2)).await;
    let user = TestUser::generate();
    let cookie = pair(&session_cookie(&app.register(&user).await).unwrap());
    assert!(!app.current_user().await.is_null());

    tokio::time::sleep(Duration::from_millis(2600)).await;

    assert!(app.current_user().await.is_null());
    assert_eq!(app.current_user_replaying(&cookie).await, "null");
}

#[tokio::test]
async fn activity_keeps_a_browser_session_alive() {
    let app = spawn_app_with(|s| s.session_idle = Duration::from_secs(2)).await;
    app.register(&TestUser::generate()).await;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert!(!app.current_user().await.is_null());
    }
}

#[tokio::test]
async fn failed_logins_are_throttled_with_429_until_the_window_passes() {
    let app = spawn_app_with(|s| s.login_throttle.window = Duration::from_secs(2)).await;
    let user = TestUser::generate();
    app.register(&user).await;
    app.logout().await;
    let wrong = user.with_password("wrong-password");

    for _ in 0..5 {
        assert_eq!(app.login(&wrong, false).await.status(), 401);
    }
    let blocked = app.login(&user, false).await;
    assert_eq!(blocked.status(), 429, "even the right password waits");
    assert_error(blocked, 429, AppError::TooManyAttempts).await;
    // Dropping cookies does not help: the count is on the server.
    let fresh = app.new_browser();
    assert_eq!(fresh.login(&user, false).await.status(), 429);

    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(app.login(&user, false).await.status(), 200);
}

#[tokio::test]
async fn a_cross_site_login_is_refused_and_a_same_site_one_accepted() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let other = app.new_browser();
    let form = [
        ("username", user.username.as_str()),
        ("password", user.password.as_str()),
    ];

    let res = other
        .client()
        .post(app.url("/api/login"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(set_cookies(&res).is_empty());

    let res = other
        .client()
        .post(app.url("/api/login"))
        .header(header::ORIGIN, &app.address)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn mutating_server_functions_refuse_get() {
    let app = spawn_app().await;
    for path in [
        "/api/login",
        "/api/logout",
        "/api/logout_all",
        "/api/register",
        "/api/set_note",
        "/api/set_cookie",
    ] {
        let res = app.get(path).await;
        assert!(res.status().is_client_error(), "{path}: {}", res.status());
    }
}

#[tokio::test]
async fn login_with_next_goes_only_to_same_site_paths() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let cases = [
        ("/users", "/users"),
        ("/users?page=2", "/users?page=2"),
        ("https://evil.example/", "/profile"),
        ("//evil.example", "/profile"),
        ("/\\evil.example", "/profile"),
        ("javascript:alert(1)", "/profile"),
        ("", "/profile"),
    ];
    for (next, expected) in cases {
        let browser = app.new_browser();
        let res = browser
            .client()
            .post(app.url("/api/login"))
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, app.url("/login"))
            .form(&[
                ("username", user.username.as_str()),
                ("password", user.password.as_str()),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 302, "{next}");
        assert_eq!(location(&res).as_deref(), Some(expected), "{next}");
    }
}

#[tokio::test]
async fn a_failed_login_without_javascript_comes_back_to_the_form_with_its_message() {
    let app = spawn_app().await;
    let res = app
        .post_html_form(
            "/api/login",
            "/login?next=%2Fusers",
            &[("username", "nobody"), ("password", "whatever1")],
        )
        .await;
    assert_eq!(res.status(), 302);
    let back = location(&res).unwrap();
    assert!(back.starts_with(&app.url("/login?next=%2Fusers")), "{back}");
    let html = app.html(&back).await;
    assert!(html.contains("Invalid username or password."), "{html}");
}

#[tokio::test]
async fn a_remembered_session_survives_a_restart() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    app.logout().await;
    app.login(&user, true).await;

    let app = app.restart().await;

    assert_eq!(app.current_user().await["username"], user.username.as_str());
}

#[tokio::test]
async fn the_operator_can_create_a_user_from_the_command_line() {
    use std::io::Write;
    let app = spawn_app().await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sesame"))
        .args([
            "create-user",
            "--username",
            "operator1",
            "--email",
            "op@example.com",
        ])
        .envs(app.storage.env())
        .current_dir(app.data_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"operator-password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");

    let op = TestUser {
        username: "operator1".into(),
        email: "op@example.com".into(),
        password: "operator-password".into(),
    };
    assert_eq!(app.login(&op, false).await.status(), 200);
}
