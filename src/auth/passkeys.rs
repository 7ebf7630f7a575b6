//! Server functions for passkeys. Each ceremony is a start, which answers
//! the options for `navigator.credentials.create()` or `.get()` as JSON
//! (webauthn-rs' own encoding, which browsers read with
//! `PublicKeyCredential.parseCreationOptionsFromJSON` /
//! `parseRequestOptionsFromJSON`), and a finish, which takes the
//! browser's `credential.toJSON()` in the form field `credential`.
use crate::{
    error::AppError,
    passkeys::{PasskeyList, SignedInWithPasskey},
};
use leptos::prelude::*;

/// What `/profile/passkeys` shows.
#[server(prefix = "/api", endpoint = "passkeys")]
pub async fn passkeys() -> Result<PasskeyList, AppError> {
    use crate::{
        clock::format_time, passkeys::db, passkeys::PasskeyRow, sign_in::proof::SignedIn,
        state::app_state,
    };
    let state = app_state()?;
    let signed_in = SignedIn::current().await?;
    let proof = signed_in.proof_state(&state).await?;
    let passkeys = db::list(&state.db, signed_in.user.id)
        .await?
        .into_iter()
        .map(|p| PasskeyRow {
            id: p.id,
            name: p.name,
            added: format_time(p.created_at),
            last_used: p.last_used_at.map(format_time),
        })
        .collect();
    Ok(PasskeyList {
        passkeys,
        needs_proof: proof.needed,
        code_proof: proof.code,
    })
}

