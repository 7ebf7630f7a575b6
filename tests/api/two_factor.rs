//! Two-factor sign-in: enrolment, the second step, recovery codes, replay,
//! expiry, the throttle, re-authentication, two instances.
use crate::helpers::{at_once, spawn_app, spawn_app_with, Browser, TestApp, TestUser};
use std::time::Duration;
use totp_rs::{Builder, Secret, Totp};

/// What an authenticator app would compute from the secret on the page.
fn app_for(secret: &str) -> Totp {
    let secret = Secret::try_from_base32(secret.replace(' ', "")).expect("base32");
    Builder::new().with_secret(secret).build().expect("totp")
}

fn now() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp() as u64
}

/// The code for the step `steps` away from now (the server accepts one
/// step of skew either way).
fn code(app: &Totp, steps: i64) -> String {
    app.generate((now() as i64 + steps * 30) as u64).to_string()
}

async fn status(browser: &Browser) -> serde_json::Value {
    let res = browser.post_form("/api/two_factor", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Turns two-factor on for the signed-in `browser`: the app it would use,
/// and the recovery codes.
async fn enrol(browser: &Browser) -> (Totp, Vec<String>) {
    let status = status(browser).await;
    assert_eq!(status["enabled"], false);
    let app = app_for(status["setup"]["secret"].as_str().unwrap());
    let res = browser
        .post_form("/api/enable_two_factor", &[("code", &code(&app, 0))])
        .await;
    assert_eq!(res.status(), 200);
    let codes: Vec<String> = res.json().await.unwrap();
    (app, codes)
}

async fn second_step(browser: &Browser, code: &str) -> reqwest::Response {
    browser
        .post_form("/api/login_two_factor", &[("code", code)])
        .await
}

async fn error_of(res: reqwest::Response) -> (u16, serde_json::Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.storage.number(sql, &[]).await
}

#[tokio::test]
async fn enrol_then_sign_in_with_password_and_code_and_no_code_twice() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let setup = status(&app).await;
    assert!(setup["setup"]["qr_path"].as_str().unwrap().starts_with('M'));
    // The secret stays the same while enrolling (it waits in the session).
    assert_eq!(
        status(&app).await["setup"]["secret"],
        setup["setup"]["secret"]
    );
    let wrong = app
        .post_form("/api/enable_two_factor", &[("code", "000000")])
        .await;
    let (status_code, body) = error_of(wrong).await;
    assert_eq!(status_code, 422);
    assert_eq!(body["fields"][0]["message"], "Invalid authentication code.");

    let (totp, codes) = enrol(&app).await;
    assert_eq!(codes.len(), 10);
    // The codes are shown once.
    let shown = status(&app).await;
    assert_eq!(shown["enabled"], true);
    assert_eq!(shown["recovery_codes"].as_array().unwrap().len(), 10);
    assert_eq!(status(&app).await["recovery_codes"], serde_json::json!([]));
    assert_eq!(status(&app).await["recovery_codes_left"], 10);

    app.logout().await;
    let (status_code, body) = error_of(app.login(&user, false).await).await;
    assert_eq!(
        (status_code, body["error"].as_str()),
        (401, Some("second_factor_required"))
    );
    assert!(
        app.current_user().await.is_null(),
        "not signed in after the password alone"
    );
    let (status_code, body) = error_of(second_step(&app, "123456").await).await;
    assert_eq!(status_code, 422);
    assert_eq!(body["message"], "Invalid authentication code.");
    assert!(app.current_user().await.is_null());

    let next = code(&totp, 1);
    assert_eq!(second_step(&app, &next).await.status(), 200);
    assert_eq!(app.current_user().await["username"], user.username.as_str());

    // The same code again, from another browser after its password: refused.
    let other = app.new_browser();
    assert_eq!(other.login(&user, false).await.status(), 401);
    assert_eq!(second_step(&other, &next).await.status(), 422);
    // So is the enrolment's code: its step is used up too.
    assert!(other.current_user().await.is_null());

    // Newest first: the replay, the sign-in, the wrong code, the log out,
    // turning on, the registration.
    let kinds = activity_kinds(&app).await;
    assert_eq!(
        kinds,
        [
            "sign_in_failed",
            "signed_in",
            "sign_in_failed",
            "signed_out",
            "two_factor_on",
            "signed_in"
        ],
    );
    let events: serde_json::Value = app
        .post_form("/api/activity", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        events["events"][1]["what"],
        "Signed in: with a password and an authentication code"
    );
    assert_eq!(
        events["events"][2]["what"],
        "Failed sign-in attempt (wrong authentication code)"
    );
}

async fn activity_kinds(browser: &Browser) -> Vec<String> {
    let page: serde_json::Value = browser
        .post_form("/api/activity", &[])
        .await
        .json()
        .await
        .unwrap();
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn recovery_codes_work_once_each_however_they_are_typed() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let (_, codes) = enrol(&app).await;
    app.logout().await;

    app.login(&user, false).await;
    assert_eq!(second_step(&app, &codes[0]).await.status(), 200);
    assert_eq!(status(&app).await["recovery_codes_left"], 9);
    app.logout().await;
    app.login(&user, false).await;
    assert_eq!(second_step(&app, &codes[0]).await.status(), 422);
    let loose = codes[1].to_uppercase().replace('-', " ");
    assert_eq!(second_step(&app, &loose).await.status(), 200);
    let kinds = activity_kinds(&app).await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "recovery_code_used").count(),
        2
    );
    let events: serde_json::Value = app
        .post_form("/api/activity", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(events["events"][0]["what"], "Recovery code used: 8 left");
}

