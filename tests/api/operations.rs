//! What operators and load balancers use: `/healthz`, `/readyz`, and
//! `/metrics` on its own listener. (Readiness during a store outage is in
//! outage.rs, with the relay it cuts.)
use crate::helpers::*;
use reqwest::header;
use std::time::Duration;
use tokio::{io::AsyncWriteExt, net::TcpStream};

#[tokio::test]
async fn healthz_answers_without_a_session_or_the_database() {
    let app = spawn_app().await;
    for _ in 0..3 {
        let res = app.get("/healthz").await;
        assert_eq!(res.status(), 200);
        assert!(set_cookies(&res).is_empty(), "a cookie from /healthz");
        assert!(res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        assert!(res.headers().get("content-security-policy").is_none());
        assert_eq!(res.text().await.unwrap(), "ok\n");
    }
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    assert!(set_cookies(&res).is_empty(), "a cookie from /readyz");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["checks"]["database"], "ok", "{body}");
    if app.storage.redis_url.is_some() {
        assert_eq!(body["checks"]["redis"], "ok", "{body}");
    }
    assert_eq!(
        app.stored_sessions().await,
        0,
        "a health check made a session"
    );
}

/// Health checks come every few seconds: none is logged at the default
/// level, while every other request is.
#[tokio::test]
async fn health_checks_are_not_logged_at_the_default_level() {
    let storage_app = spawn_app().await;
    let server = Process::start(&storage_app.storage, free_port(), &[("RUST_LOG", "info")]).await;
    let status = |path: &'static str| {
        let browser = server.browser();
        async move { browser.get(path).await.status() }
    };
    for _ in 0..5 {
        assert_eq!(status("/healthz").await, 200);
        assert_eq!(status("/readyz").await, 200);
    }
    assert_eq!(status("/cookies").await, 200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let logs = server.logs();
    assert!(
        logs.contains("/cookies"),
        "other requests are logged: {logs}"
    );
    assert!(
        !logs.contains("healthz") && !logs.contains("readyz"),
        "{logs}"
    );
}

/// After SIGTERM, with a drain notice: not ready at once, still serving
/// what comes in and what is in flight, then gone.
#[tokio::test]
async fn readyz_is_503_right_after_sigterm_while_requests_finish() {
    let storage_app = spawn_app().await;
    let mut server = Process::start(
        &storage_app.storage,
        free_port(),
        &[("DRAIN_NOTICE_SECONDS", "3")],
    )
    .await;
    let host = server.address.trim_start_matches("http://").to_owned();
    // A request in flight: headers and half the body sent.
    let body = "note=in+flight";
    let mut stream = TcpStream::connect(&host).await.expect("connect");
    let head = format!(
        "POST /api/set_note HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\nnote=",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    assert_eq!(server.browser().get("/readyz").await.status(), 200);

    server.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let res = server.browser().get("/readyz").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()[header::RETRY_AFTER], "1");
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["status"],
        "stopping"
    );
    // Everything else is still served during the notice.
    assert_eq!(server.browser().get("/").await.status(), 200);
    // The request in flight finishes.
    stream.write_all(b"in+flight").await.expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut answer),
    )
    .await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("in flight"), "{answer}");

    let status = tokio::task::spawn_blocking(move || server.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(TcpStream::connect(&host).await.is_err(), "still listening");
}

/// The `sesame_*` series of a scrape, as `name{labels} value` lines.
async fn scrape(app: &TestApp) -> String {
    let url = format!(
        "{}/metrics",
        app.metrics_address.as_deref().expect("metrics on")
    );
    let res = app.client().get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    res.text().await.unwrap()
}

/// The value of one series (0 when it is not there yet).
fn value(scrape: &str, series: &str) -> f64 {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.parse().expect("a number"))
}

/// Every value the `route` label takes.
fn routes(scrape: &str) -> std::collections::BTreeSet<String> {
    scrape
        .lines()
        .filter(|l| l.starts_with("sesame_http_requests_total{"))
        .filter_map(|l| {
            l.split("route=\"")
                .nth(1)?
                .split('"')
                .next()
                .map(str::to_owned)
        })
        .collect()
}

fn with_metrics(settings: &mut sesame::config::Settings) {
    settings.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
}

#[tokio::test]
async fn metrics_are_served_on_their_own_address_only() {
    let app = spawn_app_with(with_metrics).await;
    assert_eq!(
        app.get("/metrics").await.status(),
        404,
        "on the public address"
    );
    let text = scrape(&app).await;
    for name in [
        "sesame_password_jobs_in_flight",
        "sesame_db_pool_connections{state=\"idle\"}",
        "sesame_registrations_total",
        "sesame_outage_responses_total",
    ] {
        assert!(text.contains(name), "{name} missing:\n{text}");
    }
    // Off unless asked for.
    let plain = spawn_app().await;
    assert!(plain.metrics_address.is_none());
    assert_eq!(plain.get("/metrics").await.status(), 404);
}

#[tokio::test]
async fn logins_registrations_and_requests_are_counted() {
    let app = spawn_app_with(with_metrics).await;
    let user = TestUser::generate();
    app.register(&user).await;
    app.logout().await;
    let before = scrape(&app).await;

    let wrong = user.with_password("wrong-password");
    assert_eq!(app.login(&wrong, false).await.status(), 401);
    assert_eq!(app.login(&user, false).await.status(), 200);
    let after = scrape(&app).await;

    for result in ["failure", "success"] {
        let series = format!("sesame_logins_total{{result=\"{result}\"}}");
        assert_eq!(
            value(&after, &series) - value(&before, &series),
            1.0,
            "{series}"
        );
    }
    assert_eq!(value(&after, "sesame_registrations_total"), 1.0);
    assert_eq!(
        value(&after, "sesame_logins_total{result=\"throttled\"}"),
        0.0
    );
    let logins = "sesame_http_requests_total{method=\"POST\",route=\"/api/login\",status=\"200\"}";
    assert_eq!(value(&after, logins), 1.0, "{after}");
    assert_eq!(
        value(&after, "sesame_sessions_revoked_total{how=\"logout\"}"),
        1.0
    );
    assert!(after.contains(
        "sesame_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/login\""
    ));
    // No label holds what a person typed.
    assert!(!after.contains(&user.username), "a username in a label");
    assert!(after.contains("sesame_password_job_seconds_count"));
}

/// User input never becomes a label value: a path nobody routes is
/// `(other)`, a page's route is its pattern.
#[tokio::test]
async fn a_path_of_random_characters_adds_no_label_value() {
    let app = spawn_app_with(with_metrics).await;
    app.get("/no-such-page").await;
    app.get("/set_cookie/alice").await;
    let before = routes(&scrape(&app).await);
    assert!(before.contains("(other)"), "{before:?}");
    assert!(before.contains("/set_cookie/{username}"), "{before:?}");

    let random: String = (0..500)
        .map(|n| char::from(b'a' + ((n * 7919 + std::process::id() as usize) % 26) as u8))
        .collect();
    assert_eq!(app.get(&format!("/users/{random}")).await.status(), 404);
    app.get(&format!("/set_cookie/{random}")).await;
    app.post_form(&format!("/api/{random}"), &[]).await;
    let after = routes(&scrape(&app).await);
    assert_eq!(before, after);
    assert!(!scrape(&app).await.contains(&random));
}
