//! `/profile/2fa`: turning two-factor sign-in on (a QR code, the secret as
//! text, a code to confirm; then the recovery codes, once) and off.
use crate::{
    auth::context::Auth,
    auth::two_factor::{two_factor, DisableTwoFactor, EnableTwoFactor},
    components::{ConfirmPassword, ErrorMessage, Field, SignedIn},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TwoFactorPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let enable = ServerAction::<EnableTwoFactor>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let enabled: Signal<_> = enable.value().into();
    let disabled: Signal<_> = disable.value().into();
    // Outside the Suspense (leptos #4866); only for a signed-in user.
    let status = Resource::new(
        || (),
        move |_| async move {
            if auth.is_signed_in().await {
                two_factor().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    let body = move || {
        Suspend::new(async move {
            let status = match status.await {
                Ok(Some(status)) => status,
                Ok(None) => return ().into_any(),
                Err(err) => {
                    return view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any()
                }
            };
            if status.needs_proof {
                return view! { <ConfirmPassword passkey=status.passkey_proof code=status.code_proof /> }.into_any();
            }
            if status.enabled {
                let codes = (!status.recovery_codes.is_empty()).then(|| {
                    let codes = status.recovery_codes.clone();
                    view! {
                        <section class="recovery" aria-labelledby="codes-heading">
                            <h2 id="codes-heading">"Your recovery codes"</h2>
                            <p>
                                "Each works once, instead of a code from your app. Keep them somewhere safe: they are shown only now."
                            </p>
                            <ol data-testid="recovery-codes">
                                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                            </ol>
                        </section>
                    }
                });
                return view! {
                    <p role="status" data-testid="two-factor-state">
                        "Two-factor authentication is on."
                    </p>
                    {codes}
                    <p class="muted">
                        {format!("Recovery codes left: {}.", status.recovery_codes_left)}
                    </p>
                    <ActionForm action=disable attr:class="stack" attr:novalidate=true>
                        <Field id="disable-code" label="Authentication code" name="code" kind="text" autocomplete="one-time-code" result=disabled />
                        <ErrorMessage result=disabled />
                        <button type="submit">"Turn off"</button>
                    </ActionForm>
                }
                .into_any();
            }
            let setup = status.setup.unwrap_or_else(|| crate::two_factor::Setup {
                secret: String::new(),
                qr_size: 0,
                qr_path: String::new(),
            });
            let view_box = format!("-2 -2 {} {}", setup.qr_size + 4, setup.qr_size + 4);
            view! {
                <p role="status" data-testid="two-factor-state">
                    "Two-factor authentication is off."
                </p>
                <p>
                    "Scan this QR code with an authenticator app, then type the code it shows."
                </p>
                <svg class="qr" viewBox=view_box role="img" aria-label="QR code of the secret, for an authenticator app">
                    <rect x="-2" y="-2" width="100%" height="100%" fill="#fff" />
                    <path d=setup.qr_path fill="#000" />
                </svg>
                <p>
                    "Or type this secret into the app: "
                    <code data-testid="totp-secret">{setup.secret}</code>
                </p>
                <ActionForm action=enable attr:class="stack" attr:novalidate=true>
                    <Field id="enable-code" label="Authentication code" name="code" kind="text" autocomplete="one-time-code" result=enabled />
                    <ErrorMessage result=enabled />
                    <button type="submit">"Turn on"</button>
                </ActionForm>
            }
            .into_any()
        })
    };
    view! {
        <Title text="Two-factor authentication" />
        <SignedIn children=move |_| {
            view! {
                <h1>"Two-factor authentication"</h1>
                <p class="muted">
                    "With it on, signing in needs your password and a code from an app on your phone."
                </p>
                <Suspense>{body}</Suspense>
            }
        } />
    }
}
