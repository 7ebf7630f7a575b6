//! `/profile`: the signed-in user and this session (`@login_required`).
use crate::{
    app::Auth,
    auth::{api::session_info, Account},
    components::SignedIn,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
        <Title text="Profile" />
        <SignedIn children=|user| view! { <Profile user /> } />
    }
}

#[component]
fn Profile(user: Account) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let info = Resource::new(|| (), |_| session_info());
    let times = move || {
        Suspend::new(async move {
            info.await.ok().map(|info| {
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
                    </dl>
                    <p class="muted">{kind}</p>
                }
            })
        })
    };
    view! {
        <h1>{format!("Welcome, {}", user.username)}</h1>
        <p>"Email: " <span data-testid="email">{user.email}</span></p>
        <Suspense>{times}</Suspense>
        <div class="row">
            <ActionForm action=auth.logout>
                <button type="submit">"Log out"</button>
            </ActionForm>
            <ActionForm action=auth.logout_all>
                <button type="submit">"Log out everywhere"</button>
            </ActionForm>
        </div>
    }
}
