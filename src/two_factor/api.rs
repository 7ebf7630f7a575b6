//! Server functions of two-factor sign-in: the settings page's, and the
//! second step of a sign-in.
use crate::{auth::Account, error::AppError, two_factor::TwoFactorStatus};
use leptos::prelude::*;

/// What `/profile/2fa` shows: on or off; while off, a secret to enrol
/// (kept in the session until confirmed); right after turning on, the
/// recovery codes, once.
#[server(prefix = "/api", endpoint = "two_factor")]
pub async fn two_factor() -> Result<TwoFactorStatus, AppError> {
    use crate::{
        auth::session,
        state::app_state,
        two_factor::{codes, db, flow},
    };
    let state = app_state()?;
    let (user, _) = session::signed_in().await?;
    let auth = session::current().await?;
    let needs_proof = !session::has_recent_proof(&auth.session, state.settings.reauth).await?;
    let passkey_proof = needs_proof
        && !crate::passkeys::db::list(&state.db, user.id)
            .await?
            .is_empty();
    if db::enrolled(&state.db, user.id).await?.is_some() {
        return Ok(TwoFactorStatus {
            enabled: true,
            needs_proof,
            passkey_proof,
            setup: None,
            recovery_codes: flow::take_new_codes(&auth.session).await?,
            recovery_codes_left: db::recovery_codes_left(&state.db, user.id).await?,
        });
    }
    let secret = flow::pending_secret(&auth.session).await?;
    Ok(TwoFactorStatus {
        enabled: false,
        needs_proof,
        passkey_proof,
        setup: Some(codes::setup(&secret, &user.username)?),
        recovery_codes: Vec::new(),
        recovery_codes_left: 0,
    })
}

/// Turns two-factor on, confirmed by a code from the app for the secret
/// the page showed. Answers with the 10 recovery codes; a form post goes
/// back to `/profile/2fa`, which shows them once.
#[server(prefix = "/api", endpoint = "enable_two_factor")]
pub async fn enable_two_factor(code: String) -> Result<Vec<String>, AppError> {
    use crate::{
        auth::session,
        state::app_state,
        two_factor::{codes, db, flow},
    };
    let state = app_state()?;
    let (user, _) = session::signed_in().await?;
    let auth = session::current().await?;
    session::require_recent_proof(&auth.session, state.settings.reauth).await?;
    if db::enrolled(&state.db, user.id).await?.is_some() {
        return Err(AppError::field(
            "code",
            "Two-factor authentication is already on.",
        ));
    }
    let invalid = || AppError::field("code", "Invalid authentication code.");
    let secret = flow::pending_secret(&auth.session).await?;
    let totp = codes::totp(&secret, &user.username)?;
    let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or_default();
    let step = codes::check(&totp, &code, now).ok_or_else(invalid)?;
    let recovery = codes::new_recovery_codes();
    let hashes: Vec<String> = recovery
        .iter()
        .filter_map(|c| codes::normalize_recovery_code(c))
        .map(|c| codes::hash_recovery_code(&c))
        .collect();
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    if !db::enable(
        &state.db,
        user.id,
        &secret,
        step,
        &hashes,
        &session::origin(),
    )
    .await?
    {
        return Err(AppError::field(
            "code",
            "Two-factor authentication is already on.",
        ));
    }
    flow::take_pending_secret(&auth.session).await?;
    flow::keep_new_codes(&auth.session, &recovery).await?;
    tracing::info!(user.id = user.id, "turned two-factor on");
    leptos_axum::redirect("/profile/2fa");
    Ok(recovery)
}

/// Turns two-factor off, given a code from the app or a recovery code.
/// Wrong codes count toward the sign-in throttle.
#[server(prefix = "/api", endpoint = "disable_two_factor")]
pub async fn disable_two_factor(code: String) -> Result<(), AppError> {
    use crate::{
        auth::{session, throttle},
        state::app_state,
        two_factor::{db, flow},
    };
    let state = app_state()?;
    let (user, _) = session::signed_in().await?;
    let auth = session::current().await?;
    session::require_recent_proof(&auth.session, state.settings.reauth).await?;
    let Some(enrolled) = db::enrolled(&state.db, user.id).await? else {
        return Err(AppError::field(
            "code",
            "Two-factor authentication is not on.",
        ));
    };
    let attempt = state
        .throttle
        .reserve(&state.db, &throttle::key(&user.username))
        .await?;
    if flow::verify(&state.db, &user, &enrolled, &code)
        .await?
        .is_none()
    {
        state.throttle.failed(&state.db, attempt).await?;
        return Err(AppError::field("code", "Invalid authentication code."));
    }
    state.throttle.succeeded(&state.db, attempt).await?;
    db::disable(&state.db, user.id, &session::origin()).await?;
    tracing::info!(user.id = user.id, "turned two-factor off");
    leptos_axum::redirect("/profile/2fa");
    Ok(())
}

/// The second step of a sign-in with two-factor on: a code from the app
/// or a recovery code, for the sign-in this session started. Wrong codes
/// count toward the same throttle as wrong passwords; no code works twice.
#[server(prefix = "/api", endpoint = "login_two_factor")]
pub async fn login_two_factor(code: String) -> Result<Account, AppError> {
    use crate::{
        activity::db::{failed_attempt, record, reserve_attempt, Kind},
        auth::{redirect::safe_next, session},
        state::app_state,
        two_factor::{db, flow},
        users,
    };
    let state = app_state()?;
    let mut auth = session::current().await?;
    let Some(step) = flow::second_step(&auth.session, state.settings.second_step).await? else {
        return Err(AppError::SignInExpired);
    };
    let user = users::db::find_by_id(&state.db, step.user_id)
        .await?
        .ok_or(AppError::SignInExpired)?;
    // Turned off meanwhile: sign in again, with the password alone.
    let enrolled = db::enrolled(&state.db, user.id)
        .await?
        .ok_or(AppError::SignInExpired)?;
    state
        .client_limits
        .password_attempt(crate::client::current())?;
    let origin = session::origin();
    let attempt =
        reserve_attempt(&state.throttle, &state.db, user.id, &user.username, &origin).await?;
    let Some(proof) = flow::verify(&state.db, &user, &enrolled, &code).await? else {
        let why = "wrong authentication code";
        failed_attempt(&state.throttle, &state.db, attempt, user.id, why, &origin).await?;
        return Err(AppError::field("code", "Invalid authentication code."));
    };
    state.throttle.succeeded(&state.db, attempt).await?;
    flow::end_second_step(&auth.session).await?;
    let how = match proof {
        flow::Proof::Code => "with a password and an authentication code",
        flow::Proof::RecoveryCode => "with a password and a recovery code",
    };
    session::sign_in(
        &mut auth,
        &user,
        step.remember,
        &state.db,
        &state.session_policy,
        how,
    )
    .await?;
    if proof == flow::Proof::RecoveryCode {
        let left = db::recovery_codes_left(&state.db, user.id).await?;
        let detail = format!("{left} left");
        record(&state.db, user.id, Kind::RecoveryCodeUsed, &detail, &origin).await?;
    }
    tracing::info!(user.id = user.id, "signed in with two factors");
    leptos_axum::redirect(&safe_next(step.next.as_deref()));
    Ok(Account::from(&user))
}
