//! What a passkey ceremony costs the server, without the network: the
//! webauthn-rs work of each start and finish (median of many runs on this
//! machine), and the bytes each keeps: the state waiting in the session or
//! `passkey_autofill`, the options sent to the browser, the stored passkey.
//! Answers come from the tests' software authenticator (P-256).
//!
//! `cargo run --release --example passkey_cost --features ssr` (bench/passkeys)
#[path = "../tests/api/helpers/authenticator.rs"]
mod authenticator;

use authenticator::{Authenticator, ORIGIN};
use std::time::{Duration, Instant};
use webauthn_rs::prelude::*;

const RUNS: usize = 2000;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn micros(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

fn main() {
    let origin = Url::parse(ORIGIN).expect("origin");
    let webauthn = sesame::passkeys::ceremony::relying_party(&origin).expect("relying party");
    let mut rows: Vec<(&str, Duration, usize)> = Vec::new();

    // Registration.
    let (mut start, mut finish) = (Vec::new(), Vec::new());
    let (mut state_bytes, mut options_bytes, mut passkey_bytes) = (0, 0, 0);
    let mut keys = Vec::new();
    for _ in 0..RUNS / 10 {
        let t = Instant::now();
        let (options, state) = webauthn
            .start_passkey_registration(Uuid::new_v4(), "alice", "alice", Some(Vec::new()))
            .expect("start");
        let options = serde_json::to_value(&options).expect("options");
        let state_json = serde_json::to_string(&state).expect("state");
        start.push(t.elapsed());
        state_bytes = state_json.len();
        options_bytes = options.to_string().len();
        let mut authenticator = Authenticator::new();
        let answer = serde_json::to_string(&authenticator.register(&options)).expect("answer");
        let t = Instant::now();
        let answer: RegisterPublicKeyCredential = serde_json::from_str(&answer).expect("json");
        let state: PasskeyRegistration = serde_json::from_str(&state_json).expect("state");
        let passkey = webauthn
            .finish_passkey_registration(&answer, &state)
            .expect("finish");
        let stored = serde_json::to_string(&passkey).expect("passkey");
        finish.push(t.elapsed());
        passkey_bytes = stored.len();
        keys.push((authenticator, stored));
    }
    rows.push(("add a passkey: start", median(start), state_bytes));
    rows.push(("add a passkey: finish", median(finish), passkey_bytes));

    // Signing in (discoverable: the button's and the autofill's).
    let (mut start, mut finish) = (Vec::new(), Vec::new());
    let mut sign_in_state = 0;
    let mut sign_in_options = 0;
    for i in 0..RUNS {
        let (authenticator, stored) = &mut keys[i % (RUNS / 10)];
        let t = Instant::now();
        let (options, state) = webauthn.start_discoverable_authentication().expect("start");
        let options = serde_json::to_value(&options).expect("options");
        let state_json = serde_json::to_string(&state).expect("state");
        start.push(t.elapsed());
        sign_in_state = state_json.len();
        sign_in_options = options.to_string().len();
        let answer = serde_json::to_string(&authenticator.assert(&options)).expect("answer");
        let t = Instant::now();
        let answer: PublicKeyCredential = serde_json::from_str(&answer).expect("json");
        let state: DiscoverableAuthentication = serde_json::from_str(&state_json).expect("state");
        webauthn
            .identify_discoverable_authentication(&answer)
            .expect("identify");
        let mut passkey: Passkey = serde_json::from_str(stored).expect("passkey");
        let result = webauthn
            .finish_discoverable_authentication(&answer, state, &[DiscoverableKey::from(&passkey)])
            .expect("finish");
        passkey.update_credential(&result);
        *stored = serde_json::to_string(&passkey).expect("passkey");
        finish.push(t.elapsed());
    }
    rows.push(("sign in: start", median(start), sign_in_state));
    rows.push(("sign in: finish", median(finish), 0));

    println!("| step | median µs (webauthn-rs + JSON) | bytes kept |");
    println!("|---|---:|---:|");
    for (step, time, bytes) in rows {
        println!("| {step} | {} | {bytes} |", micros(time));
    }
    println!();
    println!("options sent to the browser: {options_bytes} bytes to add a passkey, {sign_in_options} to sign in");
}
