//! Passkeys over HTTP, with a software authenticator: adding one, signing
//! in with it alone, and every way an answer can be wrong: replayed, for
//! another browser's challenge, never started, malformed, forged. Each is
//! a 4xx that stores nothing. Then re-authentication ("sudo mode") and a
//! ceremony that starts on one instance and finishes on another.
use crate::helpers::{
    at_once, spawn_app, spawn_app_with, Authenticator, Browser, TestApp, TestUser,
};
use serde_json::Value;
use std::time::Duration;

async fn options_of(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), 200, "a ceremony's start");
    let text: String = res.json().await.unwrap();
    serde_json::from_str(&text).unwrap()
}

async fn error_of(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn start_adding(browser: &Browser, name: &str) -> Value {
    options_of(
        browser
            .post_form("/api/passkey_register_start", &[("name", name)])
            .await,
    )
    .await
}

async fn finish_adding(browser: &Browser, credential: &Value) -> reqwest::Response {
    browser
        .post_form(
            "/api/passkey_register_finish",
            &[("credential", &credential.to_string())],
        )
        .await
}

/// Adds a passkey named `name` to `browser`'s account.
async fn add_passkey(browser: &Browser, name: &str) -> Authenticator {
    let mut authenticator = Authenticator::new();
    let options = start_adding(browser, name).await;
    assert_eq!(
        options["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    let res = finish_adding(browser, &authenticator.register(&options)).await;
    assert_eq!(res.status(), 200);
    authenticator
}

async fn start_sign_in(browser: &Browser) -> Value {
    options_of(
        browser
            .post_form("/api/passkey_login_start", &[("modal", "on")])
            .await,
    )
    .await
}

async fn finish_sign_in(browser: &Browser, credential: &Value) -> reqwest::Response {
    browser
        .post_form(
            "/api/passkey_login_finish",
            &[
                ("credential", &credential.to_string()),
                ("remember", "on"),
                ("next", "/profile/passkeys"),
            ],
        )
        .await
}

async fn sign_in(browser: &Browser, authenticator: &mut Authenticator) -> reqwest::Response {
    let options = start_sign_in(browser).await;
    finish_sign_in(browser, &authenticator.assert(&options)).await
}

async fn passkeys(browser: &Browser) -> Value {
    let res = browser.post_form("/api/passkeys", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.storage.number(sql, &[]).await
}

/// Rows that a failed ceremony must not have added to.
async fn stored(app: &TestApp) -> (i64, i64) {
    (
        count(app, "SELECT COUNT(*) FROM passkeys").await,
        count(app, "SELECT COUNT(*) FROM user_sessions").await,
    )
}

#[tokio::test]
async fn add_a_passkey_then_sign_in_with_it_alone() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let res = app
        .post_form("/api/passkey_register_start", &[("name", &"x".repeat(65))])
        .await;
    assert_eq!(res.status(), 422, "a name longer than 64 characters");
    let mut authenticator = add_passkey(&app, "Laptop").await;
    // The same key again (a browser would refuse: it is in
    // `excludeCredentials`; this authenticator does not look).
    let options = start_adding(&app, "Again").await;
    let excluded = options["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(excluded, 1);
    let res = finish_adding(&app, &authenticator.register(&options)).await;
    assert_eq!(error_of(res).await, (400, "passkey_rejected".to_owned()));
    let list = passkeys(&app).await;
    assert_eq!(list["passkeys"].as_array().unwrap().len(), 1);
    assert_eq!(list["passkeys"][0]["name"], "Laptop");
    assert_eq!(list["passkeys"][0]["last_used"], Value::Null);

    // Another browser, no username, no password.
    let phone = app.new_browser();
    let options = start_sign_in(&phone).await;
    assert_eq!(
        options["publicKey"]["allowCredentials"],
        serde_json::json!([])
    );
    assert_eq!(options.get("mediation"), None);
    let res = finish_sign_in(&phone, &authenticator.assert(&options)).await;
    assert_eq!(res.status(), 200);
    // A remembered session, like a password sign-in with "Remember me".
    let cookie = crate::helpers::set_cookies(&res).join("\n");
    assert!(cookie.contains("Max-Age=604800"), "{cookie}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["to"], "/profile/passkeys");
    assert_eq!(
        phone.current_user().await["username"],
        user.username.as_str()
    );
    let list = passkeys(&phone).await;
    assert_ne!(list["passkeys"][0]["last_used"], Value::Null);
    // Listed among the devices, and in the activity.
    let sessions: Value = app.sessions().await.json().await.unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 2);
    let details = app
        .storage
        .texts("SELECT kind || ':' || detail FROM account_events ORDER BY id")
        .await;
    assert!(
        details.contains(&"passkey_added:Laptop".to_owned()),
        "{details:?}"
    );
    assert!(
        details.contains(&"signed_in:with a passkey (Laptop)".to_owned()),
        "{details:?}"
    );
    // The counter the authenticator reported is kept.
    let json = app
        .storage
        .texts("SELECT passkey FROM passkeys")
        .await
        .join("");
    assert!(json.contains("\"counter\":1"), "{json}");
}

#[tokio::test]
async fn the_autofill_sign_in_opens_no_session_until_it_succeeds() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let mut authenticator = add_passkey(&app, "Key").await;
    // Started by every visit to /login: no cookie, no stored session.
    let visitor = app.new_browser();
    let sessions = app.stored_sessions().await;
    let res = visitor.post_form("/api/passkey_login_start", &[]).await;
    assert!(crate::helpers::session_cookie(&res).is_none());
    let options = options_of(res).await;
    assert_eq!(options["mediation"], "conditional");
    assert_eq!(app.stored_sessions().await, sessions);
    // The visitor picks the passkey: signed in.
    let answer = authenticator.assert(&options);
    assert_eq!(finish_sign_in(&visitor, &answer).await.status(), 200);
    assert_eq!(
        visitor.current_user().await["username"],
        user.username.as_str()
    );
    // Once only, from this browser or any other.
    for browser in [visitor.on(&app), app.new_browser()] {
        assert_eq!(
            error_of(finish_sign_in(&browser, &answer).await).await,
            (400, "passkey_not_started".to_owned())
        );
    }
    // A button's sign-in given up on (still waiting in the session) does
    // not stand in the autofill's way.
    let other = app.new_browser();
    start_sign_in(&other).await;
    let options = options_of(other.post_form("/api/passkey_login_start", &[]).await).await;
    let answer = authenticator.assert(&options);
    assert_eq!(finish_sign_in(&other, &answer).await.status(), 200);
}

#[tokio::test]
async fn one_autofill_answer_sent_at_once_from_many_browsers_signs_in_one() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let mut authenticator = add_passkey(&app, "Key").await;
    let visitor = app.new_browser();
    let options = options_of(visitor.post_form("/api/passkey_login_start", &[]).await).await;
    let answer = authenticator.assert(&options);
    // Not bound to a session: whoever holds it may try, from anywhere, at
    // once; two loopback addresses, two browsers over HTTP/2.
    let browsers = [
        app.new_browser(),
        app.browser_at("127.0.0.2"),
        app.browser_at("127.0.0.3"),
        Browser::http2(&app),
        Browser::http2(&app),
        visitor,
    ];
    let requests: Vec<_> = browsers
        .into_iter()
        .map(|browser| {
            let answer = answer.clone();
            async move { finish_sign_in(&browser, &answer).await }
        })
        .collect();
    let statuses = at_once(requests).await;
    let ok = statuses.iter().filter(|s| s.as_u16() == 200).count();
    assert_eq!(ok, 1, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| [200, 400].contains(&s.as_u16())),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_passkey_started_for_one_account_is_not_added_to_another() {
    let app = spawn_app().await;
    let alice = TestUser::generate();
    let bob = TestUser::generate();
    app.new_browser().register(&bob).await;
    app.register(&alice).await;
    // Alice starts adding a passkey; Bob signs in over her in this browser
    // (the session's data stays) and answers her ceremony.
    let options = start_adding(&app, "Alice's").await;
    assert_eq!(app.login(&bob, false).await.status(), 200);
    let res = finish_adding(&app, &Authenticator::new().register(&options)).await;
    assert_eq!(error_of(res).await, (400, "passkey_not_started".to_owned()));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM passkeys").await, 0);
}

#[tokio::test]
async fn a_replayed_answer_is_refused_and_signs_in_nobody() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let mut authenticator = add_passkey(&app, "Key").await;
    let phone = app.new_browser();
    let options = start_sign_in(&phone).await;
    let answer = authenticator.assert(&options);
    assert_eq!(finish_sign_in(&phone, &answer).await.status(), 200);
    let before = stored(&app).await;

    // The same answer again, in the same browser: its ceremony is over.
    assert_eq!(
        error_of(finish_sign_in(&phone, &answer).await).await,
        (400, "passkey_not_started".to_owned())
    );
    // In a browser that started a ceremony of its own: not its challenge.
    let thief = app.new_browser();
    start_sign_in(&thief).await;
    assert_eq!(
        error_of(finish_sign_in(&thief, &answer).await).await,
        (400, "passkey_rejected".to_owned())
    );
    assert_eq!(thief.current_user().await, Value::Null);
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn one_answer_sent_at_once_many_times_signs_in_once() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let mut authenticator = add_passkey(&app, "Key").await;
    let phone = app.new_browser();
    let answer = authenticator.assert(&start_sign_in(&phone).await);
    let requests: Vec<_> = (0..6)
        .map(|_| {
            let phone = phone.on(&app);
            let answer = answer.clone();
            async move { finish_sign_in(&phone, &answer).await }
        })
        .collect();
    let statuses = at_once(requests).await;
    let ok = statuses.iter().filter(|s| s.as_u16() == 200).count();
    assert_eq!(ok, 1, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| [200, 400].contains(&s.as_u16())),
        "{statuses:?}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM user_sessions").await, 2);
}

