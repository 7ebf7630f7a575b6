//! When PostgreSQL or Redis goes away, requests fail with a clear 503 and
//! come back signed in once it returns: never a silent sign-out.
//!
//! The server is reached through a TCP relay that the test can cut, so the
//! outage is real (connections drop, new ones are refused) without stopping
//! the server the other tests share. SQLite is a file in the process, so it
//! has no such outage; on the embedded default these tests have nothing to
//! check and say so.
use crate::helpers::{assert_error, spawn_app_on, AppError, Storage, TestUser};
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc, Mutex,
};
use tokio::{
    net::{TcpListener, TcpStream},
    task::AbortHandle,
};

/// Forwards 127.0.0.1:<port> to a server, until cut.
struct Relay {
    port: u16,
    down: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<AbortHandle>>>,
    accept: AbortHandle,
}

impl Relay {
    async fn to(target: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let down = Arc::new(AtomicBool::new(false));
        let links = Arc::new(Mutex::new(Vec::new()));
        let accept = {
            let (down, links) = (down.clone(), links.clone());
            tokio::spawn(async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if down.load(Ordering::SeqCst) {
                        continue; // dropped: the connection is refused
                    }
                    let link = tokio::spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                    links.lock().expect("lock").push(link.abort_handle());
                }
            })
            .abort_handle()
        };
        Relay {
            port,
            down,
            links,
            accept,
        }
    }

    /// Drops every open connection and refuses new ones.
    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for link in self.links.lock().expect("lock").drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

fn port_of(url: &str) -> u16 {
    let after_host = url.rsplit_once("127.0.0.1:").expect("a loopback URL").1;
    let digits: String = after_host
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().expect("a port")
}

fn through(url: &str, relay: &Relay) -> String {
    url.replace(&format!(":{}", port_of(url)), &format!(":{}", relay.port))
}

/// Fresh storage of this run's kind, with every network server behind a
/// relay; `None` on SQLite-only runs.
async fn storage_behind_relays(dir: &std::path::Path) -> Option<(Storage, Vec<Relay>)> {
    let mut storage = Storage::fresh(dir).await;
    let mut relays = Vec::new();
    if storage.database_url.starts_with("postgres") {
        let relay = Relay::to(port_of(&storage.database_url)).await;
        storage.database_url = through(&storage.database_url, &relay);
        relays.push(relay);
    }
    if let Some(url) = storage.redis_url.clone() {
        let relay = Relay::to(port_of(&url)).await;
        storage.redis_url = Some(through(&url, &relay));
        relays.push(relay);
    }
    if relays.is_empty() {
        eprintln!("SQLite only: no network store to lose (run under scripts/with-services)");
        return None;
    }
    Some((storage, relays))
}

#[tokio::test]
async fn a_store_outage_is_a_503_and_the_session_survives_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some((storage, relays)) = storage_behind_relays(dir.path()).await else {
        return;
    };
    let app = spawn_app_on(storage).await;
    let user = TestUser::generate();
    assert_eq!(app.register(&user).await.status(), 200);

    for relay in &relays {
        relay.cut();
    }
    let started = std::time::Instant::now();
    let res = app.post_form("/api/current_user", &[]).await;
    assert_eq!(res.status(), 503);
    assert_eq!(
        res.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    // The server-function error encoding, which the app shows as its text.
    assert_error(res, 503, AppError::Unavailable).await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the outage answered in {:?}, not a hung request",
        started.elapsed()
    );
    let page = app.get("/").await;
    assert_eq!(page.status(), 503);
    let text = page.text().await.expect("body");
    assert!(text.contains("briefly unavailable"), "{text}");
    let res = app.set_note("lost?").await;
    assert_eq!(res.status(), 503);

    for relay in &relays {
        relay.restore();
    }
    // Still signed in; the browser's cookie was never dropped.
    let mut me = serde_json::Value::Null;
    for _ in 0..50 {
        let res = app.post_form("/api/current_user", &[]).await;
        if res.status() == 200 {
            me = res.json().await.expect("json");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(me["username"], user.username.as_str());
}

/// `/readyz` follows each dependency: 503 naming it within 5 s of losing
/// it, 200 again once it is back.
#[tokio::test]
async fn readyz_names_the_dependency_that_is_down() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some((storage, relays)) = storage_behind_relays(dir.path()).await else {
        return;
    };
    let redis = storage.redis_url.is_some();
    let app = spawn_app_on(storage).await;
    let ready = || async {
        let res = app.get("/readyz").await;
        let status = res.status().as_u16();
        let retry = res.headers().get("retry-after").cloned();
        let body: serde_json::Value = res.json().await.expect("json");
        (status, retry, body)
    };
    assert_eq!(ready().await.0, 200);
    // The PostgreSQL relay comes first, then Redis' if there is one.
    let names: Vec<&str> = if redis {
        vec!["database", "redis"]
    } else {
        vec!["database"]
    };
    for (relay, name) in relays.iter().zip(names) {
        relay.cut();
        let started = std::time::Instant::now();
        let (status, retry, body) = ready().await;
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{name}: answered in {:?}",
            started.elapsed()
        );
        assert_eq!(status, 503, "{name}: {body}");
        assert!(retry.is_some());
        assert_ne!(body["checks"][name], "ok", "{body}");
        for other in ["database", "redis"].iter().filter(|o| **o != name) {
            if body["checks"].get(*other).is_some() {
                assert_eq!(body["checks"][*other], "ok", "{body}");
            }
        }
        relay.restore();
        let mut back = 0;
        for _ in 0..50 {
            back = ready().await.0;
            if back == 200 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert_eq!(back, 200, "{name} came back");
    }
}
