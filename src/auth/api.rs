//! Server functions for signing in and out. Each is a public endpoint and
//! checks the session itself.
use crate::{error::AppError, session::SessionTimes, sign_in::ProofState, users::Account};
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
        credentials::backend::Credentials,
        credentials::throttle::{self, Judged},
        session::keys::{self as session},
        sign_in::redirect::safe_next,
        state::app_state,
    };
    let state = app_state()?;
    let mut auth = session::current().await?;
    state
        .client_limits
        .password_attempt(crate::client::current())
        .await?;
    // Counted by username in the database before any password work, in
    // the same step as the check: see `Throttle::reserve`.
    use crate::activity::db::{record_for_username, Kind};
    let name = username.clone();
    let check = async {
        auth.authenticate(Credentials { username, password })
            .await
            .map(|user| user.ok_or(()))
            .map_err(session::auth_error)
    };
    let (user, attempt) = match state
        .throttle
        .judge(&state.db, &throttle::key(&name), check)
        .await
    {
        Ok(Judged::Right(user, attempt)) => (user, attempt),
        Ok(Judged::Wrong(())) => {
            let (db, window) = (state.db.clone(), state.throttle.window());
            record_for_username(
                db,
                name,
                Kind::SignInFailed,
                crate::client::origin::current(),
                window,
            );
            return Err(AppError::InvalidCredentials);
        }
        Err(err) => {
            if matches!(err, AppError::TooManyAttempts) {
                let (db, window) = (state.db.clone(), state.throttle.window());
                record_for_username(
                    db,
                    name,
                    Kind::Throttled,
                    crate::client::origin::current(),
                    window,
                );
            }
            return Err(err);
        }
    };
    // Two-factor on: not signed in yet. The sign-in waits in this session
    // for its code (`/login/2fa`, `login_two_factor`). Only a completed
    // sign-in starts the count again: this attempt does not count, but the
    // failures before it (wrong codes among them) stay, so a known
    // password buys no fresh guesses at the code.
    if crate::two_factor::db::enrolled(&state.db, user.id)
        .await?
        .is_some()
    {
        state.throttle.release(&state.db, attempt).await;
        crate::two_factor::flow::start_second_step(&auth.session, &user, remember.is_some(), next)
            .await?;
        leptos_axum::redirect("/login/2fa");
        return Err(AppError::SecondFactorRequired);
    }
    state.throttle.succeeded(&state.db, attempt).await?;
    crate::sign_in::flow::sign_in(
        &mut auth,
        &user,
        remember.is_some(),
        &state.db,
        &state.session_policy,
        "with a password",
        &[session::ProofKind::Password],
    )
    .await?;
    tracing::info!(user.id = user.id, "signed in");
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(Account::from(&user))
}

/// Ends the sign-in; the rest of the session (the note) stays.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::{
        session::keys::{self as session},
        state::app_state,
    };
    let state = app_state()?;
    let mut auth = session::current().await?;
    let signed_in = auth.user.as_ref().map(|user| user.id);
    crate::sign_in::flow::sign_out(&mut auth, &state.db).await?;
    if let Some(user_id) = signed_in {
        crate::metrics::record(|m| m.revoked(crate::metrics::Revoked::Logout, 1));
        use crate::activity::db::{record, Kind};
        record(
            &state.db,
            user_id,
            Kind::SignedOut,
            "",
            &crate::client::origin::current(),
        )
        .await?;
    }
    leptos_axum::redirect("/");
    Ok(())
}

/// Clears this session and ends every session of the user on every device.
#[server(prefix = "/api", endpoint = "logout_all")]
pub async fn logout_all() -> Result<(), AppError> {
    use crate::{
        session::keys::{self as session},
        state::app_state,
        users::db,
    };
    let state = app_state()?;
    let mut auth = session::current().await?;
    if let Some(user) = &auth.user {
        db::rotate_session_token(&state.db, user.id).await?;
        let ended = crate::devices::db::remove_all_but(&state.db, user.id, None).await?;
        crate::metrics::record(|m| m.revoked(crate::metrics::Revoked::LogoutEverywhere, ended));
        use crate::activity::db::{record, Kind};
        record(
            &state.db,
            user.id,
            Kind::SignedOutEverywhere,
            "",
            &crate::client::origin::current(),
        )
        .await?;
        tracing::info!(user.id = user.id, "ended every session");
    }
    crate::sign_in::flow::clear(&mut auth).await?;
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
        error::FieldErrors,
        session::keys::{self as session},
        state::app_state,
        users::db::{self, Insert},
        users::validate::{Email, Password, Username},
    };
    let state = app_state()?;
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
            errors.push("username", crate::error::Problem::UsernameTaken);
        }
        if mail {
            errors.push("email", crate::error::Problem::EmailTaken);
        }
    };
    let in_use = db::taken(&state.db, username.as_ref(), email.as_ref()).await?;
    taken(&mut errors, in_use);
    let (Some(username), Some(email), Some(password), true) =
        (username, email, password, errors.is_empty())
    else {
        errors.sort_by_form_order(&["username", "email", "password"]);
        return Err(AppError::Validation(errors));
    };

    state
        .client_limits
        .password_attempt(crate::client::current())
        .await?;
    let hash = state.hasher.hash(password).await?;
    let user = match db::insert(&state.db, &username, &email, &hash).await? {
        Insert::Created(user) => user,
        // Someone registered the same name or email in the meantime.
        Insert::Conflict => {
            let in_use = db::taken(&state.db, Some(&username), Some(&email)).await?;
            taken(&mut errors, in_use);
            return Err(AppError::Validation(errors));
        }
    };
    tracing::info!(user.id = user.id, "registered");
    crate::metrics::record(|m| m.registered());

    let mut auth = session::current().await?;
    crate::sign_in::flow::sign_in(
        &mut auth,
        &user,
        false,
        &state.db,
        &state.session_policy,
        "new account",
        &[session::ProofKind::Password],
    )
    .await?;
    leptos_axum::redirect("/profile");
    Ok(Account::from(&user))
}