#[tokio::test]
async fn an_answer_for_another_users_challenge_is_refused() {
    let app = spawn_app().await;
    let alice = TestUser::generate();
    app.register(&alice).await;
    let mut alices_key = add_passkey(&app, "Alice's").await;
    let bob = app.new_browser();
    bob.register(&TestUser::generate()).await;
    let mut bobs_key = add_passkey(&bob, "Bob's").await;
    bob.logout().await;
    let before = stored(&app).await;

    // Bob's browser starts a sign-in; Alice's key answers a challenge
    // from her own browser, and Bob posts that answer to his ceremony.
    start_sign_in(&bob).await;
    let alices_answer = alices_key.assert(&start_sign_in(&app.new_browser()).await);
    assert_eq!(
        error_of(finish_sign_in(&bob, &alices_answer).await).await,
        (400, "passkey_rejected".to_owned())
    );
    assert_eq!(bob.current_user().await, Value::Null);

    // Alice proving it is her, with Bob's key over her own challenge.
    let challenge = options_of(app.post_form("/api/passkey_reauth_start", &[]).await).await;
    let allowed = challenge["publicKey"]["allowCredentials"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(allowed, 1);
    let res = app
        .post_form(
            "/api/passkey_reauth_finish",
            &[("credential", &bobs_key.assert(&challenge).to_string())],
        )
        .await;
    assert_eq!(error_of(res).await, (400, "passkey_rejected".to_owned()));
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn a_ceremony_finished_without_being_started_is_refused() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let mut authenticator = add_passkey(&app, "Key").await;
    // An answer made for a challenge from elsewhere, posted where no
    // ceremony was started.
    let answer = authenticator.assert(&start_sign_in(&app.new_browser()).await);
    let before = stored(&app).await;
    let stranger = app.new_browser();
    assert_eq!(
        error_of(finish_sign_in(&stranger, &answer).await).await,
        (400, "passkey_not_started".to_owned())
    );
    for path in ["/api/passkey_register_finish", "/api/passkey_reauth_finish"] {
        let res = app
            .post_form(path, &[("credential", &answer.to_string())])
            .await;
        assert_eq!(
            error_of(res).await,
            (400, "passkey_not_started".to_owned()),
            "{path}"
        );
    }
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn malformed_or_forged_answers_are_refused_and_count_as_failures() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let mut authenticator = add_passkey(&app, "Key").await;
    let before = stored(&app).await;
    let browser = app.new_browser();

    // Not JSON; JSON of the wrong shape; signed for another origin (a
    // phishing site's page); a forged signature. Each answers the ceremony
    // started just before it.
    for broken in ["not json", "wrong shape", "other origin", "bad signature"] {
        let options = start_sign_in(&browser).await;
        let answer = match broken {
            "not json" => "not json".to_owned(),
            "wrong shape" => r#"{"id":"x"}"#.to_owned(),
            "other origin" => {
                authenticator.origin = "http://evil.localhost:3000".to_owned();
                let answer = authenticator.assert(&options);
                authenticator.origin = crate::helpers::ORIGIN.to_owned();
                answer.to_string()
            }
            _ => {
                let mut answer = authenticator.assert(&options);
                answer["response"]["signature"] = "MEUCIQDf".into();
                answer.to_string()
            }
        };
        let res = browser
            .post_form("/api/passkey_login_finish", &[("credential", &answer)])
            .await;
        assert_eq!(
            error_of(res).await,
            (400, "passkey_rejected".to_owned()),
            "{broken}"
        );
    }
    // Registration too: an answer that is not a credential at all.
    start_adding(&app, "Broken").await;
    assert_eq!(
        error_of(finish_adding(&app, &serde_json::json!({"id": 1})).await).await,
        (400, "passkey_rejected".to_owned())
    );
    assert_eq!(browser.current_user().await, Value::Null);
    assert_eq!(stored(&app).await, before);
    let failed = count(
        &app,
        "SELECT COUNT(*) FROM account_events WHERE kind = 'sign_in_failed'",
    )
    .await;
    assert_eq!(failed, 2, "the forged answers for a known passkey");
}

#[tokio::test]
async fn failed_answers_are_throttled_apart_from_the_password() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let mut authenticator = add_passkey(&app, "Key").await;
    let browser = app.new_browser();
    for _ in 0..5 {
        let mut answer = authenticator.assert(&start_sign_in(&browser).await);
        answer["response"]["signature"] = "MEUCIQDf".into();
        assert_eq!(finish_sign_in(&browser, &answer).await.status(), 400);
    }
    // The right answer now waits like the right password would; the
    // password has a count of its own (as the passkey has from wrong
    // passwords).
    let res = sign_in(&browser, &mut authenticator).await;
    assert_eq!(res.status(), 429);
    assert_eq!(app.login(&user, false).await.status(), 200);
}

