//! `/set_cookie/<username>`: sets the cookie from the URL (the Flask route).
use crate::{components::SeeWhatChanged, cookies::api::set_cookie};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn SetCookiePage() -> impl IntoView {
    let params = use_params_map();
    // Runs in the server render (its Set-Cookie goes out with the page) or,
    // after client-side navigation, as a call to /api/set_cookie.
    let result = Resource::new(
        move || params.read().get("username").unwrap_or_default(),
        set_cookie,
    );
    view! {
        <Title text="Set cookie" />
        <Suspense>
            {move || Suspend::new(async move {
                match result.await {
                    Ok(name) => view! { <p class="result">{format!("Cookie set for {name}")}</p> }.into_any(),
                    Err(err) => {
                        // A name the rule refuses: the page says so, with its 4xx.
                        crate::error::set_page_status(&err);
                        view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
        <SeeWhatChanged />
    }
}
