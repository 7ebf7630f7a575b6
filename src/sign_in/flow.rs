//! [ssr] Signing in and out, whatever the way in: what a session becomes
//! when a person is signed in (a clean session, a new id, a device row, an
//! activity line, the proofs the sign-in gave) and what is left of it when
//! they sign out.
use crate::{
    activity::db::{self as activity, Kind},
    client::origin,
    clock::now,
    config::SessionPolicy,
    db::Db,
    devices::db as devices,
    error::AppError,
    session::{
        expiry,
        keys::{self, AuthSession, ProofKind},
    },
    users::db::User,
};

/// The signed-in user and this session's handle, or 401.
pub async fn signed_in() -> Result<(User, Option<String>), AppError> {
    let auth = keys::current().await?;
    let user = auth.user.clone().ok_or(AppError::Unauthorized)?;
    let handle = keys::handle(&auth.session).await?;
    Ok((user, handle))
}

/// Signs `user` in on this session, lists it among the user's devices and
/// records it in their activity as "Signed in: `how`", with the `proofs`
/// this sign-in gave. The sign-in starts clean: of the session it starts
/// in, only the note (the Flask demo's data) stays; a half-done second
/// step, an enrolment's secret, codes waiting to be shown and passkey
/// ceremonies of whoever used this browser before are gone.
pub async fn sign_in(
    auth: &mut AuthSession,
    user: &User,
    remember: bool,
    db: &Db,
    policy: &SessionPolicy,
    how: &str,
    proofs: &[ProofKind],
) -> Result<(), AppError> {
    // A sign-in over an earlier one in the same browser replaces its row.
    if let Some(old) = keys::handle(&auth.session).await? {
        devices::forget(db, &old).await?;
    }
    let note = keys::note(&auth.session).await?;
    auth.session.clear().await;
    // New id at login: whatever id the browser had before (perhaps one an
    // attacker planted) is worthless from now on. Session fixation.
    auth.session.cycle_id().await?;
    auth.login(user).await.map_err(keys::auth_error)?;
    if let Some(note) = note {
        keys::set_note(&auth.session, note).await?;
    }
    let started_at = now();
    let handle = devices::new_handle();
    let expires_at = started_at + expiry::deadline(policy, remember).as_secs() as i64;
    devices::insert(
        db,
        &handle,
        user.id,
        started_at,
        expires_at,
        &origin::current(),
    )
    .await?;
    keys::mark_signed_in(&auth.session, remember, started_at, handle).await?;
    for kind in proofs {
        keys::add_proof(&auth.session, *kind).await?;
    }
    activity::record(db, user.id, Kind::SignedIn, how, &origin::current()).await
}

/// Keeps this session signed in as `user` after their session token
/// changed (a new password), under a new id.
pub async fn keep_signed_in(auth: &mut AuthSession, user: &User) -> Result<(), AppError> {
    auth.session.cycle_id().await?;
    auth.login(user).await.map_err(keys::auth_error)?;
    Ok(())
}

/// `Log out`: ends the sign-in and keeps the rest, like Flask's
/// `session.pop('username')`. The old id is deleted on the server, so a
/// replayed cookie is anonymous; the note moves to a new id.
pub async fn sign_out(auth: &mut AuthSession, db: &Db) -> Result<(), AppError> {
    let note = keys::note(&auth.session).await?;
    if let Some(handle) = keys::handle(&auth.session).await? {
        devices::forget(db, &handle).await?;
    }
    auth.logout().await.map_err(keys::auth_error)?;
    if let Some(note) = note {
        // flush() keeps the record's id and a later save would reuse it:
        // the note moves to a brand-new id.
        auth.session.cycle_id().await?;
        keys::set_note(&auth.session, note).await?;
    }
    Ok(())
}

/// `Log out everywhere`: clears the whole session (Flask's `session.clear()`)
/// and deletes it on the server.
pub async fn clear(auth: &mut AuthSession) -> Result<(), AppError> {
    auth.logout().await.map_err(keys::auth_error)?;
    Ok(())
}
