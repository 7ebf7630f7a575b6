//! The `delete_account` server function.
use crate::error::AppError;
use leptos::prelude::*;

/// Deletes the signed-in user and every row of theirs, given their
/// password (and on an account with two-factor on, a `code` with it), or
/// (`passkey` set) after a passkey has proved it is them in
/// this session within `REAUTH_MINUTES` (`Delete account with a passkey`,
/// which makes that proof first; any other proof will not do, and an
/// account without a passkey cannot take this way); every session of
/// theirs is signed out, this one cleared. Then a form post goes to `/`.
#[server(prefix = "/api", endpoint = "delete_account")]
pub async fn delete_account(
    password: String,
    passkey: Option<String>,
    code: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        sign_in::proof::{Need, SignedIn},
        state::app_state,
        users::db,
    };
    let state = app_state()?;
    let mut signed_in = SignedIn::current().await?;
    let user_id = signed_in.user.id;
    if passkey.is_some() {
        let has_passkey = !crate::passkeys::db::list(&state.db, user_id)
            .await?
            .is_empty();
        if !has_passkey {
            return Err(AppError::ReauthRequired);
        }
        signed_in.require(&state, Need::Passkey).await?;
    } else {
        // The password (with a code when two-factor is on) proves it is
        // really them: one attempt, counted and throttled like a sign-in,
        // so a stolen session cannot guess either.
        let enrolled = crate::two_factor::db::enrolled(&state.db, user_id).await?;
        let code = code.unwrap_or_default();
        if enrolled.is_some() && code.trim().is_empty() {
            return Err(AppError::field("code", crate::error::Problem::CodeMissing));
        }
        let code = enrolled.as_ref().map(|enrolled| (enrolled, code.as_str()));
        if let Some(wrong) = signed_in.check_secrets(&state, &password, code).await? {
            return Err(wrong.error("password"));
        }
    }
    // Its sessions, devices and events go with it (ON DELETE CASCADE);
    // every other session finds no user on its next request.
    db::delete(&state.db, user_id).await?;
    crate::sign_in::flow::clear(&mut signed_in.auth).await?;
    tracing::info!(user.id = user_id, "deleted the account");
    leptos_axum::redirect("/");
    Ok(())
}
