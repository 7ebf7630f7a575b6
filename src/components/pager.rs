//! Lists shown 20 a page (`/users`, `/profile/activity`): the `?page=`
//! the URL asks for, the `Previous` / `Next` links, and a bad page number.
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The URL's `page`, as the list's server function takes it: none given,
/// a number, or the message for one that is not a number.
pub fn page_query() -> impl Fn() -> Result<Option<u32>, AppError> + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || match query.read().get("page") {
        None => Ok(None),
        Some(p) => p
            .parse::<u32>()
            .map(Some)
            .map_err(|_| AppError::field("page", crate::error::Problem::PageNotNumber)),
    }
}

/// `Previous`, `Page N`, `Next` under a list at `path`.
#[component]
pub fn Pager(path: &'static str, page: u32, has_next: bool) -> impl IntoView {
    let prev = (page > 1).then(|| format!("{path}?page={}", page - 1));
    let next = has_next.then(|| format!("{path}?page={}", page + 1));
    view! {
        <nav class="pager" aria-label="Pages">
            {prev.map(|href| view! { <a href=href rel="prev">"Previous"</a> })}
            <span>{format!("Page {page}")}</span>
            {next.map(|href| view! { <a href=href rel="next">"Next"</a> })}
        </nav>
    }
}

/// What a list page shows instead of its list: a bad page number's message
/// (or any other error's), with the error's 4xx.
#[component]
pub fn PageError(err: AppError) -> impl IntoView {
    crate::error::set_page_status(&err);
    let message = err
        .field_problem("page")
        .map_or_else(|| err.to_string(), |p| p.to_string());
    view! { <p class="error" role="alert">{message}</p> }
}
