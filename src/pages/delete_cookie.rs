//! `/delete_cookie`: removes the cookie (the Flask route).
use crate::{components::SeeWhatChanged, cookies::api::delete_cookie};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DeleteCookiePage() -> impl IntoView {
    let result = Resource::new(|| (), |_| delete_cookie());
    view! {
        <Title text="Delete cookie" />
        <Suspense>
            {move || Suspend::new(async move {
                match result.await {
                    Ok(()) => view! { <p class="result">"Cookie has been deleted"</p> }.into_any(),
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <SeeWhatChanged />
    }
}
