//! Sessions & devices: listing, revoking, password change, ids hashed at
//! rest, and deny-by-default server functions.
use crate::helpers::{
    client, current_user_of, login_with, pair, post_form, session_cookie, spawn_app, TestUser,
};
use sesame::{auth::access, db::Db};
use std::str::FromStr;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

fn browser_with_agent(agent: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(agent)
        .build()
        .expect("client")
}

async fn sessions_of(
    browser: &reqwest::Client,
    app: &crate::helpers::TestApp,
) -> serde_json::Value {
    let res = post_form(browser, &app.url("/api/sessions"), &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

#[tokio::test]
async fn the_sessions_page_lists_every_device_and_marks_this_one() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let phone = browser_with_agent(FIREFOX);
    assert_eq!(login_with(&phone, &app, &user, true).await.status(), 200);

    let list = sessions_of(&app.client, &app).await;
    let list = list.as_array().expect("a list");
    assert_eq!(list.len(), 2, "{list:?}");
    let this: Vec<_> = list.iter().filter(|s| s["this_device"] == true).collect();
    assert_eq!(this.len(), 1);
    let other = list
        .iter()
        .find(|s| s["this_device"] == false)
        .expect("the phone");
    assert_eq!(other["browser"], "Firefox 128 on Linux");
    assert_eq!(other["ip"], "127.0.0.1");
    for field in ["created_at", "last_seen", "expires_at", "handle"] {
        assert!(
            other[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field}"
        );
    }
    // The handle is not the session id, nor made from it.
    let cookie = pair(&session_cookie(&login_with(&client(), &app, &user, false).await).unwrap());
    for session in list {
        assert!(!cookie.contains(session["handle"].as_str().unwrap()));
    }

    let page = app.html("/profile/sessions").await;
    assert!(page.contains("This device"), "{page}");
    assert!(page.contains("Firefox 128 on Linux"), "{page}");
}

#[tokio::test]
async fn a_revoked_session_is_anonymous_on_its_next_request() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let phone = client();
    login_with(&phone, &app, &user, true).await;
    let list = sessions_of(&app.client, &app).await;
    let phone_handle = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["this_device"] == false)
        .unwrap()["handle"]
        .as_str()
        .unwrap()
        .to_owned();

    // Someone else can't revoke it; nor can this device revoke itself.
    let stranger = client();
    crate::helpers::register_with(&stranger, &app, &TestUser::generate()).await;
    let res = post_form(
        &stranger,
        &app.url("/api/revoke_session"),
        &[("handle", &phone_handle)],
    )
    .await;
    assert_eq!(res.status(), 404);
    let own = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["this_device"] == true)
        .unwrap()["handle"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post_form("/api/revoke_session", &[("handle", &own)])
        .await;
    assert_eq!(res.status(), 422);
    assert!(!current_user_of(&phone, &app).await.is_null());

    let res = app
        .post_form("/api/revoke_session", &[("handle", &phone_handle)])
        .await;
    assert_eq!(res.status(), 200);
    let left: serde_json::Value = res.json().await.unwrap();
    assert_eq!(left.as_array().unwrap().len(), 1);

    assert!(
        current_user_of(&phone, &app).await.is_null(),
        "the phone is signed out"
    );
    assert!(!app.current_user().await.is_null(), "this device is not");
    let res = app
        .post_form("/api/revoke_session", &[("handle", &phone_handle)])
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn revoke_all_others_keeps_only_this_session() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let others: Vec<_> = (0..3).map(|_| client()).collect();
    for other in &others {
        login_with(other, &app, &user, false).await;
    }
    assert_eq!(
        sessions_of(&app.client, &app)
            .await
            .as_array()
            .unwrap()
            .len(),
        4
    );

    let res = app.post_form("/api/revoke_other_sessions", &[]).await;
    assert_eq!(res.status(), 200);

    for other in &others {
        assert!(current_user_of(other, &app).await.is_null());
    }
    assert_eq!(app.current_user().await["username"], user.username.as_str());
    let left = sessions_of(&app.client, &app).await;
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["this_device"], true);
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_ends_the_other_sessions() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let laptop = client();
    login_with(&laptop, &app, &user, true).await;

    let res = app
        .post_form(
            "/api/change_password",
            &[
                ("current", "not-my-password"),
                ("new", "a-brand-new-password"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("That is not your current password."));
    let res = app
        .post_form(
            "/api/change_password",
            &[("current", &user.password), ("new", "short")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        !current_user_of(&laptop, &app).await.is_null(),
        "nothing changed yet"
    );

    let res = app
        .post_form(
            "/api/change_password",
            &[("current", &user.password), ("new", "a-brand-new-password")],
        )
        .await;
    assert_eq!(res.status(), 200);

    assert_eq!(
        app.current_user().await["username"],
        user.username.as_str(),
        "still signed in here"
    );
    assert!(
        current_user_of(&laptop, &app).await.is_null(),
        "signed out elsewhere"
    );
    assert_eq!(
        login_with(&client(), &app, &user, false).await.status(),
        401
    );
    let renewed = TestUser {
        password: "a-brand-new-password".into(),
        ..user.clone()
    };
    assert_eq!(
        login_with(&client(), &app, &renewed, false).await.status(),
        200
    );

    let page = app.html("/profile/password").await;
    for label in ["Current password", "New password", "Change password"] {
        assert!(page.contains(label), "{label}");
    }
}

#[tokio::test]
async fn session_ids_are_stored_only_as_their_hash() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    let res = app.register(&user).await;
    app.post_form("/api/set_note", &[("note", "hashed")]).await;
    let cookie = pair(&session_cookie(&res).expect("cookie"));
    let value = cookie.trim_start_matches("sesame_session=");
    // The cookie is signed: a 44-character HMAC, then the id.
    let raw = &value[44..];
    let id = tower_sessions::session::Id::from_str(raw).expect("an id");
    let key = sesame::auth::store::at_rest(&id).to_string();
    assert_ne!(key, raw);

    let mut everything = String::new();
    let stored_keys: Vec<String> = match &app.storage.redis_url {
        Some(url) => {
            let entries = crate::helpers::redis_entries(url).await;
            for (_, value) in &entries {
                everything.push_str(&String::from_utf8_lossy(value));
            }
            entries.into_iter().map(|(key, _)| key).collect()
        }
        None => {
            const SQL: &str = "SELECT id FROM sessions";
            match app.storage.db().await {
                Db::Sqlite(pool, _) => sqlx::query_scalar(SQL).fetch_all(&pool).await,
                Db::Postgres(pool) => sqlx::query_scalar(SQL).fetch_all(&pool).await,
            }
            .unwrap()
        }
    };
    assert!(stored_keys.contains(&key), "{stored_keys:?} lacks {key}");
    assert!(!stored_keys.iter().any(|k| k.contains(raw)));
    assert!(!everything.contains(raw));
    // Every table, every column, as text.
    let dump = dump_database(&app.storage.db().await).await;
    assert!(dump.contains("hashed") || app.storage.redis_url.is_some());
    assert!(!dump.contains(raw), "the raw id is in the database");
    // And still signed in, through the hash.
    assert_eq!(app.current_user().await["username"], user.username.as_str());
}

/// Every row of every table of the app's database, as text (blobs lossily).
async fn dump_database(db: &Db) -> String {
    let mut dump = String::new();
    for table in ["users", "login_failures", "sessions", "user_sessions"] {
        let sql = match db {
            Db::Sqlite(..) => format!("SELECT * FROM {table}"),
            Db::Postgres(_) => format!("SELECT t::text FROM {table} t"),
        };
        match db {
            Db::Sqlite(pool, _) => {
                use sqlx::{Row, ValueRef};
                let rows = match sqlx::query(&sql).fetch_all(pool).await {
                    Ok(rows) => rows,
                    Err(_) => continue, // sessions live in Redis
                };
                for row in rows {
                    for i in 0..row.len() {
                        let value = row.try_get_raw(i).unwrap();
                        if value.is_null() {
                            continue;
                        }
                        if let Ok(text) = row.try_get::<String, _>(i) {
                            dump.push_str(&text);
                        } else if let Ok(bytes) = row.try_get::<Vec<u8>, _>(i) {
                            dump.push_str(&String::from_utf8_lossy(&bytes));
                        } else if let Ok(n) = row.try_get::<i64, _>(i) {
                            dump.push_str(&n.to_string());
                        }
                        dump.push('|');
                    }
                }
            }
            // Row as text, but bytea would come out as hex: sessions' data
            // (the only binary column) is read as bytes.
            Db::Postgres(pool) if table == "sessions" => {
                let rows: Vec<(String, Vec<u8>)> = sqlx::query_as("SELECT id, data FROM sessions")
                    .fetch_all(pool)
                    .await
                    .unwrap_or_default();
                for (id, data) in rows {
                    dump.push_str(&id);
                    dump.push_str(&String::from_utf8_lossy(&data));
                }
            }
            Db::Postgres(pool) => {
                if let Ok(rows) = sqlx::query_scalar::<_, String>(&sql).fetch_all(pool).await {
                    dump.push_str(&rows.join("\n"));
                }
            }
        }
    }
    dump
}

#[tokio::test]
async fn every_server_function_is_protected_unless_listed_public() {
    let app = spawn_app().await;
    let paths = access::server_fn_paths();
    assert!(paths.len() >= 16, "{paths:?}");
    for public in access::PUBLIC {
        assert!(
            paths.contains(public),
            "{public} is listed public but does not exist"
        );
    }
    for path in &paths {
        let res = client()
            .post(app.url(path))
            .header("accept", "application/json")
            .form(&[("x", "")])
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        if access::is_public(path) {
            assert_ne!(status, 401, "{path} is public but refused a visitor");
        } else {
            assert_eq!(
                status, 401,
                "{path} answered an anonymous call with {status}"
            );
            assert!(res.text().await.unwrap().contains("Unauthorized"), "{path}");
        }
    }
    for protected in [
        "/api/users",
        "/api/sessions",
        "/api/revoke_session",
        "/api/change_password",
    ] {
        assert!(!access::is_public(protected), "{protected}");
    }
}
