//! `/`: who is signed in.
use crate::{auth::context::Auth, components::SeeWhatChanged};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let status = move || {
        Suspend::new(async move {
            match auth.user.await {
                Ok(Some(user)) => format!("Logged in as {}", user.username),
                _ => "You are not logged in!".to_owned(),
            }
        })
    };
    view! {
        <Title text="Home" />
        <h1>"sesame"</h1>
        <Transition>
            <p class="status" data-testid="status">
                {status}
            </p>
        </Transition>
        <SeeWhatChanged />
    }
}