#[tokio::test]
async fn the_second_step_expires_and_belongs_to_its_own_session() {
    let app = spawn_app_with(|s| s.second_step = Duration::from_secs(1)).await;
    let user = TestUser::generate();
    app.register(&user).await;
    let (totp, _) = enrol(&app).await;
    app.logout().await;

    // Another browser never typed the password: nothing to finish.
    let stranger = app.new_browser();
    app.login(&user, false).await;
    let (status_code, body) = error_of(second_step(&stranger, &code(&totp, 1)).await).await;
    assert_eq!(
        (status_code, body["error"].as_str()),
        (401, Some("sign_in_expired"))
    );
    assert!(stranger.current_user().await.is_null());

    // Too late.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status_code, body) = error_of(second_step(&app, &code(&totp, 1)).await).await;
    assert_eq!(
        (status_code, body["error"].as_str()),
        (401, Some("sign_in_expired"))
    );
    assert!(app.current_user().await.is_null());
}

#[tokio::test]
async fn wrong_codes_count_toward_the_sign_in_throttle() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let (totp, _) = enrol(&app).await;
    app.logout().await;
    app.login(&user, false).await;
    for _ in 0..5 {
        assert_eq!(second_step(&app, "000000").await.status(), 422);
    }
    assert_eq!(second_step(&app, &code(&totp, 1)).await.status(), 429);
    assert!(app.current_user().await.is_null());
    assert_eq!(app.new_browser().login(&user, false).await.status(), 429);
    // The code's 429 and the password's (written apart from its request):
    // one row, counting both.
    let mut throttled = Vec::new();
    for _ in 0..100 {
        throttled = app
            .storage
            .texts("SELECT detail FROM account_events WHERE kind = 'throttled'")
            .await;
        if throttled == ["2"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(throttled, ["2"]);
}

#[tokio::test]
async fn sensitive_changes_need_a_recent_proof() {
    let app = spawn_app_with(|s| s.reauth = Duration::from_secs(1)).await;
    let user = TestUser::generate();
    app.register(&user).await;
    let setup = status(&app).await;
    let totp = app_for(setup["setup"]["secret"].as_str().unwrap());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(status(&app).await["needs_proof"], true);
    for res in [
        app.post_form("/api/enable_two_factor", &[("code", &code(&totp, 0))])
            .await,
        app.revoke_other_sessions().await,
    ] {
        let (status_code, body) = error_of(res).await;
        assert_eq!(
            (status_code, body["error"].as_str()),
            (403, Some("reauth_required"))
        );
    }
    let wrong = app
        .post_form("/api/reauthenticate", &[("password", "not-the-password")])
        .await;
    assert_eq!(wrong.status(), 422);
    let right = app
        .post_form(
            "/api/reauthenticate",
            &[("password", user.password.as_str())],
        )
        .await;
    assert_eq!(right.status(), 200);
    assert_eq!(status(&app).await["needs_proof"], false);
    assert_eq!(
        app.post_form("/api/enable_two_factor", &[("code", &code(&totp, 0))])
            .await
            .status(),
        200
    );
    assert_eq!(app.revoke_other_sessions().await.status(), 200);
}

#[tokio::test]
async fn turning_off_needs_a_code_and_nothing_secret_is_kept() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let secret = status(&app).await["setup"]["secret"]
        .as_str()
        .unwrap()
        .replace(' ', "");
    let (totp, codes) = enrol(&app).await;
    let export = app.get("/profile/export").await.text().await.unwrap();
    assert!(export.contains(r#""enabled": true"#), "{export}");
    let events = count(&app, "SELECT COUNT(*) FROM account_events").await;
    assert_eq!(events, 2);
    let stored_events = app
        .storage
        .texts("SELECT kind || detail || device FROM account_events")
        .await
        .join(" ");
    for secret in std::iter::once(secret.as_str()).chain(codes.iter().map(String::as_str)) {
        assert!(!export.contains(secret), "{secret} in the export");
        assert!(!stored_events.contains(secret), "{secret} in the events");
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM recovery_codes WHERE code_hash LIKE '%-%'"
        )
        .await,
        0,
        "recovery codes are stored hashed"
    );

    let wrong = app
        .post_form("/api/disable_two_factor", &[("code", "000000")])
        .await;
    assert_eq!(wrong.status(), 422);
    let res = app
        .post_form("/api/disable_two_factor", &[("code", &code(&totp, 1))])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(status(&app).await["enabled"], false);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM two_factor").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM recovery_codes").await, 0);
    assert_eq!(activity_kinds(&app).await[0], "two_factor_off");
    // Signing in needs the password alone again.
    app.logout().await;
    assert_eq!(app.login(&user, false).await.status(), 200);
}

