//! Sign-in changes reach every open tab of the browser, without a reload.
//!
//! A tab that signs in or out tells the others on a `BroadcastChannel`;
//! they read the signed-in user again. Every tab also reads it again when
//! it gets focus, which catches what no tab of this browser did: a session
//! revoked from another device, a password changed elsewhere. The server
//! build has no tabs: there, `connect` does nothing.
use leptos::prelude::*;

/// `local` changes when this tab signs in or out; `external` is bumped when
/// another tab did, or on focus.
pub fn connect(local: Memo<(usize, usize, usize, usize)>, external: RwSignal<usize>) {
    #[cfg(feature = "hydrate")]
    browser::connect(local, external);
    #[cfg(not(feature = "hydrate"))]
    let _ = (local, external);
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::{ev, prelude::*};
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use web_sys::BroadcastChannel;

    const CHANNEL: &str = "sesame-auth";

    pub fn connect(local: Memo<(usize, usize, usize, usize)>, external: RwSignal<usize>) {
        let Ok(channel) = BroadcastChannel::new(CHANNEL) else {
            return;
        };
        let bump = move || external.update(|n| *n += 1);
        let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| bump());
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // Lives as long as the page.
        on_message.forget();
        Effect::new(move |previous: Option<(usize, usize, usize, usize)>| {
            let now = local.get();
            // Not on the first run (that is the page load), and never for an
            // `external` bump, so tabs don't echo each other.
            if previous.is_some_and(|p| p != now) {
                let _ = channel.post_message(&JsValue::from_str("changed"));
            }
            now
        });
        let focus = window_event_listener(ev::focus, move |_| bump());
        // Lives as long as the page.
        std::mem::forget(focus);
    }
}
