//! `/profile/passkeys`: the user's passkeys (name, when added, when last
//! used), `Remove` on each, and `Add a passkey` (an island: only the
//! browser can talk to an authenticator). Adding and removing need a
//! sign-in proof from the last `REAUTH_MINUTES`.
use crate::{
    auth::context::Auth,
    auth::passkeys::{passkeys, RemovePasskey},
    components::{AddPasskey, ConfirmPassword, ErrorMessage, SignedIn},
    passkeys::PasskeyRow,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PasskeysPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let remove = ServerAction::<RemovePasskey>::new();
    // `Add a passkey` comes back here with `?added=<its name>`; said only
    // of a passkey the list has, so a link cannot make the page say more.
    let query = use_query_map();
    // Outside the Suspense (leptos #4866).
    let list = Resource::new(
        || (),
        move |_| async move {
            if auth.is_signed_in().await {
                passkeys().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    let body = move || {
        Suspend::new(async move {
            let list = match list.await {
                Ok(Some(list)) => list,
                Ok(None) => return ().into_any(),
                Err(err) => {
                    return view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any()
                }
            };
            let added = query
                .read_untracked()
                .get("added")
                .filter(|name| list.passkeys.iter().any(|p| &p.name == name))
                .map(|name| format!("Passkey added: {name}."));
            let rows = list.passkeys.clone();
            let table = if rows.is_empty() {
                view! { <p data-testid="no-passkeys">"You have no passkeys yet."</p> }.into_any()
            } else {
                view! {
                    <table class="passkeys">
                        <thead>
                            <tr>
                                <th>"Name"</th>
                                <th>"Added"</th>
                                <th>"Last used"</th>
                                <th><span class="visually-hidden">"Remove"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || rows.clone() key=|p| p.id let(p)>
                                <Row passkey=p remove needs_proof=list.needs_proof />
                            </For>
                        </tbody>
                    </table>
                }
                .into_any()
            };
            let change = if list.needs_proof {
                let (passkey, code) = (!list.passkeys.is_empty(), list.code_proof);
                view! { <ConfirmPassword passkey code /> }.into_any()
            } else {
                view! { <AddPasskey /> }.into_any()
            };
            view! {
                <p role="status">{added}</p>
                {table}
                <ErrorMessage result=remove.value().into() />
                {change}
            }
            .into_any()
        })
    };
    view! {
        <Title text="Passkeys" />
        <SignedIn children=move |_user| {
            view! {
                <h1>"Passkeys"</h1>
                <p class="muted">
                    "A passkey signs you in with your fingerprint, face or device PIN instead of a password. \
                     It stays on your device (or in its password manager); sesame keeps only its public key."
                </p>
                <Suspense>{body}</Suspense>
            }
        } />
    }
}

#[component]
fn Row(
    passkey: PasskeyRow,
    remove: ServerAction<RemovePasskey>,
    needs_proof: bool,
) -> impl IntoView {
    let last_used = passkey.last_used.unwrap_or_else(|| "Never".to_owned());
    view! {
        <tr data-testid="passkey">
            <td>{passkey.name}</td>
            <td>{passkey.added}</td>
            <td>{last_used}</td>
            <td>
                // Without a recent proof the removal would be refused; the
                // confirm form below comes first.
                <ActionForm action=remove>
                    <input type="hidden" name="id" value=passkey.id />
                    <button type="submit" class="small" disabled=needs_proof>"Remove"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
