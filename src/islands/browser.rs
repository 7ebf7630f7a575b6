//! [hydrate] The browser APIs the islands use, beyond what Leptos does.
use leptos::{ev, prelude::*, task::spawn_local};
use std::{cell::RefCell, rc::Rc};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    js_sys::{Object, Reflect},
    BroadcastChannel, HtmlDocument, MessageEvent, MutationObserver, MutationObserverInit,
    PopStateEvent, RequestInit, Response,
};

const CHANNEL: &str = "sesame-auth";

/// Calls `f` after every change to the document (the islands router
/// patching in the next page, above all) for as long as `f` returns true.
fn on_page_change(f: impl Fn() -> bool + 'static) {
    let Some(body) = document().body() else {
        return;
    };
    let callback = Closure::<dyn Fn(JsValue, MutationObserver)>::new(
        move |_records: JsValue, observer: MutationObserver| {
            if !f() {
                observer.disconnect();
            }
        },
    );
    let Ok(observer) = MutationObserver::new(callback.as_ref().unchecked_ref()) else {
        return;
    };
    // Lives as long as the observer, which the document keeps.
    callback.forget();
    let options = MutationObserverInit::new();
    options.set_child_list(true);
    options.set_subtree(true);
    options.set_character_data(true);
    options.set_attributes(true);
    let _ = observer.observe_with_options(&body, &options);
}

/// The user this page was rendered for: the navigation bar's `data-user`
/// (their id), or "" for a visitor.
fn page_user() -> String {
    document()
        .query_selector("nav [data-user]")
        .ok()
        .flatten()
        .and_then(|el| el.get_attribute("data-user"))
        .unwrap_or_default()
}

/// Fetches this page again and patches it in: the islands router does that
/// on `popstate`, for the current URL, replacing its history entry.
fn refresh() {
    if let Ok(event) = PopStateEvent::new("popstate") {
        let _ = window().dispatch_event(&event);
    }
}

/// See [`super::CrossTab`].
pub fn cross_tab() {
    let Ok(channel) = BroadcastChannel::new(CHANNEL) else {
        return;
    };
    // Another tab says who is signed in now. A tab that already shows
    // them stays as it is, so tabs do not echo each other for ever.
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| {
        if event
            .data()
            .as_string()
            .is_some_and(|user| user != page_user())
        {
            refresh();
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // Lives as long as the page.
    on_message.forget();
    let shown = RefCell::new(page_user());
    on_page_change(move || {
        let now = page_user();
        if *shown.borrow() != now {
            let _ = channel.post_message(&JsValue::from_str(&now));
            *shown.borrow_mut() = now;
        }
        true
    });
    let focus = window_event_listener(ev::focus, |_| {
        spawn_local(async {
            if server_user().await.is_some_and(|user| user != page_user()) {
                refresh();
            }
        })
    });
    // Lives as long as the page.
    std::mem::forget(focus);
}

/// Who the server says is signed in (`/api/current_user`), as
/// [`page_user`] writes it; None when it cannot be asked.
async fn server_user() -> Option<String> {
    let headers = Object::new();
    Reflect::set(&headers, &"Accept".into(), &"application/json".into()).ok()?;
    Reflect::set(
        &headers,
        &"Content-Type".into(),
        &"application/x-www-form-urlencoded".into(),
    )
    .ok()?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    let answer = JsFuture::from(window().fetch_with_str_and_init("/api/current_user", &init))
        .await
        .ok()?;
    let answer: Response = answer.dyn_into().ok()?;
    if !answer.ok() {
        return None;
    }
    let user = JsFuture::from(answer.json().ok()?).await.ok()?;
    if user.is_null() {
        return Some(String::new());
    }
    let id = Reflect::get(&user, &"id".into()).ok()?.as_f64()?;
    Some(format!("{id}"))
}

/// Keeps `seen` equal to `document.cookie` while the island is on the page.
pub fn watch_cookies(seen: RwSignal<Option<String>>) {
    let Ok(html) = document().dyn_into::<HtmlDocument>() else {
        return;
    };
    let html = Rc::new(html);
    let read = move || {
        let now = html.cookie().unwrap_or_default();
        match seen.try_with_untracked(|s| s.as_deref() == Some(now.as_str())) {
            // Gone with its island: stop watching.
            None => false,
            Some(true) => true,
            Some(false) => seen.try_set(Some(now)).is_none(),
        }
    };
    if read() {
        on_page_change(read);
    }
}
