//! `/profile/sessions`: every signed-in session of the user, with a way to
//! end each other one.
use crate::{
    account::devices::{sessions, RevokeOtherSessions, RevokeSession},
    auth::context::Auth,
    components::{proof_state, ConfirmPassword, ErrorMessage, SignedIn},
    devices::DeviceSession,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SessionsPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let revoke = ServerAction::<RevokeSession>::new();
    let revoke_others = ServerAction::<RevokeOtherSessions>::new();
    // Outside the Suspense (leptos #4866).
    let list = Resource::new(
        || (),
        move |_| async move {
            if auth.is_signed_in().await {
                sessions().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    // "Revoke all others" needs a recent sign-in proof (REAUTH_MINUTES).
    let stale = proof_state(auth);
    let revoke_all = move || {
        Suspend::new(async move {
            if let Some(proof) = stale.await.filter(|p| p.needed) {
                view! { <ConfirmPassword passkey=proof.passkey code=proof.code /> }.into_any()
            } else {
                view! {
                    <ActionForm action=revoke_others>
                        <button type="submit">"Revoke all others"</button>
                    </ActionForm>
                }
                .into_any()
            }
        })
    };
    view! {
        <Title text="Sessions & devices" />
        <SignedIn children=move |_user| {
            let rows = move || {
                Suspend::new(async move {
                    let sessions = list.await.ok().flatten().unwrap_or_default();
                    view! {
                        <table class="sessions">
                            <thead>
                                <tr>
                                    <th>"Browser"</th>
                                    <th>"IP address"</th>
                                    <th>"Signed in"</th>
                                    <th>"Last seen"</th>
                                    <th>"Expires"</th>
                                    <th></th>
                                </tr>
                            </thead>
                            <tbody>
                                // Keyed: the islands router patches rows by
                                // key after a revoke.
                                <For each=move || sessions.clone() key=|s| s.handle.clone() let(s)>
                                    <Row session=s revoke />
                                </For>
                            </tbody>
                        </table>
                    }
                })
            };
            view! {
                <h1>"Sessions & devices"</h1>
                <p class="muted">
                    "Every browser signed in to your account. Last seen is updated every few minutes."
                </p>
                <Suspense>{rows}</Suspense>
                <ErrorMessage result=revoke.value().into() />
                <ErrorMessage result=revoke_others.value().into() />
                <Suspense>{revoke_all}</Suspense>
            }
        } />
    }
}

#[component]
fn Row(session: DeviceSession, revoke: ServerAction<RevokeSession>) -> impl IntoView {
    let action = if session.this_device {
        view! { <strong>"This device"</strong> }.into_any()
    } else {
        view! {
            <ActionForm action=revoke>
                <input type="hidden" name="handle" value=session.handle />
                <button type="submit" class="small">"Revoke"</button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <tr data-testid=if session.this_device { "this-device" } else { "other-device" }>
            <td>{session.browser}</td>
            <td>{session.ip}</td>
            <td>{session.created_at}</td>
            <td>{session.last_seen}</td>
            <td>{session.expires_at}</td>
            <td>{action}</td>
        </tr>
    }
}
