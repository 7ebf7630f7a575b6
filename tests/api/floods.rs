//! Attackers and crowds: requests sent at once, from several loopback
//! addresses, over HTTP/2, across two instances, with short settings.
use crate::helpers::*;
use reqwest::{header, StatusCode};
use std::time::Duration;

async fn registered(app: &TestApp) -> TestUser {
    let user = TestUser::generate();
    assert_eq!(app.register(&user).await.status(), 200);
    app.logout().await;
    user
}

/// 40 logins of `user` with a wrong password, at once, spread over `apps`
/// and over eight addresses (five each: the per-client limit is not what
/// stops them).
async fn wrong_logins_at_once(user: &TestUser, apps: &[&TestApp]) -> Vec<StatusCode> {
    let requests = (0..40)
        .map(|n| {
            let browser = apps[n % apps.len()].browser_at(&format!("127.0.0.{}", 2 + n % 8));
            let wrong = user.with_password("wrong-password");
            async move { browser.login(&wrong, false).await }
        })
        .collect();
    at_once(requests).await
}

fn count(statuses: &[StatusCode], code: u16) -> usize {
    statuses.iter().filter(|s| s.as_u16() == code).count()
}

#[tokio::test]
async fn forty_wrong_passwords_at_once_verify_at_most_five() {
    let app = spawn_app().await;
    let user = registered(&app).await;
    let statuses = wrong_logins_at_once(&user, &[&app]).await;
    let (unauthorized, throttled) = (count(&statuses, 401), count(&statuses, 429));
    assert!(
        unauthorized <= 5,
        "{unauthorized} passwords verified: {statuses:?}"
    );
    assert_eq!(unauthorized + throttled, 40, "{statuses:?}");

    // The right password, right after, from yet another address: still 429.
    let res = app.browser_at("127.0.0.20").login(&user, false).await;
    assert_error(res, 429, AppError::TooManyAttempts).await;
}

#[tokio::test]
async fn wrong_passwords_at_once_on_two_instances_verify_at_most_five_in_all() {
    let a = spawn_app().await;
    let b = a.sibling().await;
    let user = registered(&a).await;
    let statuses = wrong_logins_at_once(&user, &[&a, &b]).await;
    assert!(count(&statuses, 401) <= 5, "{statuses:?}");
    assert_eq!(
        count(&statuses, 401) + count(&statuses, 429),
        40,
        "{statuses:?}"
    );
    let res = b.browser_at("127.0.0.20").login(&user, false).await;
    assert_eq!(res.status(), 429);
}

#[tokio::test]
async fn wrong_current_passwords_at_once_verify_at_most_five() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let requests = (0..20)
        .map(|_| {
            let browser = app.browser.clone();
            async move {
                browser
                    .change_password("not-the-password", "a-new-password-1")
                    .await
            }
        })
        .collect();
    let statuses = at_once(requests).await;
    assert!(count(&statuses, 422) <= 5, "{statuses:?}");
    assert_eq!(
        count(&statuses, 422) + count(&statuses, 429),
        20,
        "{statuses:?}"
    );
}

/// 400 logins for random usernames from one address, 64 in flight: the
/// server stays up for everyone else.
#[tokio::test]
async fn a_login_spray_from_one_address_does_not_stop_anyone_else() {
    let app = spawn_app().await;
    let user = registered(&app).await;
    let spray = {
        let url = app.url("/api/login");
        let client = app.browser_at("127.0.0.1");
        tokio::spawn(async move {
            let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(64));
            let mut tasks = Vec::new();
            for n in 0..400 {
                let permit = gate.clone().acquire_owned().await.expect("permit");
                let (client, url) = (client.clone(), url.clone());
                tasks.push(tokio::spawn(async move {
                    let form = [
                        ("username", format!("spray{n}x{}", std::process::id())),
                        ("password", "whatever-it-is".to_owned()),
                    ];
                    let res = client.client().post(&url).form(&form).send().await;
                    drop(permit);
                    res.map(|r| r.status())
                }));
            }
            let mut statuses = Vec::new();
            for task in tasks {
                statuses.push(task.await.expect("task").expect("answered"));
            }
            statuses
        })
    };
    // During the spray: a page, and a login from another address.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    let page = app.browser_at("127.0.0.3").get("/").await;
    assert_eq!(page.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "page took {:?}",
        started.elapsed()
    );
    let started = std::time::Instant::now();
    let other = app.browser_at("127.0.0.2");
    let res = other.login(&user, false).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "login took {:?}",
        started.elapsed()
    );

    let statuses = spray.await.unwrap();
    assert!(!spray_is_finished_early(&statuses), "{statuses:?}");
    for status in &statuses {
        assert!(
            !status.is_server_error() || status.as_u16() == 503,
            "a 5xx other than 503: {status}"
        );
    }
    assert!(
        count(&statuses, 429) > 300,
        "the per-client limit held: {statuses:?}"
    );
}

