//! The `delete_account` server function.
use crate::error::AppError;
use leptos::prelude::*;

/// Deletes the signed-in user and every row of theirs, given their
/// password, or (`passkey` set) after a passkey has proved it is them in
/// this session within `REAUTH_MINUTES` (`Delete account with a passkey`,
/// which makes that proof first; any other proof will not do, and an
/// account without a passkey cannot take this way); every session of
/// theirs is signed out, this one cleared. Then a form post goes to `/`.
#[server(prefix = "/api", endpoint = "delete_account")]
pub async fn delete_account(password: String, passkey: Option<String>) -> Result<(), AppError> {
    use crate::{
        auth::{
            proof::{Need, SignedIn},
            session,
        },
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
    } else if !signed_in.check_password(&state, &password).await? {
        // The password proves it is really them: counted and throttled
        // like a sign-in, so a stolen session cannot guess it.
        return Err(AppError::field("password", "That is not your password."));
    }
    // Its sessions, devices and events go with it (ON DELETE CASCADE);
    // every other session finds no user on its next request.
    db::delete(&state.db, user_id).await?;
    session::clear(&mut signed_in.auth).await?;
    tracing::info!(user.id = user_id, "deleted the account");
    leptos_axum::redirect("/");
    Ok(())
}
