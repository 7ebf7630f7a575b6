//! The `delete_account` server function.
use crate::error::AppError;
use leptos::prelude::*;

/// Deletes the signed-in user and every row of theirs, given their
/// password, or (`passkey` set) after a passkey has just proved it is them
/// (`Delete account with a passkey`, which makes that proof first); every
/// session of theirs is signed out, this one cleared. Then a form post
/// goes to `/`.
#[server(prefix = "/api", endpoint = "delete_account")]
pub async fn delete_account(password: String, passkey: Option<String>) -> Result<(), AppError> {
    use crate::{auth::session, state::app_state, users::db};
    let state = app_state()?;
    let (user, _) = session::signed_in().await?;
    if passkey.is_some() {
        let auth = session::current().await?;
        session::require_recent_proof(&auth.session, state.settings.reauth).await?;
    } else if !crate::auth::proof::check_password(&state, &user, &password).await? {
        // The password proves it is really them: counted and throttled
        // like a sign-in, so a stolen session cannot guess it.
        return Err(AppError::field("password", "That is not your password."));
    }
    // Its sessions, devices and events go with it (ON DELETE CASCADE);
    // every other session finds no user on its next request.
    db::delete(&state.db, user.id).await?;
    let mut auth = session::current().await?;
    session::clear(&mut auth).await?;
    tracing::info!(user.id = user.id, "deleted the account");
    leptos_axum::redirect("/");
    Ok(())
}
