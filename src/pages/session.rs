//! `/session`: the session as a store (Flask's `session['note']`).
use crate::{
    components::{Field, SeeWhatChanged},
    notes::api::{session_data, SetNote},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SessionPage() -> impl IntoView {
    let save = ServerAction::<SetNote>::new();
    let data = Resource::new(|| (), |_| session_data());
    let note = move || {
        Suspend::new(async move {
            match data.await {
                Ok(data) => match data.note {
                    Some(note) => format!("Note: {note}"),
                    None => "No note in this session.".to_owned(),
                },
                Err(err) => err.to_string(),
            }
        })
    };
    view! {
        <Title text="Session data" />
        <h1>"Session data"</h1>
        <Transition>
            <p class="note" data-testid="note">{note}</p>
        </Transition>
        <ActionForm action=save attr:class="stack" attr:novalidate=true>
            <Field id="session-note" label="Note" name="note" kind="text" autocomplete="off" result=save.value().into() />
            <button type="submit">"Save note"</button>
        </ActionForm>
        <SeeWhatChanged />
    }
}
