//! Server functions of two-factor sign-in: the settings page's, and the
//! second step of a sign-in.
use crate::{error::AppError, two_factor::TwoFactorStatus, users::Account};
use leptos::prelude::*;

/// What `/profile/2fa` shows: on or off; while off, a secret to enrol
/// (kept in the session until confirmed); right after turning on, the
/// recovery codes, once.
#[server(prefix = "/api", endpoint = "two_factor")]
pub async fn two_factor() -> Result<TwoFactorStatus, AppError> {
    use crate::{
        sign_in::proof::SignedIn,
        state::app_state,
        two_factor::{codes, db, flow},
    };
    let state = app_state()?;
    let signed_in = SignedIn::current().await?;
    let (user, session) = (&signed_in.user, signed_in.session());
    let proof = signed_in.proof_state(&state).await?;
    let mut status = TwoFactorStatus {
        enabled: false,
        needs_proof: proof.needed,
        passkey_proof: proof.passkey,
        code_proof: proof.code,
        setup: None,
        recovery_codes: Vec::new(),
        recovery_codes_left: 0,
    };
    if db::enrolled(&state.db, user.id).await?.is_some() {
        status.enabled = true;
        status.recovery_codes = flow::take_new_codes(session, user.id).await?;
        status.recovery_codes_left = db::recovery_codes_left(&state.db, user.id).await?;
    } else if !proof.needed {
        // The secret only to a session that proved it is its user: a
        // session left open on a shared computer does not hand it out.
        let secret = flow::pending_secret(session, user.id).await?;
        status.setup = Some(codes::setup(&secret, &user.username)?);
    }
    Ok(status)
}

/// Turns two-factor on, confirmed by a code from the app for the secret
/// the page showed. Answers with the 10 recovery codes; a form post goes
/// back to `/profile/2fa`, which shows them once. The account's other
/// sessions end: they were not signed in with two factors.
#[server(prefix = "/api", endpoint = "enable_two_factor")]
pub async fn enable_two_factor(code: String) -> Result<Vec<String>, AppError> {
    use crate::{
        session::keys::{self as session},
        sign_in::proof::{Need, SignedIn},
        state::app_state,
        two_factor::{codes, db, flow},
    };
    let state = app_state()?;
    let mut signed_in = SignedIn::current().await?;
    signed_in.require(&state, Need::Recent).await?;
    let user_id = signed_in.user.id;
    if db::enrolled(&state.db, user_id).await?.is_some() {
        return Err(AppError::field("code", crate::error::Problem::TwoFactorOn));
    }
    let invalid = || AppError::field("code", crate::error::Problem::InvalidCode);
    // The secret this account's page showed, never another account's.
    let secret = flow::pending_secret(signed_in.session(), user_id).await?;
    let totp = codes::totp(&secret, &signed_in.user.username)?;
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
        user_id,
        &secret,
        step,
        &hashes,
        &crate::client::origin::current(),
    )
    .await?
    {
        return Err(AppError::field("code", crate::error::Problem::TwoFactorOn));
    }
    signed_in
        .end_other_sessions(&state, crate::metrics::Revoked::TwoFactorChange)
        .await?;
    let session = signed_in.session();
    flow::take_pending_secret(session, user_id).await?;
    flow::keep_new_codes(session, user_id, &recovery).await?;
    // The code just typed is a second factor of this session's own.
    session::add_proof(session, session::ProofKind::Totp).await?;
    tracing::info!(user.id = user_id, "turned two-factor on");
    leptos_axum::redirect("/profile/2fa");
    Ok(recovery)
}

/// Turns two-factor off, given a code from the app or a recovery code.
/// Wrong codes count toward this session's re-authentication limit. The
/// account's other sessions end.
#[server(prefix = "/api", endpoint = "disable_two_factor")]
pub async fn disable_two_factor(code: String) -> Result<(), AppError> {
    use crate::{
        sign_in::proof::{Need, SignedIn},
        state::app_state,
        two_factor::db,
    };
    let state = app_state()?;
    let mut signed_in = SignedIn::current().await?;
    signed_in.require(&state, Need::Recent).await?;
    let Some(enrolled) = db::enrolled(&state.db, signed_in.user.id).await? else {
        return Err(AppError::field("code", crate::error::Problem::TwoFactorOff));
    };
    if !signed_in.check_code(&state, &enrolled, &code).await? {
        return Err(AppError::field("code", crate::error::Problem::InvalidCode));
    }
    db::disable(
        &state.db,
        signed_in.user.id,
        &crate::client::origin::current(),
    )
    .await?;
    signed_in
        .end_other_sessions(&state, crate::metrics::Revoked::TwoFactorChange)
        .await?;
    tracing::info!(user.id = signed_in.user.id, "turned two-factor off");
    leptos_axum::redirect("/profile/2fa");
    Ok(())
}

/// The second step of a sign-in with two-factor on: a code from the app
/// or a recovery code, for the sign-in this session started. Wrong codes
/// count toward the same throttle as wrong passwords, and only this, the
/// completed sign-in, starts the count again; no code works twice.
#[server(prefix = "/api", endpoint = "login_two_factor")]
pub async fn login_two_factor(code: String) -> Result<Account, AppError> {
    use crate::{
        activity::db::{failed_attempt, record, throttled, Kind},
        credentials::throttle::{self, Judged},
        session::keys::{self as session, ProofKind},
        sign_in::redirect::safe_next,
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
        // The password changed, or every session was ended, since.
        .filter(|user| user.session_token == step.token)
        .ok_or(AppError::SignInExpired)?;
    // Turned off meanwhile: sign in again, with the password alone.
    let enrolled = db::enrolled(&state.db, user.id)
        .await?
        .ok_or(AppError::SignInExpired)?;
    state
        .client_limits
        .password_attempt(crate::client::current())
        .await?;
    let origin = crate::client::origin::current();
    let check = async {
        Ok(flow::verify(&state.db, &user, &enrolled, &code)
            .await?
            .ok_or(()))
    };
    let key = throttle::key(&user.username);
    let (proof, attempt) = match state.throttle.judge(&state.db, &key, check).await {
        Ok(Judged::Right(proof, attempt)) => (proof, attempt),
        Ok(Judged::Wrong(())) => {
            let why = "wrong authentication code";
            failed_attempt(&state.db, user.id, why, &origin).await?;
            return Err(AppError::field("code", crate::error::Problem::InvalidCode));
        }
        Err(AppError::TooManyAttempts) => {
            throttled(&state.db, user.id, &origin, state.throttle.window()).await?;
            return Err(AppError::TooManyAttempts);
        }
        Err(err) => return Err(err),
    };
    state.throttle.succeeded(&state.db, attempt).await?;
    let how = match proof {
        flow::Proof::Code => "with a password and an authentication code",
        flow::Proof::RecoveryCode => "with a password and a recovery code",
    };
    crate::sign_in::flow::sign_in(
        &mut auth,
        &user,
        step.remember,
        &state.db,
        &state.session_policy,
        how,
        &[ProofKind::Password, proof.kind()],
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