#[tokio::test]
async fn a_removed_passkey_no_longer_signs_in() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let mut authenticator = add_passkey(&app, "Old").await;
    let id = passkeys(&app).await["passkeys"][0]["id"].as_i64().unwrap();
    let other = app.new_browser();
    other.register(&TestUser::generate()).await;
    let res = other
        .post_form("/api/remove_passkey", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), 404, "another user's passkey");
    let res = app
        .post_form("/api/remove_passkey", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(passkeys(&app).await["passkeys"], serde_json::json!([]));
    let (status, error) = error_of(sign_in(&app.new_browser(), &mut authenticator).await).await;
    assert_eq!((status, error.as_str()), (401, "passkey_unknown"));
    let details = app
        .storage
        .texts("SELECT kind || ':' || detail FROM account_events ORDER BY id")
        .await;
    assert!(
        details.contains(&"passkey_removed:Old".to_owned()),
        "{details:?}"
    );
}

#[tokio::test]
async fn sensitive_changes_need_a_fresh_proof_by_password_or_passkey() {
    let app = spawn_app_with(|s| s.reauth = Duration::from_secs(1)).await;
    let user = TestUser::generate();
    app.register(&user).await;
    let mut authenticator = add_passkey(&app, "Key").await;
    tokio::time::sleep(Duration::from_millis(2100)).await;

    // Stale: the password change, adding and removing a passkey.
    let id = passkeys(&app).await["passkeys"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    for res in [
        app.change_password(&user.password, "a-new-password-1")
            .await,
        app.post_form("/api/passkey_register_start", &[("name", "x")])
            .await,
        app.post_form("/api/remove_passkey", &[("id", &id)]).await,
    ] {
        assert_eq!(error_of(res).await, (403, "reauth_required".to_owned()));
    }
    let proof: Value = app
        .post_form("/api/proof_needed", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        proof,
        serde_json::json!({"needed": true, "passkey": true, "code": false})
    );

    // A passkey proves it; the change then works.
    let challenge = options_of(app.post_form("/api/passkey_reauth_start", &[]).await).await;
    let res = app
        .post_form(
            "/api/passkey_reauth_finish",
            &[("credential", &authenticator.assert(&challenge).to_string())],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .change_password(&user.password, "a-new-password-1")
        .await;
    assert_eq!(res.status(), 200);

    // Older than REAUTH_MINUTES again: refused again; the password proves it.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let res = app
        .change_password("a-new-password-1", "a-new-password-2")
        .await;
    assert_eq!(error_of(res).await, (403, "reauth_required".to_owned()));
    let res = app
        .post_form("/api/reauthenticate", &[("password", "a-new-password-1")])
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .change_password("a-new-password-1", "a-new-password-2")
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_ceremony_started_on_one_instance_finishes_on_another() {
    let a = spawn_app().await;
    let b = a.sibling().await;
    let user = TestUser::generate();
    a.register(&user).await;
    // Adding: started on A, answered on B.
    let mut authenticator = Authenticator::new();
    let options = start_adding(&a, "Two instances").await;
    let res = finish_adding(&a.browser.on(&b), &authenticator.register(&options)).await;
    assert_eq!(res.status(), 200);
    // Signing in: started on B, answered on A.
    let phone = b.new_browser();
    let options = start_sign_in(&phone).await;
    let on_a = phone.on(&a);
    assert_eq!(
        finish_sign_in(&on_a, &authenticator.assert(&options))
            .await
            .status(),
        200
    );
    assert_eq!(
        phone.current_user().await["username"],
        user.username.as_str()
    );
    // And its answer, replayed on B, finds the ceremony claimed.
    let options = start_sign_in(&phone).await;
    let answer = authenticator.assert(&options);
    assert_eq!(finish_sign_in(&on_a, &answer).await.status(), 200);
    assert_eq!(
        error_of(finish_sign_in(&phone, &answer).await).await,
        (400, "passkey_not_started".to_owned())
    );
    // The autofill's sign-in: asked on B, answered on A.
    let visitor = b.new_browser();
    let options = options_of(visitor.post_form("/api/passkey_login_start", &[]).await).await;
    let answer = authenticator.assert(&options);
    assert_eq!(finish_sign_in(&visitor.on(&a), &answer).await.status(), 200);
}

#[tokio::test]
async fn deleting_the_account_with_a_passkey_needs_a_fresh_proof_and_removes_its_passkeys() {
    let app = spawn_app_with(|s| s.reauth = Duration::from_secs(1)).await;
    let user = TestUser::generate();
    app.register(&user).await;
    let mut authenticator = add_passkey(&app, "Key").await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let delete = || {
        app.post_form(
            "/api/delete_account",
            &[("password", ""), ("passkey", "on")],
        )
    };
    assert_eq!(
        error_of(delete().await).await,
        (403, "reauth_required".to_owned())
    );
    let challenge = options_of(app.post_form("/api/passkey_reauth_start", &[]).await).await;
    let res = app
        .post_form(
            "/api/passkey_reauth_finish",
            &[("credential", &authenticator.assert(&challenge).to_string())],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(delete().await.status(), 200);
    assert_eq!(app.current_user().await, Value::Null);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM passkeys").await, 0);
    let (status, error) = error_of(sign_in(&app.new_browser(), &mut authenticator).await).await;
    assert_eq!((status, error.as_str()), (401, "passkey_unknown"));
}
