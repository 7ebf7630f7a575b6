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
    use crate::metrics::{record, Login};
    let result = sign_in_with_password(username, password, remember, next).await;
    record(|m| {
        m.login(match &result {
            Ok(_) => Login::Success,
            Err(AppError::InvalidCredentials) => Login::Failure,
            Err(AppError::TooManyAttempts | AppError::RateLimited(_)) => Login::Throttled,
            Err(AppError::Busy) => Login::Busy,
            // A malformed request or an outage judged no password.
            Err(_) => return,
        })
    });
    result
}

#[cfg(feature = "ssr")]
async fn sign_in_with_password(
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
    state
        .client_limits
        .password_attempt(crate::client::current())
        .map_err(reject)?;
    // Counted by username in the database before any password work, in
    // the same step as the check: see `Throttle::reserve`.
    let attempt = state
        .throttle
        .reserve(&state.db, &throttle::key(&username))
        .await
        .map_err(reject)?;
    let user = match auth.authenticate(Credentials { username, password }).await {
        Ok(user) => user,
        // Busy or an outage: the password was never judged.
        Err(err) => {
            state.throttle.release(&state.db, attempt).await;
            return Err(reject(session::auth_error(err)));
        }
    };
    let Some(user) = user else {
        state
            .throttle
            .failed(&state.db, attempt)
            .await
            .map_err(reject)?;
        return Err(reject(AppError::InvalidCredentials));
    };
    state
        .throttle
        .succeeded(&state.db, attempt)
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
    let signed_in = auth.user.is_some();
    session::sign_out(&mut auth).await.map_err(reject)?;
    if signed_in {
        crate::metrics::record(|m| m.revoked(crate::metrics::Revoked::Logout, 1));
    }
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
        let ended = crate::auth::devices::remove_all_but(&state.db, user.id, None)
            .await
            .map_err(reject)?;
        crate::metrics::record(|m| m.revoked(crate::metrics::Revoked::LogoutEverywhere, ended));
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

    state
        .client_limits
        .password_attempt(crate::client::current())
        .map_err(reject)?;
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
    crate::metrics::record(|m| m.registered());

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
        started_at: crate::auth::format_time(times.started_at),
        expires_at: crate::auth::format_time(times.expires_at),
        remember: times.remember,
    })
}

/// The signed-in user's live sessions, this one marked.
#[server(prefix = "/api", endpoint = "sessions")]
pub async fn sessions() -> Result<Vec<crate::auth::DeviceSession>, AppError> {
    use crate::{error::reject, startup::app_state};
    let state = app_state().map_err(reject)?;
    let (user, current) = signed_in().await.map_err(reject)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    crate::auth::devices::list(&state.db, user.id, current.as_deref(), now)
        .await
        .map_err(reject)
}

/// Ends one other session of the signed-in user, by its public handle; it
/// is anonymous on its next request. Answers with the sessions left.
#[server(prefix = "/api", endpoint = "revoke_session")]
pub async fn revoke_session(handle: String) -> Result<Vec<crate::auth::DeviceSession>, AppError> {
    use crate::{auth::devices, error::reject, startup::app_state};
    let state = app_state().map_err(reject)?;
    let (user, current) = signed_in().await.map_err(reject)?;
    if current.as_deref() == Some(handle.as_str()) {
        return Err(reject(AppError::field(
            "handle",
            "This is the session you are using; log out instead.",
        )));
    }
    if !devices::remove(&state.db, user.id, &handle)
        .await
        .map_err(reject)?
    {
        return Err(reject(AppError::NotFound));
    }
    tracing::info!(user.id = user.id, "revoked a session");
    crate::metrics::record(|m| m.revoked(crate::metrics::Revoked::Revoke, 1));
    sessions().await
}

/// Ends every session of the signed-in user but this one.
#[server(prefix = "/api", endpoint = "revoke_other_sessions")]
pub async fn revoke_other_sessions() -> Result<Vec<crate::auth::DeviceSession>, AppError> {
    use crate::{auth::devices, error::reject, startup::app_state};
    let state = app_state().map_err(reject)?;
    let (user, current) = signed_in().await.map_err(reject)?;
    let ended = devices::remove_all_but(&state.db, user.id, current.as_deref())
        .await
        .map_err(reject)?;
    tracing::info!(user.id = user.id, ended, "revoked the other sessions");
    crate::metrics::record(|m| m.revoked(crate::metrics::Revoked::RevokeOthers, ended));
    sessions().await
}

/// Changes the password: needs the current one, ends every other session
/// of the user, keeps this one signed in.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    use crate::{
        auth::{devices, session, validate::Password},
        error::reject,
        startup::app_state,
        users::db,
    };
    let state = app_state().map_err(reject)?;
    let (user, handle) = signed_in().await.map_err(reject)?;
    let new = Password::parse(&new).map_err(|m| reject(AppError::field("new", m)))?;
    state
        .client_limits
        .password_attempt(crate::client::current())
        .map_err(reject)?;
    let attempt = state
        .throttle
        .reserve(&state.db, &crate::auth::throttle::key(&user.username))
        .await
        .map_err(reject)?;
    let ok = match state
        .hasher
        .verify(&current, Some(&user.password_hash))
        .await
    {
        Ok(ok) => ok,
        Err(err) => {
            state.throttle.release(&state.db, attempt).await;
            return Err(reject(err));
        }
    };
    if !ok {
        state
            .throttle
            .failed(&state.db, attempt)
            .await
            .map_err(reject)?;
        return Err(reject(AppError::field(
            "current",
            "That is not your current password.",
        )));
    }
    state
        .throttle
        .succeeded(&state.db, attempt)
        .await
        .map_err(reject)?;
    let hash = state.hasher.hash(new).await.map_err(reject)?;
    // A new hash and a new session token: every other session fails its
    // auth-hash check from now on; their index rows go too.
    let user = db::set_password(&state.db, user.id, &hash)
        .await
        .map_err(reject)?
        .ok_or_else(|| reject(AppError::Unauthorized))?;
    let ended = devices::remove_all_but(&state.db, user.id, handle.as_deref())
        .await
        .map_err(reject)?;
    crate::metrics::record(|m| m.revoked(crate::metrics::Revoked::PasswordChange, ended));
    let mut auth = session::current().await.map_err(reject)?;
    session::keep_signed_in(&mut auth, &user)
        .await
        .map_err(reject)?;
    tracing::info!(user.id = user.id, "changed the password");
    Ok(())
}

/// The signed-in user and this session's handle, or 401.
#[cfg(feature = "ssr")]
async fn signed_in() -> Result<(crate::users::db::User, Option<String>), AppError> {
    use crate::auth::session;
    let auth = session::current().await?;
    let user = auth.user.clone().ok_or(AppError::Unauthorized)?;
    let handle = session::handle(&auth.session).await?;
    Ok((user, handle))
}
