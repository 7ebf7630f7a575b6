//! `/users`: every user, 20 a page (the SQL demo, signed-in only).
use crate::{
    auth::context::Auth,
    auth::users::users,
    components::{page_query, PageError, Pager, SignedIn},
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    // Fetched only for a signed-in user; a visitor is redirected instead.
    let result = Resource::new(page_query(), move |page| async move {
        if !auth.is_signed_in().await {
            return Err(AppError::Unauthorized);
        }
        users(page?).await
    });
    let table = move || {
        Suspend::new(async move {
            match result.await {
                Ok(page) => {
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
                        <Pager path="/users" page=page.page has_next=page.has_next />
                    }
                    .into_any()
                }
                // A bad page number: the page says so, with its 4xx.
                Err(err) => view! { <PageError err /> }.into_any(),
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
