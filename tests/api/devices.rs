//! Sessions & devices: listing, revoking, password change, ids hashed at
//! rest.
use crate::helpers::{pair, session_cookie, spawn_app, Browser, TestUser};
use sesame::db::Db;
use std::str::FromStr;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

async fn sessions_of(browser: &Browser) -> serde_json::Value {
    let res = browser.sessions().await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

#[tokio::test]
async fn the_sessions_page_lists_every_device_and_marks_this_one() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let phone = Browser::with_user_agent(FIREFOX, &app);
    assert_eq!(phone.login(&user, true).await.status(), 200);

    let list = sessions_of(&app).await;
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
    let cookie = pair(&session_cookie(&app.new_browser().login(&user, false).await).unwrap());
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
    let phone = app.new_browser();
    phone.login(&user, true).await;
    let list = sessions_of(&app).await;
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
    let stranger = app.new_browser();
    stranger.register(&TestUser::generate()).await;
    let res = stranger.revoke_session(&phone_handle).await;
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
    let res = app.revoke_session(&own).await;
    assert_eq!(res.status(), 422);
    assert!(!phone.current_user().await.is_null());

    let res = app.revoke_session(&phone_handle).await;
    assert_eq!(res.status(), 200);
    let left: serde_json::Value = res.json().await.unwrap();
    assert_eq!(left.as_array().unwrap().len(), 1);

    assert!(
        phone.current_user().await.is_null(),
        "the phone is signed out"
    );
    assert!(!app.current_user().await.is_null(), "this device is not");
    let res = app.revoke_session(&phone_handle).await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn revoke_all_others_keeps_only_this_session() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let others: Vec<_> = (0..3).map(|_| app.new_browser()).collect();
    for other in &others {
        other.login(&user, false).await;
    }
    assert_eq!(sessions_of(&app).await.as_array().unwrap().len(), 4);

    let res = app.revoke_other_sessions().await;
    assert_eq!(res.status(), 200);

    for other in &others {
        assert!(other.current_user().await.is_null());
    }
    assert_eq!(app.current_user().await["username"], user.username.as_str());
    let left = sessions_of(&app).await;
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["this_device"], true);
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_ends_the_other_sessions() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let laptop = app.new_browser();
    laptop.login(&user, true).await;

    let res = app
        .change_password("not-my-password", "a-brand-new-password")
        .await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("That is not your current password."));
    let res = app.change_password(&user.password, "short").await;
    assert_eq!(res.status(), 422);
    assert!(
        !laptop.current_user().await.is_null(),
        "nothing changed yet"
    );

    let res = app
        .change_password(&user.password, "a-brand-new-password")
        .await;
    assert_eq!(res.status(), 200);

    assert_eq!(
        app.current_user().await["username"],
        user.username.as_str(),
        "still signed in here"
    );
    assert!(
        laptop.current_user().await.is_null(),
        "signed out elsewhere"
    );
    assert_eq!(app.new_browser().login(&user, false).await.status(), 401);
    let renewed = user.with_password("a-brand-new-password");
    assert_eq!(app.new_browser().login(&renewed, false).await.status(), 200);

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
    app.set_note("hashed").await;
    let cookie = pair(&session_cookie(&res).expect("cookie"));
    let value = cookie.trim_start_matches("sesame_session=");
    // The cookie is signed: a 44-character HMAC, then the id.
    let raw = &value[44..];
    let id = tower_sessions::session::Id::from_str(raw).expect("an id");
    let key = sesame::session::store::at_rest(&id).to_string();
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
    for table in [
        "users",
        "login_failures",
        "sessions",
        "user_sessions",
        "account_events",
    ] {
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
