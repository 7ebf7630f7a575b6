//! Server functions for signing in and out. Each is a public endpoint and
//! checks the session itself.
use crate::{
    auth::{Account, SessionTimes},
    error::AppError,
};
use leptos::prelude::*;

/// Signs in. A plain form post is redirected to `next` (same-site paths
/// only) or `/profile`; the hydrated app navigates there.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    remember: Option<String>,
    next: Option<String>,
) -> Result<Account, AppError> {
    use crate::{
        auth::{backend::Credentials, redirect::safe_next, session, throttle},
        error::reject,
        startup::app_state,
    };
    let state = app_state().map_err(reject)?;
    let mut auth = session::current().await.map_err(reject)?;
    // Counted by username in the database, before any password work.
    let key = throttle::key(&username);
    state
        .throttle
        .check(&state.db, &key)
        .await
        .map_err(reject)?;

    let user = auth
        .authenticate(Credentials { username, password })
        .await
        .map_err(|e| reject(session::auth_error(e)))?;
    let Some(user) = user else {
        state
            .throttle
            .record_failure(&state.db, &key)
            .await
            .map_err(reject)?;
        return Err(reject(AppError::InvalidCredentials));
    };
    state
        .throttle
        .clear(&state.db, &key)
        .await
        .map_err(reject)?;
    session::sign_in(&mut auth, &user, remember.is_some())
        .await
        .map_err(reject)?;
    tracing::info!(user.id = user.id, "signed in");
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(Account::from(&user))
}

/// Ends the sign-in; the rest of the session (the note) stays.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::{auth::session, error::reject};
    let mut auth = session::current().await.map_err(reject)?;
    session::sign_out(&mut auth).await.map_err(reject)?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Clears this session and ends every session of the user on every device.
#[server(prefix = "/api", endpoint = "logout_all")]
pub async fn logout_all() -> Result<(), AppError> {
    use crate::{auth::session, error::reject, startup::app_state, users::db};
    let state = app_state().map_err(reject)?;
    let mut auth = session::current().await.map_err(reject)?;
    if let Some(user) = &auth.user {
        db::rotate_session_token(&state.db, user.id)
            .await
            .map_err(reject)?;
        tracing::info!(user.id = user.id, "ended every session");
    }
    session::clear(&mut auth).await.map_err(reject)?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Creates an account and signs it in.
#[server(prefix = "/api", endpoint = "register")]
pub async fn register(
    username: String,
    email: String,
    password: String,
) -> Result<Account, AppError> {
    use crate::{
        auth::{
            session,
            validate::{Email, Password, Username},
        },
        error::{reject, FieldErrors},
        startup::app_state,
        users::db::{self, Insert},
    };
    let state = app_state().map_err(reject)?;
    let mut errors = FieldErrors::default();
    let username = Username::parse(&username)
        .map_err(|m| errors.push("username", m))
        .ok();
    let email = Email::parse(&email)
        .map_err(|m| errors.push("email", m))
        .ok();
    let password = Password::parse(&password)
        .map_err(|m| errors.push("password", m))
        .ok();
    let taken = |errors: &mut FieldErrors, (name, mail): (bool, bool)| {
        if name {
            errors.push("username", "That username is taken.");
        }
        if mail {
            errors.push("email", "That email is already registered.");
        }
    };
    let in_use = db::taken(&state.db, username.as_ref(), email.as_ref())
        .await
        .map_err(reject)?;
    taken(&mut errors, in_use);
    let (Some(username), Some(email), Some(password), true) =
        (username, email, password, errors.is_empty())
    else {
        errors.sort_by_form_order(&["username", "email", "password"]);
        return Err(reject(AppError::Validation(errors)));
    };

    let hash = state.hasher.hash(password).await.map_err(reject)?;
    let user = match db::insert(&state.db, &username, &email, &hash)
        .await
        .map_err(reject)?
    {
        Insert::Created(user) => user,
        // Someone registered the same name or email in the meantime.
        Insert::Conflict => {
            let in_use = db::taken(&state.db, Some(&username), Some(&email))
                .await
                .map_err(reject)?;
            taken(&mut errors, in_use);
            return Err(reject(AppError::Validation(errors)));
        }
    };
    tracing::info!(user.id = user.id, "registered");

    let mut auth = session::current().await.map_err(reject)?;
    session::sign_in(&mut auth, &user, false)
        .await
        .map_err(reject)?;
    leptos_axum::redirect("/profile");
    Ok(Account::from(&user))
}

/// The signed-in user, or `null`.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Account>, AppError> {
    use crate::{auth::session, error::reject};
    let auth = session::current().await.map_err(reject)?;
    Ok(auth.user.as_ref().map(Account::from))
}

/// When this session started and when it ends; signed-in users only.
#[server(prefix = "/api", endpoint = "session_info")]
pub async fn session_info() -> Result<SessionTimes, AppError> {
    use crate::{auth::session, error::reject, startup::app_state};
    let state = app_state().map_err(reject)?;
    let auth = session::current().await.map_err(reject)?;
    if auth.user.is_none() {
        return Err(reject(AppError::Unauthorized));
    }
    let times = session::times(&auth.session, &state.session_policy)
        .await
        .map_err(reject)?;
    Ok(SessionTimes {
        started_at: format_time(times.started_at),
        expires_at: format_time(times.expires_at),
        remember: times.remember,
    })
}

#[cfg(feature = "ssr")]
fn format_time(unix: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!(
            "{} {:02}:{:02}:{:02} UTC",
            t.date(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => "unknown".to_owned(),
    }
}
