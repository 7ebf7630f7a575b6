//! `/how-it-works`: a picture of what this browser holds and what the
//! server stores for it, drawn on the server as inline SVG (no JavaScript
//! needed; every label is real text), then what each part means.
use crate::how_it_works::{api::how_it_works, Line, Picture};
use leptos::prelude::*;
use leptos_meta::Title;

/// The picture's width in SVG units: one unit a CSS pixel on a 390 px
/// phone, scaled up on a wider screen.
const WIDTH: i32 = 360;
const LINE: i32 = 16;
const PAD: i32 = 10;

#[component]
pub fn HowItWorksPage() -> impl IntoView {
    // Read fresh on every visit.
    let picture = Resource::new(|| (), |_| how_it_works());
    let drawing = move || {
        Suspend::new(async move {
            match picture.await {
                Ok(picture) => view! { <Diagram picture /> }.into_any(),
                Err(err) => {
                    view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any()
                }
            }
        })
    };
    view! {
        <Title text="How it works" />
        <h1>"How it works"</h1>
        <p>
            "A cookie lives in the browser; a session lives on the server, and the browser holds only its id. "
            "This is what your browser sent with this request, and what the server keeps for it."
        </p>
        <Suspense>{drawing}</Suspense>
        <p class="muted" data-testid="masking">
            "The session cookie's value is shown cut short on purpose: the whole id on a page would hand it to any script that can read the page, and undo what HttpOnly is for."
        </p>
        <h2>"What each part is"</h2>
        <dl class="concepts">
            <dt>"Signing in: " <code>"session['username'] = …"</code></dt>
            <dd>"Logging in stores your user in the server-side session under a brand-new id (so an id someone planted before is worthless), and the browser gets only that id, signed, in an HttpOnly cookie."</dd>
            <dt>"Log out: " <code>"session.pop('username')"</code></dt>
            <dd>"Removes the user from the session and keeps the rest, such as your note, under a new id; the old id is deleted on the server, so the old cookie is worth nothing."</dd>
            <dt>"Log out everywhere: " <code>"session.clear()"</code></dt>
            <dd>"Deletes this session with everything in it, and ends every other session of your account on every device."</dd>
            <dt>"Remember me: " <code>"session.permanent = True"</code></dt>
            <dd>"The cookie gets a Max-Age of 7 days (SESSION_DAYS) and the stored session the same expiry, renewed while you use it; without it the cookie lasts until the browser closes and the session ends after an hour without activity."</dd>
            <dt>"The cookie demo: " <code>"resp.set_cookie / delete_cookie"</code></dt>
            <dd>"A cookie holds its value in the browser itself: the server stores nothing for it and reads it back from each request."</dd>
            <dt>"Why cross-site posts are refused"</dt>
            <dd>"A browser sends cookies with every request to this site, including one that another site's page makes it send. A remembered session lasts days, so such a forged request would act as you: every form here refuses a POST whose Origin is another site, and the cookie is SameSite=Lax."</dd>
        </dl>
    }
}

/// The picture: the browser's box, the request and response between, the
/// server's box.
#[component]
fn Diagram(picture: Picture) -> impl IntoView {
    let parts = picture.parts();
    let browser_top = 1;
    let browser_h = box_height(&parts.browser);
    let gap_top = browser_top + browser_h;
    let request_lines = parts.request.len() as i32;
    let response_lines = parts.response.len() as i32;
    let gap_h = PAD * 2 + LINE * (request_lines + response_lines) + PAD;
    let server_top = gap_top + gap_h;
    let server_h = box_height(&parts.server);
    let height = server_top + server_h + 1;
    let arrows_top = gap_top + 4;
    let arrows_bottom = server_top - 4;
    let request_y = gap_top + PAD + LINE;
    let response_y = request_y + LINE * request_lines + PAD / 2;
    view! {
        <figure class="diagram" data-testid="diagram">
            <svg
                viewBox=format!("0 0 {WIDTH} {height}")
                role="group"
                aria-labelledby="hiw-title"
                xmlns="http://www.w3.org/2000/svg"
            >
                <title id="hiw-title">"What this browser holds and what the server stores for it"</title>
                <rect class="hiw-box hiw-browser" x="1" y=browser_top width=WIDTH - 2 height=browser_h rx="6" />
                {lines(&parts.browser, browser_top)}
                <line class="hiw-arrow" x1="12" y1=arrows_top x2="12" y2=arrows_bottom />
                <path class="hiw-tip" d=format!("M7 {} L12 {} L17 {} Z", arrows_bottom - 8, arrows_bottom, arrows_bottom - 8) />
                <line class="hiw-arrow" x1=WIDTH - 12 y1=arrows_top x2=WIDTH - 12 y2=arrows_bottom />
                <path class="hiw-tip" d=format!("M{} {} L{} {} L{} {} Z", WIDTH - 17, arrows_top + 8, WIDTH - 12, arrows_top, WIDTH - 7, arrows_top + 8) />
                {text_block(&parts.request, request_y)}
                {text_block(&parts.response, response_y)}
                <rect class="hiw-box hiw-server" x="1" y=server_top width=WIDTH - 2 height=server_h rx="6" />
                {lines(&parts.server, server_top)}
            </svg>
            <figcaption class="muted">
                "Drawn by the server for this request. Session cookie values and the stored key are cut short."
            </figcaption>
        </figure>
    }
}

fn box_height(lines: &[Line]) -> i32 {
    PAD * 2 + LINE * lines.len() as i32
}

/// A box's lines, starting below its top edge.
fn lines(lines: &[Line], top: i32) -> impl IntoView {
    text_block(lines, top + PAD + LINE - 3)
}

/// Lines from baseline `first` down, indented past the arrows.
fn text_block(lines: &[Line], first: i32) -> impl IntoView {
    lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            let y = first + LINE * n as i32;
            view! { <text class=line.class x="24" y=y>{line.text.clone()}</text> }
        })
        .collect_view()
}
