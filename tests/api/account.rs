//! Leaving with your data: the export, and deleting the account.
use crate::helpers::{location, pair, session_cookie, spawn_app, Browser, TestApp, TestUser};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// How many rows of `table` belong to the user `id`.
async fn rows_of(app: &TestApp, table: &str, column: &str, id: i64) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
    app.storage.number(&sql, &[id]).await
}

async fn secret_columns(app: &TestApp) -> (String, String) {
    const SQL: &str = "SELECT password_hash || ' ' || session_token FROM users";
    let both = app.storage.texts(SQL).await.remove(0);
    let (hash, token) = both.split_once(' ').unwrap();
    (hash.to_owned(), token.to_owned())
}

#[tokio::test]
async fn the_export_has_the_users_data_and_no_hash_or_secret() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    let cookie = pair(&session_cookie(&app.register(&user).await).unwrap());
    let phone = Browser::with_user_agent(FIREFOX, &app);
    phone.login(&user, true).await;
    let handles: Vec<String> = app
        .sessions()
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["handle"].as_str().unwrap().to_owned())
        .collect();

    let res = app.get("/profile/export").await;
    assert_eq!(res.status(), 200);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/json");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"sesame-export.json\""
    );
    assert_eq!(header("cache-control"), "no-store");
    let text = res.text().await.unwrap();
    let export: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(export["account"]["username"], user.username.as_str());
    assert_eq!(export["account"]["email"], user.email.as_str());
    let sessions = export["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert!(sessions
        .iter()
        .any(|s| s["browser"] == "Firefox 128 on Linux"));
    assert_eq!(
        sessions.iter().filter(|s| s["this_device"] == true).count(),
        1
    );
    assert!(sessions.iter().all(|s| s.get("handle").is_none()));
    let kinds: Vec<&str> = export["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["signed_in", "signed_in"]);
    assert_eq!(export["passkeys"], serde_json::json!([]));

    let (hash, token) = secret_columns(&app).await;
    let session_value = cookie.split_once('=').unwrap().1;
    for secret in [
        hash.as_str(),
        "$argon2",
        token.as_str(),
        session_value,
        user.password.as_str(),
    ]
    .into_iter()
    .chain(handles.iter().map(String::as_str))
    {
        assert!(!text.contains(secret), "{secret} is in the export");
    }

    let visitor = app.new_browser();
    let res = visitor.get("/profile/export").await;
    assert!(res.status().is_redirection());
    assert_eq!(
        location(&res).as_deref(),
        Some("/login?next=%2Fprofile%2Fexport")
    );
}

#[tokio::test]
async fn deleting_the_account_needs_the_password_and_removes_every_row() {
    let app = spawn_app().await;
    let user = TestUser::generate();
    app.register(&user).await;
    let phone = app.new_browser();
    phone.login(&user, true).await;
    let someone = app.new_browser();
    someone.register(&TestUser::generate()).await;
    let id = app.current_user().await["id"].as_i64().unwrap();

    let wrong = app
        .post_form("/api/delete_account", &[("password", "not-the-password")])
        .await;
    assert_eq!(wrong.status(), 422);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(body["fields"][0]["message"], "That is not your password.");
    assert_eq!(rows_of(&app, "users", "id", id).await, 1);
    assert_eq!(app.current_user().await["id"], id);

    let res = app
        .post_form(
            "/api/delete_account",
            &[("password", user.password.as_str())],
        )
        .await;
    assert_eq!(res.status(), 200);
    for (table, column) in [
        ("users", "id"),
        ("user_sessions", "user_id"),
        ("account_events", "user_id"),
        ("sign_in_notices", "user_id"),
        ("two_factor", "user_id"),
        ("recovery_codes", "user_id"),
    ] {
        assert_eq!(rows_of(&app, table, column, id).await, 0, "{table}");
    }
    // Signed out here and on the phone; the name no longer signs in.
    assert!(app.current_user().await.is_null());
    assert!(phone.current_user().await.is_null());
    assert_eq!(app.new_browser().login(&user, false).await.status(), 401);
    // Nobody else's rows went.
    let other = someone.current_user().await["id"].as_i64().unwrap();
    assert_eq!(rows_of(&app, "users", "id", other).await, 1);
    assert_eq!(rows_of(&app, "account_events", "user_id", other).await, 1);
    // A visitor cannot delete anything.
    assert_eq!(
        app.new_browser()
            .post_form("/api/delete_account", &[("password", "x")])
            .await
            .status(),
        401
    );
}
