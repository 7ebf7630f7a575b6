//! The seams between sign-in features: each test crosses two of them (a
//! password step and a code step, one account and the next on the same
//! browser, one kind of proof and another, the proxy's header and the
//! client's), where each feature alone had its tests and the pair had a
//! hole (issue 25).
use crate::helpers::{
    at_once, crowd_from_one_address, spawn_app_with, Authenticator, Browser, TestApp, TestUser,
};
use serde_json::Value;
use std::time::Duration;
use totp_rs::{Builder, Secret, Totp};

fn app_for(secret: &str) -> Totp {
    let secret = Secret::try_from_base32(secret.replace(' ', "")).expect("base32");
    Builder::new().with_secret(secret).build().expect("totp")
}

fn code(app: &Totp, steps: i64) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    app.generate((now + steps * 30) as u64).to_string()
}

async fn json(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn two_factor(browser: &Browser) -> Value {
    let (status, body) = json(browser.post_form("/api/two_factor", &[]).await).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Turns two-factor on for the signed-in `browser` (the code of this
/// step: the next code must be of a later step): the app, and the
/// recovery codes.
async fn enrol_with_codes(browser: &Browser) -> (Totp, Vec<String>) {
    let status = two_factor(browser).await;
    let app = app_for(status["setup"]["secret"].as_str().expect("a secret"));
    let res = browser
        .post_form("/api/enable_two_factor", &[("code", &code(&app, 0))])
        .await;
    assert_eq!(res.status(), 200);
    (app, res.json().await.unwrap())
}

async fn enrol(browser: &Browser) -> Totp {
    enrol_with_codes(browser).await.0
}

async fn second_step(browser: &Browser, code: &str) -> reqwest::Response {
    browser
        .post_form("/api/login_two_factor", &[("code", code)])
        .await
}

async fn options_of(res: reqwest::Response) -> Value {
    let (status, body) = json(res).await;
    assert_eq!(status, 200, "a ceremony's start: {body}");
    serde_json::from_str(body.as_str().unwrap()).unwrap()
}

async fn add_passkey(browser: &Browser) -> Authenticator {
    let mut authenticator = Authenticator::new();
    let options = options_of(
        browser
            .post_form("/api/passkey_register_start", &[("name", "Key")])
            .await,
    )
    .await;
    let answer = authenticator.register(&options);
    let res = browser
        .post_form(
            "/api/passkey_register_finish",
            &[("credential", &answer.to_string())],
        )
        .await;
    assert_eq!(res.status(), 200);
    authenticator
}

async fn passkey_answer(browser: &Browser, authenticator: &mut Authenticator) -> Value {
    let options = options_of(
        browser
            .post_form("/api/passkey_login_start", &[("modal", "on")])
            .await,
    )
    .await;
    authenticator.assert(&options)
}

async fn passkey_sign_in(browser: &Browser, answer: &Value) -> reqwest::Response {
    browser
        .post_form(
            "/api/passkey_login_finish",
            &[("credential", &answer.to_string())],
        )
        .await
}

fn error(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}

/// Rounds of "password, then wrong codes" from `browsers` (in turn): how
/// many wrong codes were judged (422) before everything answered 429.
async fn guess_codes(browsers: &[Browser], user: &TestUser) -> usize {
    let mut judged = 0;
    for round in 0..12 {
        let browser = &browsers[round % browsers.len()];
        let (status, body) = json(browser.login(user, false).await).await;
        if status == 429 {
            assert_eq!(error(&body), "too_many_attempts");
            return judged;
        }
        assert_eq!(error(&body), "second_factor_required", "{body}");
        for _ in 0..4 {
            let (status, body) = json(second_step(browser, "000000").await).await;
            match status {
                422 => judged += 1,
                429 => {
                    assert_eq!(error(&body), "too_many_attempts");
                    break;
                }
                other => panic!("{other}: {body}"),
            }
        }
    }
    panic!("the password kept buying fresh guesses: {judged} wrong codes judged")
}

#[tokio::test]
async fn a_known_password_buys_no_fresh_guesses_at_the_code() {
    let app = spawn_app_with(crowd_from_one_address).await;
    let user = TestUser::generate();
    app.register(&user).await;
    let totp = enrol(&app).await;
    app.logout().await;
    let judged = guess_codes(&[app.new_browser()], &user).await;
    assert!(judged <= 5, "{judged} wrong codes judged");
    // Locked for codes and for the password alike, even the right ones.
    let owner = app.new_browser();
    assert_eq!(owner.login(&user, false).await.status(), 429);
    assert!(owner.current_user().await.is_null());
    let _ = code(&totp, 0);
}

#[tokio::test]
async fn the_code_limit_holds_across_two_instances_and_two_addresses() {
    let app = spawn_app_with(crowd_from_one_address).await;
    let user = TestUser::generate();
    app.register(&user).await;
    enrol(&app).await;
    app.logout().await;
    let sibling = app.sibling().await;
    let browsers = [
        Browser::at("127.0.0.2", &app),
        Browser::at("127.0.0.3", &sibling),
    ];
    let judged = guess_codes(&browsers, &user).await;
    assert!(judged <= 5, "{judged} wrong codes judged");
    assert_eq!(
        Browser::at("127.0.0.4", &sibling)
            .login(&user, false)
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn delete_by_passkey_needs_a_passkey_proof_from_this_session() {
    let app = spawn_app_with(|_| {}).await;
    let user = TestUser::generate();
    app.register(&user).await;
    // Right after registering (a password proof), with no passkey at all.
    let form = [("password", "wrong"), ("passkey", "on")];
    let (status, body) = json(app.post_form("/api/delete_account", &form).await).await;
    assert_eq!((status, error(&body)), (403, "reauth_required"));
    assert_eq!(app.new_browser().login(&user, false).await.status(), 200);

    // With a passkey, a password proof is still not a passkey proof.
    let mut authenticator = add_passkey(&app).await;
    let (status, body) = json(app.post_form("/api/delete_account", &form).await).await;
    assert_eq!((status, error(&body)), (403, "reauth_required"));
    assert_eq!(app.new_browser().login(&user, false).await.status(), 200);

    // A passkey proof made here: the passkey way works.
    let options = options_of(app.post_form("/api/passkey_reauth_start", &[]).await).await;
    let answer = authenticator.assert(&options);
    let res = app
        .post_form(
            "/api/passkey_reauth_finish",
            &[("credential", &answer.to_string())],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.post_form("/api/delete_account", &form).await.status(),
        200
    );
    assert_eq!(app.new_browser().login(&user, false).await.status(), 401);
}

#[tokio::test]
async fn the_next_account_on_a_browser_inherits_nothing_of_the_last() {
    let app = spawn_app_with(crowd_from_one_address).await;
    let (alice, bob) = (TestUser::generate(), TestUser::generate());
    app.new_browser().register(&alice).await;
    let bobs_own = app.new_browser();
    bobs_own.register(&bob).await;

    // A shared computer: Alice opens the two-factor page, Bob signs in.
    let shared = app.new_browser();
    assert_eq!(shared.login(&alice, false).await.status(), 200);
    let alices_secret = two_factor(&shared).await["setup"]["secret"].clone();
    assert_eq!(shared.login(&bob, false).await.status(), 200);
    assert_eq!(
        shared.current_user().await["username"],
        bob.username.as_str()
    );
    let bobs_secret = two_factor(&shared).await["setup"]["secret"].clone();
    assert_ne!(bobs_secret, alices_secret);
    let alices_app = app_for(alices_secret.as_str().unwrap());
    let res = shared
        .post_form("/api/enable_two_factor", &[("code", &code(&alices_app, 0))])
        .await;
    assert_eq!(res.status(), 422, "Alice's secret cannot enrol Bob");
    let bobs_totp = enrol(&bobs_own).await;

    // Alice turns two-factor on (her codes wait to be shown) and starts
    // adding a passkey; then Bob signs in, with his code.
    assert_eq!(shared.login(&alice, false).await.status(), 200);
    let (_, alices_codes) = enrol_with_codes(&shared).await;
    assert_eq!(alices_codes.len(), 10);
    let alices_ceremony = options_of(
        shared
            .post_form("/api/passkey_register_start", &[("name", "Alice's")])
            .await,
    )
    .await;
    assert_eq!(shared.login(&bob, false).await.status(), 401);
    assert_eq!(
        second_step(&shared, &code(&bobs_totp, 1)).await.status(),
        200
    );
    assert_eq!(
        shared.current_user().await["username"],
        bob.username.as_str()
    );
    let status = two_factor(&shared).await;
    assert_eq!(
        status["recovery_codes"],
        serde_json::json!([]),
        "not Alice's codes"
    );
    let answer = Authenticator::new().register(&alices_ceremony);
    let (status, body) = json(
        shared
            .post_form(
                "/api/passkey_register_finish",
                &[("credential", &answer.to_string())],
            )
            .await,
    )
    .await;
    assert_eq!((status, error(&body)), (400, "passkey_not_started"));
    assert_eq!(
        app.storage
            .number("SELECT COUNT(*) FROM passkeys", &[])
            .await,
        0
    );
}

/// A login sent through the proxy at 127.0.0.1: what the proxy appended
/// to `X-Forwarded-For`, and a `Forwarded` the client wrote itself (which
/// nginx passes on untouched).
async fn through_proxy(
    app: &TestApp,
    browser: &Browser,
    user: &TestUser,
    xff: &str,
    forwarded: &str,
) -> reqwest::Response {
    browser
        .client()
        .post(app.url("/api/login"))
        .header("x-forwarded-for", xff)
        .header("forwarded", forwarded)
        .header("accept", "application/json")
        .form(&crate::helpers::login_form(user, false))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn behind_a_proxy_only_the_header_it_writes_names_the_client() {
    let app = spawn_app_with(|s| {
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        s.client_rates.password_attempts = std::num::NonZeroU32::new(3);
    })
    .await;
    let user = TestUser::generate();
    app.new_browser().register(&user).await;
    let wrong = user.with_password("not-the-password");
    let mut statuses = Vec::new();
    for i in 0..6 {
        let forwarded = format!("for=198.51.100.{}", 10 + i);
        let res = through_proxy(&app, &app.new_browser(), &wrong, "203.0.113.7", &forwarded).await;
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429, 429]);
    // The devices page names the address the proxy wrote.
    let browser = app.new_browser();
    let res = through_proxy(&app, &browser, &user, "203.0.113.8", "for=198.51.100.99").await;
    assert_eq!(res.status(), 200);
    let sessions: Value = browser.sessions().await.json().await.unwrap();
    let this = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["this_device"] == true)
        .unwrap();
    assert_eq!(this["ip"], "203.0.113.8", "{this}");
}

#[tokio::test]
async fn a_strangers_flood_is_one_row_and_does_not_lock_the_owner_out() {
    let app = spawn_app_with(crowd_from_one_address).await;
    let user = TestUser::generate();
    app.register(&user).await;
    let mut authenticator = add_passkey(&app).await;
    let stranger = Browser::at("127.0.0.2", &app);
    let wrong = user.with_password("not-the-password");
    let mut statuses = Vec::new();
    for _ in 0..26 {
        statuses.push(stranger.login(&wrong, false).await.status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 21);
    // Written apart from the requests: wait for the count to reach 21.
    let sql = "SELECT detail FROM account_events WHERE kind = 'throttled'";
    let mut rows = Vec::new();
    for _ in 0..200 {
        rows = app.storage.texts(sql).await;
        if rows == ["21"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(rows, ["21"], "one row, with the count");
    let activity: Value = app
        .post_form("/api/activity", &[])
        .await
        .json()
        .await
        .unwrap();
    let whats: Vec<&str> = activity["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    assert!(
        whats.contains(&"Sign-in attempts refused (too many failures): 21"),
        "{whats:?}"
    );
    // The password is locked; the owner's passkey and re-authentication
    // are not.
    assert_eq!(app.new_browser().login(&user, false).await.status(), 429);
    let phone = app.new_browser();
    let answer = passkey_answer(&phone, &mut authenticator).await;
    assert_eq!(passkey_sign_in(&phone, &answer).await.status(), 200);
    let res = app
        .post_form("/api/reauthenticate", &[("password", &user.password)])
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn with_two_factor_on_the_password_alone_does_not_add_a_passkey() {
    let app = spawn_app_with(|s| s.reauth = Duration::from_secs(1)).await;
    let user = TestUser::generate();
    app.register(&user).await;
    let totp = enrol(&app).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let proof: Value = app
        .post_form("/api/proof_needed", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&proof["needed"], &proof["code"]),
        (&Value::Bool(true), &Value::Bool(true))
    );
    let (status, body) = json(
        app.post_form("/api/reauthenticate", &[("password", &user.password)])
            .await,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let start = || app.post_form("/api/passkey_register_start", &[("name", "Key")]);
    let (status, body) = json(start().await).await;
    assert_eq!((status, error(&body)), (403, "reauth_required"));
    let res = app
        .post_form(
            "/api/reauthenticate",
            &[("password", &user.password), ("code", &code(&totp, 1))],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(start().await.status(), 200);
}

#[tokio::test]
async fn changing_a_factor_ends_the_other_sessions() {
    let app = spawn_app_with(crowd_from_one_address).await;
    let user = TestUser::generate();
    app.register(&user).await;
    let other = app.new_browser();
    assert_eq!(other.login(&user, false).await.status(), 200);
    let (totp, recovery) = enrol_with_codes(&app).await;
    assert!(
        other.current_user().await.is_null(),
        "two-factor on ends it"
    );
    assert_eq!(app.current_user().await["username"], user.username.as_str());

    // A session a passkey started ends when the passkey is removed.
    let mut authenticator = add_passkey(&app).await;
    let phone = app.new_browser();
    let answer = passkey_answer(&phone, &mut authenticator).await;
    assert_eq!(passkey_sign_in(&phone, &answer).await.status(), 200);
    let list: Value = app
        .post_form("/api/passkeys", &[])
        .await
        .json()
        .await
        .unwrap();
    let id = list["passkeys"][0]["id"].to_string();
    assert_eq!(
        app.post_form("/api/remove_passkey", &[("id", &id)])
            .await
            .status(),
        200
    );
    assert!(phone.current_user().await.is_null(), "its session ended");

    // Turning two-factor off ends the others too.
    assert_eq!(other.login(&user, false).await.status(), 401);
    assert_eq!(second_step(&other, &code(&totp, 1)).await.status(), 200);
    let res = app
        .post_form("/api/disable_two_factor", &[("code", &recovery[0])])
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        other.current_user().await.is_null(),
        "two-factor off ends it"
    );
    assert_eq!(app.current_user().await["username"], user.username.as_str());
}

#[tokio::test]
async fn a_password_change_cancels_a_second_step_waiting_elsewhere() {
    let app = spawn_app_with(crowd_from_one_address).await;
    let user = TestUser::generate();
    app.register(&user).await;
    let totp = enrol(&app).await;
    let thief = app.new_browser();
    assert_eq!(thief.login(&user, false).await.status(), 401);
    let res = app
        .change_password(&user.password, "another-long-password")
        .await;
    assert_eq!(res.status(), 200);
    let (status, body) = json(second_step(&thief, &code(&totp, 1)).await).await;
    assert_eq!((status, error(&body)), (401, "sign_in_expired"));
    assert!(thief.current_user().await.is_null());
}

#[tokio::test]
async fn a_cloned_passkey_answering_four_times_at_once_signs_in_at_most_once() {
    let app = spawn_app_with(crowd_from_one_address).await;
    let user = TestUser::generate();
    app.register(&user).await;
    let mut key = add_passkey(&app).await;
    for round in 0..8 {
        // Four copies of one key, with the same counter, each answering
        // its own browser's challenge; the answers sent at once.
        let mut requests = Vec::new();
        for _ in 0..4 {
            let mut copy = key.clone();
            let browser = app.new_browser();
            let answer = passkey_answer(&browser, &mut copy).await;
            requests.push(async move { passkey_sign_in(&browser, &answer).await });
        }
        let statuses = at_once(requests).await;
        let passed = statuses.iter().filter(|s| s.as_u16() == 200).count();
        assert!(passed <= 1, "round {round}: {statuses:?}");
        // The key itself moves on to the counter the clones used, so the
        // next round's clones answer with one the server has not seen.
        key.assert(&serde_json::json!({"publicKey": {"challenge": "AA"}}));
    }
}

#[tokio::test]
async fn every_signed_in_page_is_no_store() {
    let app = spawn_app_with(|_| {}).await;
    let visitor = app.new_browser();
    let cache = |res: &reqwest::Response| {
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(cache(&visitor.get("/").await), "no-cache");
    assert_eq!(cache(&visitor.get("/login").await), "no-cache");
    let user = TestUser::generate();
    app.register(&user).await;
    for page in [
        "/",
        "/profile",
        "/profile/sessions",
        "/profile/password",
        "/profile/activity",
        "/profile/2fa",
        "/profile/passkeys",
        "/users",
        "/session",
        "/cookies",
        "/how-it-works",
        "/login",
        "/no-such-page",
    ] {
        let res = app.get(page).await;
        let policy = cache(&res);
        assert!(policy.contains("no-store"), "{page}: {policy}");
    }
}

/// A right password typed with a wrong code is one failed attempt: the
/// password does not wipe the count the wrong codes built up.
#[tokio::test]
async fn re_authentication_with_a_known_password_still_limits_the_code() {
    let app = spawn_app_with(|s| {
        crowd_from_one_address(s);
        s.reauth = Duration::from_secs(1);
    })
    .await;
    let user = TestUser::generate();
    app.register(&user).await;
    enrol(&app).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let res = app
            .post_form(
                "/api/reauthenticate",
                &[("password", &user.password), ("code", "000000")],
            )
            .await;
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [422, 422, 422, 422, 422, 429, 429, 429]);
}

/// With two-factor on, deleting the account by password asks for a code
/// too, as every other sensitive change's proof does.
#[tokio::test]
async fn with_two_factor_on_delete_by_password_needs_the_code_too() {
    let app = spawn_app_with(crowd_from_one_address).await;
    let user = TestUser::generate();
    app.register(&user).await;
    let (totp, _) = enrol_with_codes(&app).await;
    let (status, body) = json(
        app.post_form("/api/delete_account", &[("password", &user.password)])
            .await,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "code");
    let (status, body) = json(
        app.post_form(
            "/api/delete_account",
            &[("password", &user.password), ("code", "000000")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["fields"][0]["field"].as_str()),
        (422, Some("code"))
    );
    assert_eq!(
        app.new_browser().login(&user, false).await.status(),
        401,
        "still there"
    );
    let res = app
        .post_form(
            "/api/delete_account",
            &[("password", &user.password), ("code", &code(&totp, 1))],
        )
        .await;
    assert_eq!(res.status(), 200);
    let (status, body) = json(app.new_browser().login(&user, false).await).await;
    assert_eq!((status, error(&body)), (401, "invalid_credentials"));
}
