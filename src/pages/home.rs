//! `/`: who is signed in.
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home" />
        <h1>"sesame"</h1>
        <p class="status">"You are not logged in!"</p>
    }
}
