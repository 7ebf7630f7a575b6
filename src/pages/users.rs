//! `/users`: every user, 20 a page (the SQL demo, signed-in only).
use crate::{auth::context::Auth, components::SignedIn, error::AppError, users::api::users};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    // None: no `page`; Some(None): a `page` that is not a number.
    let page = move || query.read().get("page").map(|p| p.parse::<u32>().ok());
    let auth = expect_context::<Auth>();
    // Fetched only for a signed-in user; a visitor is redirected instead.
    let result = Resource::new(page, move |page| async move {
        if !auth.is_signed_in().await {
            return Err(AppError::Unauthorized);
        }
        match page {
            Some(None) => Err(AppError::field("page", "The page must be a number.")),
            Some(Some(n)) => users(Some(n)).await,
            None => users(None).await,
        }
    });
    let table = move || {
        Suspend::new(async move {
            match result.await {
                Ok(page) => {
                    let prev = (page.page > 1).then(|| format!("/users?page={}", page.page - 1));
                    let next = page
                        .has_next
                        .then(|| format!("/users?page={}", page.page + 1));
                    view! {
                        <table>
                            <thead>
                                <tr><th>"ID"</th><th>"Username"</th><th>"Email"</th></tr>
                            </thead>
                            <tbody>
                                // Keyed: the islands router patches
                                // rows by key when the list changes.
                                <For each=move || page.users.clone() key=|u| u.id let(u)>
                                    <tr><td>{u.id}</td><td>{u.username}</td><td>{u.email}</td></tr>
                                </For>
                            </tbody>
                        </table>
                        <nav class="pager" aria-label="Pages">
                            {prev.map(|href| view! { <a href=href rel="prev">"Previous"</a> })}
                            <span>{format!("Page {}", page.page)}</span>
                            {next.map(|href| view! { <a href=href rel="next">"Next"</a> })}
                        </nav>
                    }
                    .into_any()
                }
                Err(err) => {
                    // A bad page number: the page says so, with its 4xx.
                    crate::error::set_page_status(&err);
                    let message = err
                        .field_message("page")
                        .map_or_else(|| err.to_string(), str::to_owned);
                    view! { <p class="error" role="alert">{message}</p> }.into_any()
                }
            }
        })
    };
    // The resource is created here, outside the view that awaits the user:
    // a resource created inside a Suspense can stall the server render
    // (leptos #4866).
    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        <SignedIn children=move |_| view! { <Transition>{table}</Transition> } />
    }
}
