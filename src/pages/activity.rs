//! `/profile/activity`: the account's security events, newest first, 20 a
//! page (signed-in only).
use crate::{
    account::activity::activity,
    auth::context::Auth,
    components::{page_query, PageError, Pager, SignedIn},
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    // Outside the Suspense (leptos #4866); only for a signed-in user.
    let result = Resource::new(page_query(), move |page| async move {
        if !auth.is_signed_in().await {
            return Err(AppError::Unauthorized);
        }
        activity(page?).await
    });
    let table = move || {
        Suspend::new(async move {
            match result.await {
                Ok(page) => {
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
                        <Pager path="/profile/activity" page=page.page has_next=page.has_next />
                    }
                    .into_any()
                }
                Err(err) => view! { <PageError err /> }.into_any(),
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
