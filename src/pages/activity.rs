//! `/profile/activity`: the account's security events, newest first, 20 a
//! page (signed-in only).
use crate::{activity::api::activity, auth::context::Auth, components::SignedIn, error::AppError};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let query = use_query_map();
    // None: no `page`; Some(None): a `page` that is not a number.
    let page = move || query.read().get("page").map(|p| p.parse::<u32>().ok());
    let auth = expect_context::<Auth>();
    // Outside the Suspense (leptos #4866); only for a signed-in user.
    let result = Resource::new(page, move |page| async move {
        if !auth.is_signed_in().await {
            return Err(AppError::Unauthorized);
        }
        match page {
            Some(None) => Err(AppError::field("page", "The page must be a number.")),
            Some(Some(n)) => activity(Some(n)).await,
            None => activity(None).await,
        }
    });
    let table = move || {
        Suspend::new(async move {
            match result.await {
                Ok(page) => {
                    let prev = (page.page > 1)
                        .then(|| format!("/profile/activity?page={}", page.page - 1));
                    let next = page
                        .has_next
                        .then(|| format!("/profile/activity?page={}", page.page + 1));
                    let empty = page.events.is_empty().then(|| {
                        view! { <p class="muted">"Nothing yet."</p> }
                    });
                    view! {
                        <table class="activity">
                            <thead>
                                <tr>
                                    <th>"When"</th>
                                    <th>"What"</th>
                                    <th>"Device"</th>
                                    <th>"IP address"</th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=move || page.events.clone() key=|e| e.id let(e)>
                                    <tr data-kind=e.kind>
                                        <td>{e.at}</td>
                                        <td>{e.what}</td>
                                        <td>{e.device}</td>
                                        <td>{e.ip}</td>
                                    </tr>
                                </For>
                            </tbody>
                        </table>
                        {empty}
                        <nav class="pager" aria-label="Pages">
                            {prev.map(|href| view! { <a href=href rel="prev">"Previous"</a> })}
                            <span>{format!("Page {}", page.page)}</span>
                            {next.map(|href| view! { <a href=href rel="next">"Next"</a> })}
                        </nav>
                    }
                    .into_any()
                }
                Err(err) => {
                    crate::error::set_page_status(&err);
                    let message = err
                        .field_message("page")
                        .map_or_else(|| err.to_string(), str::to_owned);
                    view! { <p class="error" role="alert">{message}</p> }.into_any()
                }
            }
        })
    };
    view! {
        <Title text="Security activity" />
        <SignedIn children=move |_| {
            view! {
                <h1>"Security activity"</h1>
                <p class="muted">
                    "What happened to your account in the last 90 days, newest first."
                </p>
                <Transition>{table}</Transition>
            }
        } />
    }
}
