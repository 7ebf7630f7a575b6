//! The server's worst days: slow clients, shutdown with requests in flight,
//! and what ends up in its logs.
use crate::helpers::{free_port, spawn_app, spawn_app_with, Process, Server, TestUser, SECRET_KEY};
use std::time::{Duration, Instant};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Reads until the server closes the connection (or `limit` passes);
/// returns what it sent.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(limit, stream.read_to_end(&mut received)).await;
    read.ok()
        .map(|_| String::from_utf8_lossy(&received).into_owned())
}

#[tokio::test]
async fn slow_clients_do_not_pin_the_server() {
    let app = spawn_app_with(|s| s.limits.header_read = Duration::from_secs(1)).await;
    let host = app.address.trim_start_matches("http://").to_owned();

    // 200 connections that start a request and never finish its headers.
    let mut slow = Vec::new();
    for _ in 0..200 {
        let mut stream = TcpStream::connect(&host).await.expect("connect");
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .expect("write");
        slow.push(stream);
    }

    // Everyone else is still served, at once.
    let started = Instant::now();
    assert_eq!(app.get("/").await.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    // And the slow ones are cut off once their time is up.
    for stream in &mut slow {
        let closed = read_until_closed(stream, Duration::from_secs(5)).await;
        assert!(
            closed.is_some(),
            "a slow connection was still open after 5 s"
        );
    }
}

#[tokio::test]
async fn a_body_that_never_arrives_is_a_408() {
    let app = spawn_app_with(|s| s.limits.body_read = Duration::from_secs(1)).await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&host).await.expect("connect");
    stream
        .write_all(
            b"POST /api/set_note HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\nConnection: close\r\n\r\nnote=only-part",
        )
        .await
        .expect("write");
    let started = Instant::now();
    let answer = read_until_closed(&mut stream, Duration::from_secs(10))
        .await
        .expect("the server answered");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Nothing was stored from the half body.
    assert!(app.note().await.is_null());
}

#[tokio::test]
async fn sigterm_finishes_the_request_in_flight_then_exits_cleanly() {
    let storage_app = spawn_app().await;
    let mut server = Process::start(&storage_app.storage, free_port(), &[]).await;
    let host = server.address.trim_start_matches("http://").to_owned();

    // A request in flight: headers and half the body sent.
    let body = "note=finished+after+SIGTERM";
    let (first, rest) = body.split_at(10);
    let mut stream = TcpStream::connect(&host).await.expect("connect");
    let head = format!(
        "POST /api/set_note HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{first}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    tokio::time::sleep(Duration::from_millis(300)).await;

    server.terminate();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // No longer accepting ...
    assert!(
        TcpStream::connect(&host).await.is_err(),
        "still accepting connections after SIGTERM"
    );
    // ... but the request in flight completes, with its session saved.
    stream.write_all(rest.as_bytes()).await.expect("write");
    let answer = read_until_closed(&mut stream, Duration::from_secs(10))
        .await
        .expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("finished after SIGTERM"), "{answer}");
    let cookie = answer
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: sesame_session="))
        .and_then(|v| v.split(';').next())
        .expect("the session cookie")
        .to_owned();

    let status = tokio::task::spawn_blocking(move || server.child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert_eq!(status.code(), Some(0), "{status:?}");

    // The session it wrote is there for the next instance.
    let res = storage_app
        .client()
        .post(storage_app.url("/api/session_data"))
        .header("cookie", format!("sesame_session={cookie}"))
        .send()
        .await
        .expect("POST");
    let text = res.text().await.expect("body");
    assert!(text.contains("finished after SIGTERM"), "{text}");
}

#[tokio::test]
async fn the_logs_of_a_whole_sign_in_flow_hold_no_secret() {
    let storage_app = spawn_app().await;
    let server = Process::start(
        &storage_app.storage,
        free_port(),
        &[("RUST_LOG", "debug"), ("LOG_FORMAT", "json")],
    )
    .await;
    let user = TestUser::generate();
    let browser = server.browser();
    let res = browser.register(&user).await;
    assert_eq!(res.status(), 200);
    let request_id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("a request id on the response")
        .to_owned();
    let mut cookies = vec![crate::helpers::session_cookie(&res).expect("cookie")];
    browser.logout().await;
    let res = browser.login(&user, true).await;
    cookies.extend(crate::helpers::session_cookie(&res));
    let me = browser.current_user().await;
    browser.set_note("n").await;
    browser
        .post_form("/api/set_cookie", &[("name", "Zyzzyva-Q")])
        .await;
    browser.get("/set_cookie/Xanthippe-Q").await;
    browser.get("/profile").await;
    browser.logout_all().await;
    let wrong = user.with_password("wrong-password-for-logs");
    server.browser().login(&wrong, false).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let logs = server.logs();

    // Never: the passwords, the session cookie (signed value or id), the
    // demo cookie's values, the secret key.
    let mut secrets = vec![
        user.password.clone(),
        wrong.password.clone(),
        SECRET_KEY.to_owned(),
        "Zyzzyva-Q".to_owned(),
        "Xanthippe-Q".to_owned(),
    ];
    for cookie in &cookies {
        let value = crate::helpers::pair(cookie)
            .trim_start_matches("sesame_session=")
            .to_owned();
        // The signed value is signature + id; the id alone must not show either.
        secrets.push(value.clone());
        secrets.push(value.chars().skip(44).collect());
    }
    for secret in &secrets {
        assert!(secret.len() >= 8, "{secret:?} is too short to search for");
        assert!(
            !logs.contains(secret.as_str()),
            "the logs hold {secret:?}:\n{logs}"
        );
    }

    // Always: one structured line per request with its id, route, status,
    // latency and, once signed in, the user id.
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let finished = |route: &str| {
        lines.iter().any(|l| {
            l["span"]["route"] == route
                && l["status"].is_u64()
                && l["latency"].is_string()
                && l["span"]["id"].is_string()
        })
    };
    for route in [
        "/api/register",
        "/api/login",
        "/profile",
        "/set_cookie/{username}",
    ] {
        assert!(finished(route), "no request line for {route}:\n{logs}");
    }
    assert!(
        lines.iter().any(|l| l["span"]["id"] == request_id.as_str()),
        "the response's x-request-id is in the logs"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["span"]["route"] == "/profile" && l["span"]["user_id"] == me["id"]),
        "the signed-in user's id is on their requests:\n{logs}"
    );
}
