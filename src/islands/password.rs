//! A password input that can show what was typed and warns of Caps Lock.
use leptos::{ev::KeyboardEvent, prelude::*};

/// The `<input type="password">` of a form, with a `Show password` toggle
/// (only once the island runs: without JavaScript it could not work) and
/// a `Caps Lock is on` hint while it is. The input stays a plain field of
/// the form: the form post carries it.
#[island]
pub fn PasswordInput(id: String, name: String, autocomplete: String) -> impl IntoView {
    let shown = RwSignal::new(false);
    let caps_lock = RwSignal::new(false);
    let running = RwSignal::new(false);
    Effect::new(move |_| running.set(true));
    let check_caps = move |ev: KeyboardEvent| caps_lock.set(ev.get_modifier_state("CapsLock"));
    let hint = format!("{id}-caps-lock");
    view! {
        <span class="password-input">
            <input
                id=id.clone()
                type=move || if shown.get() { "text" } else { "password" }
                name=name
                autocomplete=autocomplete
                aria-describedby=hint.clone()
                on:keydown=check_caps
                on:keyup=check_caps
                on:blur=move |_| caps_lock.set(false)
            />
            <button
                type="button"
                class="small secondary"
                hidden=move || !running.get()
                aria-controls=id
                aria-pressed=move || shown.get().to_string()
                on:click=move |_| shown.update(|s| *s = !*s)
            >
                "Show password"
            </button>
        </span>
        <p id=hint class="hint" role="status">
            {move || caps_lock.get().then_some("Caps Lock is on")}
        </p>
    }
}