#[tokio::test]
async fn the_second_step_started_on_one_instance_finishes_on_another() {
    let a = spawn_app().await;
    let b = a.sibling().await;
    let user = TestUser::generate();
    a.register(&user).await;
    let (totp, _) = enrol(&a).await;
    a.logout().await;
    assert_eq!(a.login(&user, true).await.status(), 401);
    let on_b = a.browser.on(&b);
    assert_eq!(second_step(&on_b, &code(&totp, 1)).await.status(), 200);
    assert_eq!(
        on_b.current_user().await["username"],
        user.username.as_str()
    );
    assert_eq!(a.current_user().await["username"], user.username.as_str());
}

#[tokio::test]
async fn deleting_the_account_removes_its_two_factor_rows() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let (_, codes) = enrol(&app).await;
    // With two-factor on, the password needs a code with it.
    let res = app
        .post_form(
            "/api/delete_account",
            &[("password", user.password.as_str()), ("code", &codes[0])],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM two_factor").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM recovery_codes").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM account_events").await, 0);
}

#[tokio::test]
async fn one_code_sent_at_once_from_many_browsers_signs_in_only_one() {
    let app = spawn_app_with(crate::helpers::crowd_from_one_address).await;
    let user = TestUser::generate();
    app.register(&user).await;
    let (totp, _) = enrol(&app).await;
    // Five browsers, each past its password, on two addresses, one over
    // HTTP/2; then the same code from all of them at once.
    let mut browsers = Vec::new();
    for i in 0..5 {
        let browser = match i {
            0 => Browser::http2(&app),
            1 | 2 => Browser::at("127.0.0.2", &app),
            _ => app.new_browser(),
        };
        assert_eq!(browser.login(&user, false).await.status(), 401);
        browsers.push(browser);
    }
    let code = code(&totp, 1);
    let requests = browsers
        .iter()
        .map(|b| {
            let (b, code) = (b.clone(), code.clone());
            async move { second_step(&b, &code).await }
        })
        .collect();
    let statuses: Vec<u16> = at_once(requests).await.iter().map(|s| s.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        4,
        "{statuses:?}"
    );
}