fn spray_is_finished_early(statuses: &[StatusCode]) -> bool {
    statuses.len() != 400
}

/// With the per-client limit off and a tiny queue, a burst from many
/// addresses fills the password queue: the rest are told 503 at once, with
/// `Retry-After`, and the server serves logins again right after.
#[tokio::test]
async fn a_full_password_queue_answers_503_with_retry_after_at_once() {
    let app = spawn_app_with(|s| {
        s.password_queue = 1;
        s.client_rates.password_attempts = None;
    })
    .await;
    let user = registered(&app).await;
    let requests = (0..30)
        .map(|n| {
            let client = app.browser_at(&format!("127.0.0.{}", 2 + n % 10));
            let url = app.url("/api/login");
            async move {
                let form = [
                    ("username", format!("nobody{n}")),
                    ("password", "x".repeat(10)),
                ];
                client
                    .client()
                    .post(&url)
                    .form(&form)
                    .send()
                    .await
                    .expect("POST")
            }
        })
        .collect::<Vec<_>>();
    let tasks: Vec<_> = requests.into_iter().map(tokio::spawn).collect();
    let mut busy = 0;
    for task in tasks {
        let res = task.await.unwrap();
        match res.status().as_u16() {
            401 => {}
            503 => {
                busy += 1;
                assert_eq!(res.headers()[header::RETRY_AFTER], "1");
                assert_eq!(
                    res.text().await.unwrap(),
                    r#"{"error":"busy","message":"The server is busy. Please try again in a moment.","retry_after":1}"#
                );
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy > 0, "the queue never filled");
    assert_eq!(app.new_browser().login(&user, false).await.status(), 200);
}

/// 500 cookieless note saves from one address: each would store a session.
#[tokio::test]
async fn new_sessions_from_one_address_are_limited() {
    let app = spawn_app().await;
    let limit = 60; // NEW_SESSIONS_PER_MINUTE's default
    let started = std::time::Instant::now();
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = Vec::new();
    for n in 0..500 {
        let permit = gate.clone().acquire_owned().await.unwrap();
        let cookieless = Browser::without_cookies(&app);
        tasks.push(tokio::spawn(async move {
            let res = cookieless.set_note(&format!("note {n}")).await;
            drop(permit);
            let status = res.status();
            let retry = res.headers().get(header::RETRY_AFTER).cloned();
            let cookie = session_cookie(&res);
            (status, retry, cookie, res.text().await.unwrap())
        }));
    }
    let mut stored = 0;
    let mut first_refusal = None;
    for (n, task) in tasks.into_iter().enumerate() {
        let (status, retry, cookie, body) = task.await.unwrap();
        match status.as_u16() {
            200 => {
                stored += 1;
                assert!(cookie.is_some());
            }
            429 => {
                first_refusal.get_or_insert(n);
                assert!(retry.is_some(), "429 without Retry-After");
                assert!(cookie.is_none(), "a refused request got a session cookie");
                assert!(body.starts_with(r#"{"error":"rate_limited","#), "{body}");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    let refill = (started.elapsed().as_secs() as i64 + 1) * limit / 60;
    assert!(first_refusal.is_some_and(|n| n < 100), "{first_refusal:?}");
    assert!(stored <= limit + refill, "{stored} sessions stored");
    assert_eq!(app.stored_sessions().await, stored, "stored = acknowledged");
    // Another address is not affected.
    let res = app.browser_at("127.0.0.2").set_note("hi").await;
    assert_eq!(res.status(), 200);
    // A visitor who already has a session keeps using it.
    assert!(app.stored_sessions().await <= limit + refill + 1);
}

/// Behind a proxy the operator trusts, the client is the forwarded address;
/// from anyone else a forwarded header changes nothing.
#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    use std::num::NonZeroU32;
    let rates = |s: &mut sesame::config::Settings| {
        s.client_rates.password_attempts = NonZeroU32::new(3);
    };
    let behind_proxy = spawn_app_with(|s| {
        rates(s);
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let login_as = |app: &TestApp, forwarded: &'static str| {
        let (url, browser) = (app.url("/api/login"), app.new_browser());
        async move {
            browser
                .client()
                .post(url)
                .header("x-forwarded-for", forwarded)
                .form(&[("username", "nobody"), ("password", "nothing-at-all")])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for _ in 0..3 {
        assert_eq!(login_as(&behind_proxy, "203.0.113.1").await, 401);
    }
    assert_eq!(login_as(&behind_proxy, "203.0.113.1").await, 429);
    assert_eq!(
        login_as(&behind_proxy, "203.0.113.2").await,
        401,
        "another client"
    );

    // Not trusted: the header is the client's own words and is ignored.
    let direct = spawn_app_with(rates).await;
    for forwarded in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        assert_eq!(login_as(&direct, forwarded).await, 401);
    }
    assert_eq!(login_as(&direct, "203.0.113.4").await, 429);

    // The sessions page shows the forwarded address.
    let user = TestUser::generate();
    let browser = behind_proxy.new_browser();
    let res = browser
        .client()
        .post(behind_proxy.url("/api/register"))
        .header("x-forwarded-for", "198.51.100.23")
        .form(&register_form(&user))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let sessions: serde_json::Value = browser.sessions().await.json().await.unwrap();
    assert_eq!(sessions[0]["ip"], "198.51.100.23", "{sessions}");
}

/// h2c with prior knowledge, as a proxy speaking HTTP/2 upstream sends it:
/// the site is in `:authority`, there is no `Host`.
#[tokio::test]
async fn server_functions_work_over_http2() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let h2 = Browser::http2(&app);
    let res = h2
        .client()
        .post(app.url("/api/login"))
        .header(header::ORIGIN, &app.address)
        .form(&login_form(&user, false))
        .send()
        .await
        .unwrap();
    assert_eq!(res.version(), reqwest::Version::HTTP_2);
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let me = h2.post_form("/api/current_user", &[]).await;
    assert_eq!(me.version(), reqwest::Version::HTTP_2);
    assert_eq!(
        me.json::<serde_json::Value>().await.unwrap()["username"],
        user.username
    );

    let res = h2
        .client()
        .post(app.url("/api/logout"))
        .header(header::ORIGIN, "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Still signed in: the cross-site request did nothing.
    let me = h2.post_form("/api/current_user", &[]).await;
    assert_eq!(
        me.json::<serde_json::Value>().await.unwrap()["username"],
        user.username
    );
}

/// A note saved while other requests of the same browser renew the
/// session at the same moment is never lost.
#[tokio::test]
async fn a_note_saved_while_the_session_is_renewed_is_kept() {
    // Renewed every second: every request below renews.
    let app = spawn_app_with(|s| s.session_idle = Duration::from_secs(12)).await;
    let user = TestUser::generate();
    app.register(&user).await;
    for round in 0..6 {
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let note = format!("note of round {round}");
        let mut requests = Vec::new();
        for n in 0..12 {
            let browser = app.browser.clone();
            let note = note.clone();
            requests.push(async move {
                if n == 6 {
                    browser.set_note(&note).await
                } else {
                    browser.post_form("/api/current_user", &[]).await
                }
            });
        }
        let statuses = at_once(requests).await;
        assert!(statuses.iter().all(|s| s.is_success()), "{statuses:?}");
        assert_eq!(app.note().await, note.as_str(), "round {round}");
        assert_eq!(app.current_user().await["username"], user.username);
    }
}

/// With `COOKIE_SECURE=true` the session cookie carries the `__Host-`
/// prefix, which browsers accept only with `Secure`, `Path=/` and no
/// `Domain`.
#[tokio::test]
async fn a_secure_session_cookie_has_the_host_prefix() {
    let app = spawn_app_with(|s| s.cookie_secure = true).await;
    let res = app.register(&TestUser::generate()).await;
    let cookie = set_cookies(&res)
        .into_iter()
        .find(|c| c.contains("sesame_session="))
        .expect("a session cookie");
    assert!(cookie.starts_with("__Host-sesame_session="), "{cookie}");
    for part in ["Secure", "HttpOnly", "Path=/", "SameSite=Lax"] {
        assert!(cookie.contains(part), "{part} missing: {cookie}");
    }
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");

    let plain = spawn_app().await;
    let res = plain.register(&TestUser::generate()).await;
    let cookie = session_cookie(&res).expect("a session cookie");
    assert!(!cookie.contains("Secure"), "{cookie}");
}

/// Anyone can make a link to `/login?__err=…`; the page shows only the
/// app's own messages.
#[tokio::test]
async fn an_error_in_the_url_shows_only_the_apps_own_text() {
    use base64::{engine::general_purpose::URL_SAFE, Engine};
    let app = spawn_app().await;
    let foreign = "Your account is locked. Call 555-0100 now";
    let crafted = [
        serde_json::json!({"error": "validation", "message": foreign,
                           "fields": [{"field": "username", "message": foreign}]}),
        serde_json::json!({"error": "bad_arguments", "message": foreign}),
        serde_json::json!({"error": "server_function", "message": foreign}),
        serde_json::json!({"error": foreign, "message": foreign}),
    ];
    for err in crafted {
        let encoded = URL_SAFE.encode(err.to_string());
        // The login form shows whole-form errors, the register form field errors.
        for (page, heading) in [("login", "Log in"), ("register", "Create an account")] {
            let html = app
                .html(&format!("/{page}?__path=%2Fapi%2F{page}&__err={encoded}"))
                .await;
            assert!(html.contains(heading), "{html}");
            assert!(
                !html.contains("locked"),
                "foreign text shown on /{page}: {err}"
            );
        }
    }
    // A field error the app writes itself still shows next to its field.
    let taken = URL_SAFE.encode(
        serde_json::json!({"error": "validation", "message": "That username is taken.",
                           "fields": [{"field": "username", "message": "That username is taken."}]})
        .to_string(),
    );
    let html = app
        .html(&format!("/register?__path=%2Fapi%2Fregister&__err={taken}"))
        .await;
    assert!(html.contains("That username is taken."), "{html}");
    // The app's own error, as a form post without JavaScript brings it back.
    let own = URL_SAFE.encode(r#"{"error":"invalid_credentials","message":"anything"}"#);
    let html = app
        .html(&format!("/login?__path=%2Fapi%2Flogin&__err={own}"))
        .await;
    assert!(html.contains("Invalid username or password."), "{html}");
}

/// The same as the next test, 30 s long: a 12 s idle limit and the
/// cleanup task running every half second. The session's device row was
/// refreshed only every five minutes, and removed by the cleanup once the
/// session's own idle deadline had passed since the last refresh: an
/// active user was signed out.
#[tokio::test]
async fn activity_keeps_a_short_lived_session_and_its_device_row() {
    let app = spawn_app_with(|s| {
        s.session_idle = Duration::from_secs(12);
        s.session_cleanup_every = Duration::from_millis(500);
    })
    .await;
    let user = TestUser::generate();
    app.register(&user).await;
    for n in 1..=8 {
        tokio::time::sleep(Duration::from_secs(4)).await;
        let me = app.current_user().await;
        assert_eq!(
            me["username"],
            user.username,
            "signed out after {} s",
            n * 4
        );
    }
    let sessions: serde_json::Value = app.sessions().await.json().await.unwrap();
    assert_eq!(sessions.as_array().map(Vec::len), Some(1), "{sessions}");
    // Idle: gone within the limit plus a twelfth.
    tokio::time::sleep(Duration::from_secs(14)).await;
    assert!(app.current_user().await.is_null());
}

/// `SESSION_IDLE_MINUTES=1`, in real time, on the real binary: a browser
/// session used every 20 s stays signed in for 200 s; left alone for 100 s
/// it is anonymous. Five minutes long, so `scripts/test` runs it once.
#[tokio::test]
#[ignore = "takes five minutes; scripts/test runs it once"]
async fn with_a_one_minute_idle_limit_activity_keeps_a_session_and_idleness_ends_it() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::fresh(dir.path()).await;
    let port = free_port();
    let server = Process::start(&storage, port, &[("SESSION_IDLE_MINUTES", "1")]).await;
    let browser = server.browser();
    let user = TestUser::generate();
    assert_eq!(browser.register(&user).await.status(), 200);
    for n in 1..=10 {
        tokio::time::sleep(Duration::from_secs(20)).await;
        let me = browser.current_user().await;
        assert_eq!(
            me["username"],
            user.username,
            "signed out after {} s",
            n * 20
        );
    }
    tokio::time::sleep(Duration::from_secs(100)).await;
    assert!(browser.current_user().await.is_null());
}
