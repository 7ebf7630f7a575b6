//! The passkey buttons. Only the browser can talk to an authenticator, and
//! `src/islands/passkeys.js` does, for every `button[data-passkey]`: the
//! server renders them hidden, with the message a browser without
//! JavaScript keeps seeing (`data-passkey-off`); the script swaps the two.
use leptos::prelude::*;

const NEEDS_JS: &str = "Passkeys need JavaScript, which is off in this browser.";

/// `Sign in with a passkey` (`/login`); the script also offers passkeys
/// in the username field's autofill. `next`: where to go after.
#[component]
pub fn PasskeySignIn(next: String) -> impl IntoView {
    view! {
        <div class="passkey-button">
            <button type="button" class="secondary" data-passkey="sign-in" data-next=next hidden>
                "Sign in with a passkey"
            </button>
            <p class="muted" data-passkey-off>{NEEDS_JS}</p>
        </div>
    }
}

/// `Add a passkey`, with a name for it (`/profile/passkeys`).
#[component]
pub fn AddPasskey() -> impl IntoView {
    view! {
        <section class="stack" aria-labelledby="add-passkey-heading">
            <h2 id="add-passkey-heading">"Add a passkey"</h2>
            <p class="muted" data-passkey-off>{NEEDS_JS}</p>
            <div class="stack passkey-button" data-passkey-on hidden>
                <label for="passkey-name">"Passkey name (optional)"</label>
                <input id="passkey-name" type="text" maxlength="64" autocomplete="off" />
                <button type="button" data-passkey="add">"Add a passkey"</button>
            </div>
        </section>
    }
}

/// `Confirm with a passkey`: the other way through "Confirm your password".
#[component]
pub fn ConfirmWithPasskey() -> impl IntoView {
    view! {
        <div class="passkey-button">
            <button type="button" class="secondary" data-passkey="confirm" hidden>
                "Confirm with a passkey"
            </button>
        </div>
    }
}

/// `Delete account with a passkey` (`/profile`): the proof, then the deletion.
#[component]
pub fn DeleteWithPasskey() -> impl IntoView {
    view! {
        <div class="passkey-button">
            <button type="button" class="danger" data-passkey="delete" hidden>
                "Delete account with a passkey"
            </button>
        </div>
    }
}
