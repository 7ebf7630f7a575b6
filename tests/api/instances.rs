//! Several instances on one storage, as behind a load balancer: any of them
//! serves any session, and killing one loses nothing that was acknowledged.
use crate::helpers::{
    crowd_from_one_address, free_port, login_form, register_form, spawn_app, spawn_app_with,
    Browser, Process, TestUser, CROWD_FROM_ONE_ADDRESS,
};
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

#[tokio::test]
async fn a_sign_in_on_one_instance_is_seen_by_another() {
    let a = spawn_app().await;
    let b = a.sibling().await;
    let user = TestUser::generate();
    assert_eq!(a.register(&user).await.status(), 200);
    a.logout().await;
    assert_eq!(a.login(&user, false).await.status(), 200);

    // The same browser (one cookie jar) now talks to B.
    let on_b = a.browser.on(&b);
    let me = on_b.current_user().await;
    assert_eq!(me["username"], user.username.as_str());
    // B extends and ends the session A started.
    let res = on_b.set_note("from B").await;
    assert_eq!(res.status(), 200);
    assert_eq!(a.note().await, "from B");
    on_b.logout().await;
    assert!(a.current_user().await.is_null());
}

#[tokio::test]
async fn log_out_everywhere_on_one_instance_ends_the_sessions_on_another() {
    let a = spawn_app().await;
    let b = a.sibling().await;
    let user = TestUser::generate();
    a.register(&user).await;
    let laptop = a.new_browser();
    assert_eq!(laptop.on(&b).login(&user, true).await.status(), 200);

    let res = laptop.on(&b).logout_all().await;
    assert_eq!(res.status(), 200);

    assert!(a.current_user().await.is_null(), "A's session ended");
    assert!(laptop.on(&a).current_user().await.is_null());
}

#[tokio::test]
async fn failed_logins_are_counted_across_instances() {
    let a = spawn_app().await;
    let b = a.sibling().await;
    let user = TestUser::generate();
    a.register(&user).await;
    let wrong = user.with_password("not-the-password");
    for app in [&a, &b, &a, &b, &a] {
        assert_eq!(app.new_browser().login(&wrong, false).await.status(), 401);
    }
    assert_eq!(b.new_browser().login(&user, false).await.status(), 429);
}

/// What the load saw acknowledged: accounts created, and signed-in
/// browsers (each with its own cookie jar).
#[derive(Default)]
struct Acknowledged {
    users: Vec<TestUser>,
    sessions: Vec<(TestUser, Browser)>,
    failures: usize,
}

#[tokio::test]
async fn killing_an_instance_mid_stream_loses_no_acknowledged_user_or_session() {
    let b = spawn_app_with(crowd_from_one_address).await;
    let port = free_port();
    let mut a = Process::start(&b.storage, port, CROWD_FROM_ONE_ADDRESS).await;

    let seen = Arc::new(Mutex::new(Acknowledged::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (seen, stop) = (seen.clone(), stop.clone());
        let on_a = a.browser();
        workers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let user = TestUser::generate();
                let browser = Browser::new(&on_a.url(""));
                let res = browser
                    .try_post_form("/api/register", &register_form(&user))
                    .await;
                if !res.is_ok_and(|r| r.status() == 200) {
                    seen.lock().expect("lock").failures += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
                {
                    let mut seen = seen.lock().expect("lock");
                    seen.users.push(user.clone());
                    seen.sessions.push((user.clone(), browser));
                }
                // A second device of the same user, remembered.
                let phone = Browser::new(&on_a.url(""));
                let res = phone
                    .try_post_form("/api/login", &login_form(&user, true))
                    .await;
                if res.is_ok_and(|r| r.status() == 200) {
                    seen.lock().expect("lock").sessions.push((user, phone));
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    a.kill();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.expect("worker");
    }
    let restarted = Process::start(&b.storage, port, CROWD_FROM_ONE_ADDRESS).await;

    let seen = std::mem::take(&mut *seen.lock().expect("lock"));
    eprintln!(
        "acknowledged before and after the SIGKILL: {} users, {} sessions; {} requests failed",
        seen.users.len(),
        seen.sessions.len(),
        seen.failures
    );
    assert!(seen.users.len() >= 4, "the load ran: {}", seen.users.len());
    assert!(seen.failures > 0, "requests failed while A was down");
    for user in &seen.users {
        assert_eq!(
            b.new_browser().login(user, false).await.status(),
            200,
            "{} was acknowledged, so it exists",
            user.username
        );
    }
    for (user, browser) in &seen.sessions {
        assert_eq!(
            browser.on(&restarted).current_user().await["username"],
            user.username.as_str()
        );
        assert_eq!(
            browser.on(&b).current_user().await["username"],
            user.username.as_str()
        );
    }
}

/// Per-client limits count for the whole cluster, where the instances
/// meet (PostgreSQL, or Redis when sessions are there): ten requests from
/// one address alternating between two instances get the allowance of one.
/// On SQLite there is one instance, whose memory holds the counts.
#[tokio::test]
async fn per_client_limits_hold_across_two_instances() {
    use std::num::NonZeroU32;
    let six = |s: &mut sesame::config::Settings| {
        s.client_rates.password_attempts = NonZeroU32::new(6);
        s.client_rates.new_sessions = NonZeroU32::new(6);
    };
    let a = spawn_app_with(six).await;
    if a.storage.database_url.starts_with("sqlite") {
        return;
    }
    let b = a.sibling_with(six).await;
    // Ten names, so that no username's own throttle (5 failures) stops
    // anything: only the client's limit can.
    let mut statuses = Vec::new();
    for n in 0..10 {
        let app = if n % 2 == 0 { &a } else { &b };
        let stranger = TestUser::generate();
        let res = Browser::at("127.0.0.2", app).login(&stranger, false).await;
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses[..6], [401; 6], "{statuses:?}");
    assert_eq!(statuses[6..], [429; 4], "{statuses:?}");

    // New sessions: ten visitors from one address saving a note.
    let mut stored = 0;
    for n in 0..10 {
        let app = if n % 2 == 0 { &a } else { &b };
        let res = Browser::without_cookies_at("127.0.0.3", app)
            .set_note(&format!("note {n}"))
            .await;
        match res.status().as_u16() {
            200 => stored += 1,
            429 => {}
            other => panic!("{other}"),
        }
    }
    assert!(stored <= 6, "{stored} sessions stored from one address");
    assert!(stored >= 5, "{stored}: the allowance is there");
    // The rest of the world is not affected.
    assert_eq!(
        Browser::at("127.0.0.4", &b).set_note("hi").await.status(),
        200
    );
}