/// Proves again who is signed in, with the password, and on an account
/// with two-factor on a code too (`code`, app or recovery): sensitive
/// changes need a proof from the last `REAUTH_MINUTES`. Counted and
/// throttled per session. A form post goes back to the page it came from.
#[server(prefix = "/api", endpoint = "reauthenticate")]
pub async fn reauthenticate(password: String, code: Option<String>) -> Result<(), AppError> {
    use crate::{sign_in::proof::SignedIn, state::app_state};
    let state = app_state()?;
    let signed_in = SignedIn::current().await?;
    let enrolled = crate::two_factor::db::enrolled(&state.db, signed_in.user.id).await?;
    let code = code.unwrap_or_default();
    if enrolled.is_some() && code.trim().is_empty() {
        // Checked before the password, so a missing code costs no guess.
        return Err(AppError::field("code", crate::error::Problem::CodeMissing));
    }
    let code = enrolled.as_ref().map(|enrolled| (enrolled, code.as_str()));
    match signed_in.check_secrets(&state, &password, code).await? {
        None => Ok(()),
        Some(wrong) => Err(wrong.error("password")),
    }
}

/// Whether a sensitive change would need a sign-in proof first, whether
/// a passkey could give it, and whether the password needs a code with it.
#[server(prefix = "/api", endpoint = "proof_needed")]
pub async fn proof_needed() -> Result<ProofState, AppError> {
    use crate::{sign_in::proof::SignedIn, state::app_state};
    let state = app_state()?;
    SignedIn::current().await?.proof_state(&state).await
}

/// The signed-in user, or `null`.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Account>, AppError> {
    use crate::session::keys as session;
    let auth = session::current().await?;
    Ok(auth.user.as_ref().map(Account::from))
}

/// When this session started and when it ends; signed-in users only.
#[server(prefix = "/api", endpoint = "session_info")]
pub async fn session_info() -> Result<SessionTimes, AppError> {
    use crate::{
        session::keys::{self as session},
        state::app_state,
    };
    let state = app_state()?;
    let auth = session::current().await?;
    if auth.user.is_none() {
        return Err(AppError::Unauthorized);
    }
    let times = crate::session::expiry::times(&auth.session, &state.session_policy).await?;
    Ok(SessionTimes {
        started_at: crate::clock::format_time(times.started_at),
        expires_at: crate::clock::format_time(times.expires_at),
        seconds_left: (times.expires_at - time::OffsetDateTime::now_utc().unix_timestamp()).max(0),
        remember: times.remember,
    })
}

/// Changes the password: needs a recent sign-in proof (`REAUTH_MINUTES`)
/// and the current password, ends every other session of the user, keeps
/// this one signed in.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    use crate::{
        devices::db as devices,
        sign_in::proof::{Need, SignedIn},
        state::app_state,
        users::db,
        users::validate::Password,
    };
    let state = app_state()?;
    let mut signed_in = SignedIn::current().await?;
    signed_in.require(&state, Need::Recent).await?;
    let new = Password::parse(&new).map_err(|m| AppError::field("new", m))?;
    if !signed_in.check_password(&state, &current).await? {
        return Err(AppError::field(
            "current",
            crate::error::Problem::NotCurrentPassword,
        ));
    }
    let hash = state.hasher.hash(new).await?;
    let user = &signed_in.user;
    // A new hash and a new session token: every other session fails its
    // auth-hash check from now on (and a second step waiting for its code
    // elsewhere is refused); their index rows go too.
    let user = db::set_password(&state.db, user.id, &hash)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let ended = devices::remove_all_but(&state.db, user.id, signed_in.handle.as_deref()).await?;
    crate::metrics::record(|m| m.revoked(crate::metrics::Revoked::PasswordChange, ended));
    crate::sign_in::flow::keep_signed_in(&mut signed_in.auth, &user).await?;
    use crate::activity::db::{record, Kind};
    record(
        &state.db,
        user.id,
        Kind::PasswordChanged,
        "",
        &crate::client::origin::current(),
    )
    .await?;
    tracing::info!(user.id = user.id, "changed the password");
    // A form post lands on the page again, which says it worked.
    leptos_axum::redirect("/profile/password?changed");
    Ok(())
}