/// Starts adding a passkey named `name` (blank: the device's name) to the
/// signed-in account. Needs a recent sign-in proof.
#[server(prefix = "/api", endpoint = "passkey_register_start")]
pub async fn passkey_register_start(name: String) -> Result<String, AppError> {
    use crate::{
        passkeys::{ceremony, db},
        sign_in::proof::{Need, SignedIn},
        state::app_state,
    };
    use webauthn_rs::prelude::Uuid;
    let state = app_state()?;
    let signed_in = SignedIn::current().await?;
    // On an account with two-factor on, a new passkey is a credential that
    // signs in without a code: it needs two factors proved.
    signed_in.require(&state, Need::Recent).await?;
    let (user, auth) = (&signed_in.user, &signed_in.auth);
    let name = passkey_name(&name)?;
    let existing = db::list(&state.db, user.id).await?;
    // One user handle for all of a user's passkeys, as the standard asks;
    // a random one, so the authenticator never holds the database id.
    let handle = match existing.first() {
        Some(first) => Uuid::parse_str(&first.user_handle).map_err(|_| AppError::Internal)?,
        None => Uuid::new_v4(),
    };
    let exclude = existing
        .iter()
        .map(|p| p.key().map(|k| k.cred_id().clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let (options, registration) = state
        .webauthn
        .start_passkey_registration(handle, &user.username, &user.username, Some(exclude))
        .map_err(|err| {
            tracing::error!("could not start a passkey registration: {err}");
            AppError::Internal
        })?;
    // Signing in without a username needs the key stored on the
    // authenticator (a discoverable credential); webauthn-rs leaves that
    // to the authenticator by default.
    let mut options = serde_json::to_value(&options).map_err(|_| AppError::Internal)?;
    options["publicKey"]["authenticatorSelection"]["residentKey"] = "required".into();
    options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = true.into();
    // Whose ceremony it is goes with it, as well as a sign-in clearing it.
    ceremony::begin(
        &auth.session,
        ceremony::Kind::Register,
        (registration, handle.to_string(), user.id),
        Some(name),
    )
    .await?;
    serde_json::to_string(&options).map_err(|_| AppError::Internal)
}

/// Finishes adding a passkey with the browser's answer; answers its name.
#[server(prefix = "/api", endpoint = "passkey_register_finish")]
pub async fn passkey_register_finish(credential: String) -> Result<String, AppError> {
    use crate::{
        passkeys::{ceremony, db},
        sign_in::proof::{Need, SignedIn},
        state::app_state,
    };
    use webauthn_rs::prelude::{PasskeyRegistration, RegisterPublicKeyCredential};
    let state = app_state()?;
    let signed_in = SignedIn::current().await?;
    signed_in.require(&state, Need::Recent).await?;
    let (user, auth) = (&signed_in.user, &signed_in.auth);
    let ((registration, handle, for_user), name) =
        ceremony::finish::<(PasskeyRegistration, String, i64)>(
            &auth.session,
            &state.db,
            ceremony::Kind::Register,
            state.settings.ceremony,
        )
        .await?;
    if for_user != user.id {
        return Err(AppError::PasskeyNotStarted);
    }
    let answer: RegisterPublicKeyCredential =
        serde_json::from_str(&credential).map_err(|_| AppError::PasskeyRejected)?;
    let passkey = state
        .webauthn
        .finish_passkey_registration(&answer, &registration)
        .map_err(|err| {
            tracing::info!(user.id = user.id, "a passkey registration failed: {err}");
            AppError::PasskeyRejected
        })?;
    let name = name.unwrap_or_else(|| "Passkey".to_owned());
    if !db::insert(
        &state.db,
        user.id,
        &handle,
        &name,
        &passkey,
        &crate::client::origin::current(),
    )
    .await?
    {
        return Err(AppError::PasskeyRejected);
    }
    tracing::info!(user.id = user.id, "added a passkey");
    Ok(name)
}

/// Starts a sign-in with a passkey, no username needed. `modal` set: the
/// browser asks at once (the `Sign in with a passkey` button); unset: it
/// offers the passkeys in the username field's autofill (conditional UI).
#[server(prefix = "/api", endpoint = "passkey_login_start")]
pub async fn passkey_login_start(modal: Option<String>) -> Result<String, AppError> {
    use crate::{
        passkeys::ceremony,
        session::keys::{self as session},
        state::app_state,
    };
    let state = app_state()?;
    let (mut options, discoverable) =
        state
            .webauthn
            .start_discoverable_authentication()
            .map_err(|err| {
                tracing::error!("could not start a passkey sign-in: {err}");
                AppError::Internal
            })?;
    if modal.is_some() {
        options.mediation = None;
        let auth = session::current().await?;
        ceremony::begin(&auth.session, ceremony::Kind::SignIn, discoverable, None).await?;
    } else {
        // Not in a session (see `ceremony`), so it takes from the
        // allowance a new session would.
        state
            .client_limits
            .new_session(crate::client::current())
            .await?;
        let challenge = serde_json::to_value(&options.public_key.challenge)
            .ok()
            .and_then(|c| c.as_str().map(str::to_owned))
            .ok_or(AppError::Internal)?;
        ceremony::park(&state.db, &challenge, &discoverable).await?;
    }
    serde_json::to_string(&options).map_err(|_| AppError::Internal)
}

/// Finishes a sign-in with a passkey: the browser's answer, "remember me"
/// and where to go next. Failed answers count toward the same throttle as
/// wrong passwords. A session signed in this way is like any other.
#[server(prefix = "/api", endpoint = "passkey_login_finish")]
pub async fn passkey_login_finish(
    credential: String,
    remember: Option<String>,
    next: Option<String>,
) -> Result<SignedInWithPasskey, AppError> {
    use crate::metrics::{record, Login};
    let result = sign_in_with_passkey(credential, remember, next).await;
    record(|m| {
        m.login(match &result {
            Ok(_) => Login::Success,
            Err(AppError::PasskeyRejected | AppError::PasskeyUnknown) => Login::Failure,
            Err(AppError::TooManyAttempts | AppError::RateLimited(_)) => Login::Throttled,
            Err(_) => return,
        })
    });
    result
}

#[cfg(feature = "ssr")]
async fn sign_in_with_passkey(
    credential: String,
    remember: Option<String>,
    next: Option<String>,
) -> Result<SignedInWithPasskey, AppError> {
    use crate::{
        activity::db::{failed_attempt, throttled},
        credentials::throttle::{self, Judged},
        passkeys::{ceremony, db},
        session::keys::{self as session},
        sign_in::redirect::safe_next,
        state::app_state,
        users,
    };
    use webauthn_rs::prelude::{DiscoverableAuthentication, DiscoverableKey, PublicKeyCredential};
    let state = app_state()?;
    let mut auth = session::current().await?;
    state
        .client_limits
        .password_attempt(crate::client::current())
        .await?;
    // The autofill's ceremony is found by the challenge the answer signed;
    // any other waits in this session (the button's).
    let answer: Result<PublicKeyCredential, _> = serde_json::from_str(&credential);
    let parked = match answer.as_ref().ok().and_then(signed_challenge) {
        Some(challenge) => ceremony::unpark(&state.db, &challenge, state.settings.ceremony).await?,
        None => None,
    };
    let discoverable: DiscoverableAuthentication = match parked {
        Some(state) => state,
        None => {
            ceremony::finish(
                &auth.session,
                &state.db,
                ceremony::Kind::SignIn,
                state.settings.ceremony,
            )
            .await?
            .0
        }
    };
    let answer = answer.map_err(|_| AppError::PasskeyRejected)?;
    let (handle, credential_id) = state
        .webauthn
        .identify_discoverable_authentication(&answer)
        .map_err(|_| AppError::PasskeyRejected)?;
    let stored = db::find(&state.db, credential_id)
        .await?
        .ok_or(AppError::PasskeyUnknown)?;
    if stored.user_handle != handle.to_string() {
        return Err(AppError::PasskeyRejected);
    }
    let user = users::db::find_by_id(&state.db, stored.user_id)
        .await?
        .ok_or(AppError::PasskeyUnknown)?;
    let origin = crate::client::origin::current();
    // Counted apart from the password's failures: a stranger's wrong
    // passwords do not stop the owner's passkey.
    let key = throttle::passkey_key(user.id);
    let mut passkey = stored.key()?;
    let check = async {
        match state.webauthn.finish_discoverable_authentication(
            &answer,
            discoverable,
            &[DiscoverableKey::from(&passkey)],
        ) {
            Ok(result) => Ok(Ok(result)),
            Err(err) => {
                tracing::info!(user.id = user.id, "a passkey sign-in failed: {err}");
                Ok(Err(()))
            }
        }
    };
    let (result, attempt) = match state.throttle.judge(&state.db, &key, check).await {
        Ok(Judged::Right(result, attempt)) => (result, attempt),
        Ok(Judged::Wrong(())) => {
            let why = "passkey not accepted";
            failed_attempt(&state.db, user.id, why, &origin).await?;
            return Err(AppError::PasskeyRejected);
        }
        Err(AppError::TooManyAttempts) => {
            throttled(&state.db, user.id, &origin, state.throttle.window()).await?;
            return Err(AppError::TooManyAttempts);
        }
        Err(err) => return Err(err),
    };
    passkey.update_credential(&result);
    // Two answers at once from one cloned key both verify against the
    // same stored counter: only the first to write it back signs in.
    if !db::used(&state.db, &stored, &passkey).await? {
        state.throttle.release(&state.db, attempt).await;
        return Err(AppError::PasskeyRejected);
    }
    state.throttle.succeeded(&state.db, attempt).await?;
    // A passkey is already two factors (the device, and the PIN or
    // biometric its user verification asked for): no authentication code
    // follows, even with two-factor on.
    let how = format!("with a passkey ({})", stored.name);
    crate::sign_in::flow::sign_in(
        &mut auth,
        &user,
        remember.is_some(),
        &state.db,
        &state.session_policy,
        &how,
        &[session::ProofKind::Passkey],
    )
    .await?;
    tracing::info!(user.id = user.id, "signed in with a passkey");
    Ok(SignedInWithPasskey {
        to: safe_next(next.as_deref()),
    })
}

/// Starts proving again who is signed in, with one of their passkeys.
#[server(prefix = "/api", endpoint = "passkey_reauth_start")]
pub async fn passkey_reauth_start() -> Result<String, AppError> {
    use crate::{
        passkeys::{ceremony, db},
        sign_in::proof::SignedIn,
        state::app_state,
    };
    let state = app_state()?;
    let signed_in = SignedIn::current().await?;
    let auth = &signed_in.auth;
    let keys = db::list(&state.db, signed_in.user.id)
        .await?
        .iter()
        .map(db::Stored::key)
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(AppError::PasskeyUnknown);
    }
    let (options, authentication) =
        state
            .webauthn
            .start_passkey_authentication(&keys)
            .map_err(|err| {
                tracing::error!("could not start a passkey proof: {err}");
                AppError::Internal
            })?;
    ceremony::begin(&auth.session, ceremony::Kind::Reauth, authentication, None).await?;
    serde_json::to_string(&options).map_err(|_| AppError::Internal)
}

/// Finishes proving who is signed in with a passkey: a sign-in proof, like
/// `Confirm password`, counted and throttled like one.
#[server(prefix = "/api", endpoint = "passkey_reauth_finish")]
pub async fn passkey_reauth_finish(credential: String) -> Result<(), AppError> {
    use crate::{
        credentials::throttle::{self, Judged},
        passkeys::{ceremony, db},
        session::keys::{self as session, ProofKind},
        sign_in::proof::SignedIn,
        state::app_state,
    };
    use webauthn_rs::prelude::{PasskeyAuthentication, PublicKeyCredential};
    let state = app_state()?;
    let signed_in = SignedIn::current().await?;
    let user = &signed_in.user;
    let (authentication, _) = ceremony::finish::<PasskeyAuthentication>(
        signed_in.session(),
        &state.db,
        ceremony::Kind::Reauth,
        state.settings.ceremony,
    )
    .await?;
    let answer: PublicKeyCredential =
        serde_json::from_str(&credential).map_err(|_| AppError::PasskeyRejected)?;
    let stored = db::find(&state.db, answer.get_credential_id())
        .await?
        .filter(|p| p.user_id == user.id)
        .ok_or(AppError::PasskeyRejected)?;
    // This session's own count, like a password typed again.
    let key = match &signed_in.handle {
        Some(handle) => throttle::session_key(handle),
        None => throttle::passkey_key(user.id),
    };
    let check = async {
        match state
            .webauthn
            .finish_passkey_authentication(&answer, &authentication)
        {
            Ok(result) => Ok(Ok(result)),
            Err(err) => {
                tracing::info!(user.id = user.id, "a passkey proof failed: {err}");
                Ok(Err(()))
            }
        }
    };
    let (result, attempt) = match state.throttle.judge(&state.db, &key, check).await? {
        Judged::Right(result, attempt) => (result, attempt),
        Judged::Wrong(()) => return Err(AppError::PasskeyRejected),
    };
    let mut passkey = stored.key()?;
    passkey.update_credential(&result);
    if !db::used(&state.db, &stored, &passkey).await? {
        state.throttle.release(&state.db, attempt).await;
        return Err(AppError::PasskeyRejected);
    }
    state.throttle.succeeded(&state.db, attempt).await?;
    session::add_proof(signed_in.session(), ProofKind::Passkey).await
}

/// Removes one of the signed-in user's passkeys. Needs a recent sign-in
/// proof. A form post goes back to `/profile/passkeys`.
#[server(prefix = "/api", endpoint = "remove_passkey")]
pub async fn remove_passkey(id: String) -> Result<(), AppError> {
    use crate::{
        passkeys::db,
        sign_in::proof::{Need, SignedIn},
        state::app_state,
    };
    let state = app_state()?;
    let mut signed_in = SignedIn::current().await?;
    signed_in.require(&state, Need::Recent).await?;
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    // Every account has a password (registration asks for one), so no
    // removal can leave an account without a way to sign in.
    let user_id = signed_in.user.id;
    if !db::remove(&state.db, user_id, id, &crate::client::origin::current()).await? {
        return Err(AppError::NotFound);
    }
    // Sessions it started (and any other) end: a lost key's sessions must
    // not outlive its removal.
    signed_in
        .end_other_sessions(&state, crate::metrics::Revoked::PasskeyRemoved)
        .await?;
    tracing::info!(user.id = user_id, "removed a passkey");
    leptos_axum::redirect("/profile/passkeys");
    Ok(())
}

/// The challenge a sign-in answer signed, as its `clientDataJSON` says.
#[cfg(feature = "ssr")]
fn signed_challenge(answer: &webauthn_rs::prelude::PublicKeyCredential) -> Option<String> {
    let client_data: serde_json::Value =
        serde_json::from_slice(answer.response.client_data_json.as_ref()).ok()?;
    client_data["challenge"].as_str().map(str::to_owned)
}

/// A passkey's name as given, trimmed; blank: the device's own name.
#[cfg(feature = "ssr")]
fn passkey_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    use crate::{error::Problem, passkeys::NAME_MAX};
    if name.chars().count() > NAME_MAX {
        return Err(AppError::field("name", Problem::PasskeyNameTooLong));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::field("name", Problem::PasskeyNameControl));
    }
    if name.is_empty() {
        let origin = crate::client::origin::current();
        return Ok(crate::activity::db::device_and_ip(&origin).0);
    }
    Ok(name.to_owned())
}
