//! Every error a server function answers: its own status, and a body that
//! says what went wrong (`{"error": kind, "message": text}`), with plain `?`
//! in the server function and its session writes kept.
use crate::helpers::*;
use leptos::prelude::*;
use std::num::NonZeroU32;

/// A server function written the plain way: it writes the session, then
/// fails with `?`. Defined here, in the test binary, it is registered in
/// the server under test like the app's own (and, not being public, needs
/// a signed-in user, as any new server function does).
#[server(prefix = "/api", endpoint = "test_note_then_refuse")]
async fn note_then_refuse(note: String) -> Result<(), AppError> {
    let auth = sesame::session::keys::current().await?;
    sesame::session::keys::set_note(&auth.session, note).await?;
    Err(AppError::field("page", sesame::error::Problem::PageFrom1))?;
    Ok(())
}

#[tokio::test]
async fn an_error_returned_with_plain_question_mark_keeps_its_status_and_the_session_write() {
    let app = spawn_app().await;
    app.register(&TestUser::generate()).await;
    let res = app
        .post_form("/api/test_note_then_refuse", &[("note", "kept")])
        .await;
    let body = assert_error(
        res,
        422,
        AppError::field("page", sesame::error::Problem::PageFrom1),
    )
    .await;
    assert_eq!(body["fields"][0]["field"], "page");
    // Leptos answered 500, on which the session layer drops writes; the
    // error's own 422 keeps the note.
    assert_eq!(app.note().await, "kept");
}

#[tokio::test]
async fn every_error_kind_says_its_message_over_http() {
    let app = spawn_app_with(|s| s.client_rates.password_attempts = NonZeroU32::new(7)).await;
    let user = TestUser::generate();
    assert_eq!(app.register(&user).await.status(), 200);
    app.logout().await;
    let wrong = user.with_password("not-the-password");

    assert_error(
        app.login(&wrong, false).await,
        401,
        AppError::InvalidCredentials,
    )
    .await;

    let body = assert_error(app.users(None).await, 401, AppError::Unauthorized).await;
    assert_eq!(body["message"], "You need to log in first.");

    let bad = TestUser {
        username: "no spaces".into(),
        ..TestUser::generate()
    };
    let res = app.register(&bad).await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "validation");
    assert_eq!(body["fields"][0]["field"], "username");
    assert_eq!(body["message"], body["fields"][0]["message"]);

    let res = app
        .client()
        .post(app.url("/api/login"))
        .header("origin", "http://elsewhere.example")
        .form(&login_form(&user, false))
        .send()
        .await
        .unwrap();
    assert_error(res, 403, AppError::Forbidden).await;

    let res = app.post_form("/api/login", &[("username", "x")]).await;
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().starts_with("Bad request"),
        "{body}"
    );

    // Four more wrong passwords: the account's throttle, then the address's.
    for _ in 0..4 {
        assert_eq!(app.login(&wrong, false).await.status(), 401);
    }
    assert_error(
        app.login(&user, false).await,
        429,
        AppError::TooManyAttempts,
    )
    .await;
    let res = app.login(&user, false).await;
    let retry: u64 = res.headers()[reqwest::header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body = assert_error(res, 429, AppError::RateLimited(retry)).await;
    assert_eq!(body["retry_after"], retry);
}
