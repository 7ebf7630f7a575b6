//! `/profile`: the signed-in user and this session (`@login_required`).
use crate::{
    account::activity::{notices, DismissNotice},
    account::delete::DeleteAccount,
    auth::api::session_info,
    auth::context::Auth,
    auth::passkeys::passkeys,
    components::{
        proof_state, DeleteWithPasskey, ErrorMessage, Field, PasswordField, SeeWhatChanged,
        SignedIn,
    },
    islands::SessionCountdown,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let delete = ServerAction::<DeleteAccount>::new();
    let dismiss = ServerAction::<DismissNotice>::new();
    // Outside the Suspense (leptos #4866); only for a signed-in user.
    let notices = Resource::new(
        || (),
        move |_| async move {
            if auth.is_signed_in().await {
                notices().await.unwrap_or_default()
            } else {
                Vec::new()
            }
        },
    );
    // With a passkey, the account can be deleted with it instead of the password.
    let has_passkey = Resource::new(
        || (),
        move |_| async move {
            auth.is_signed_in().await
                && passkeys().await.is_ok_and(|list| !list.passkeys.is_empty())
        },
    );
    // With two-factor on, the password needs a code with it.
    let proof = proof_state(auth);
    let deleted: Signal<_> = delete.value().into();
    let delete_code = move || {
        Suspend::new(async move {
            proof.await.filter(|p| p.code).map(|_| {
                view! {
                    <Field id="delete-code" label="Authentication code" name="code" kind="text" autocomplete="one-time-code" result=deleted />
                }
            })
        })
    };
    let delete_with_passkey = move || {
        Suspend::new(async move { has_passkey.await.then(|| view! { <DeleteWithPasskey /> }) })
    };
    let notice_list = move || {
        Suspend::new(async move {
            let list = notices.await;
            view! {
                <For each=move || list.clone() key=|n| n.id let(n)>
                    <div class="notice" role="status">
                        <p>
                            <strong>{n.text}</strong>
                            <span class="muted">{format!(" ({})", n.detail)}</span>
                        </p>
                        <ActionForm action=dismiss>
                            <input type="hidden" name="id" value=n.id />
                            <button type="submit" class="small secondary">"Dismiss"</button>
                        </ActionForm>
                    </div>
                </For>
            }
        })
    };
    // Created here, not inside the view that awaits the user: a resource
    // created inside a Suspense can stall the server render (leptos #4866).
    // Fetched only for a signed-in user; a visitor is redirected instead.
    let info = Resource::new(
        || (),
        move |_| async move {
            if auth.is_signed_in().await {
                session_info().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    view! {
        <Title text="Profile" />
        <SignedIn children=move |user| {
            let times = move || {
                Suspend::new(async move {
                    info.await.ok().flatten().map(|info| {
                        let kind = if info.remember {
                            "Remembered on this device; renewed while you use it."
                        } else {
                            "Ends when you close the browser, or after a while without activity."
                        };
                        view! {
                            <dl class="facts">
                                <dt>"Session started"</dt>
                                <dd data-testid="session-started">{info.started_at}</dd>
                                <dt>"Session expires"</dt>
                                <dd data-testid="session-expires">{info.expires_at}</dd>
                                <dt>"Time left"</dt>
                                <dd><SessionCountdown seconds_left=info.seconds_left /></dd>
                            </dl>
                            <p class="muted">{kind}</p>
                        }
                    })
                })
            };
            view! {
                <h1>{format!("Welcome, {}", user.username)}</h1>
                <Suspense>{notice_list}</Suspense>
                <p>"Email: " <span data-testid="email">{user.email}</span></p>
                <Suspense>{times}</Suspense>
                <p>
                    <a href="/profile/sessions">"Sessions & devices"</a>
                    " · "
                    <a href="/profile/password">"Change password"</a>
                    " · "
                    <a href="/profile/activity">"Security activity"</a>
                    " · "
                    <a href="/profile/2fa">"Two-factor authentication"</a>
                    " · "
                    <a href="/profile/passkeys">"Passkeys"</a>
                </p>
                <div class="row">
                    <ActionForm action=auth.logout>
                        <button type="submit">"Log out"</button>
                    </ActionForm>
                    <ActionForm action=auth.logout_all>
                        <button type="submit">"Log out everywhere"</button>
                    </ActionForm>
                </div>
                <SeeWhatChanged />
                <section class="leave" aria-labelledby="leave-heading">
                    <h2 id="leave-heading">"Your data"</h2>
                    <p>
                        // `download`: a file, not a page for the islands router.
                        <a href="/profile/export" download="sesame-export.json">
                            "Download your data"
                        </a>
                        " (JSON: your account, sessions and security activity; no password hash)"
                    </p>
                    <p class="muted">
                        "Deleting your account removes it and everything sesame stores about you, and signs you out everywhere. It cannot be undone."
                    </p>
                    <ActionForm action=delete attr:class="stack" attr:novalidate=true>
                        <PasswordField id="delete-password" label="Password" name="password" autocomplete="current-password" result=deleted />
                        <Suspense>{delete_code}</Suspense>
                        <ErrorMessage result=deleted />
                        <button type="submit" class="danger">"Delete account"</button>
                    </ActionForm>
                    <Suspense>{delete_with_passkey}</Suspense>
                </section>
            }
        } />
    }
}
