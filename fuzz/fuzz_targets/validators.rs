//! Every input rule, the `next` sanitiser and the cookie encoding, on
//! arbitrary text: no panic, and each rule's promise holds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sesame::{
    auth::{
        redirect::{login_url, safe_next, DEFAULT_NEXT},
        validate::{Email, Password, Username},
    },
    cookies::CookieName,
    notes::parse_note,
};

fuzz_target!(|input: &str| {
    if let Ok(username) = Username::parse(input) {
        assert!((3..=32).contains(&username.as_str().len()));
        assert!(username
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)));
    }
    if let Ok(email) = Email::parse(input) {
        assert!(email.as_str().len() <= 254);
        assert_eq!(email.as_str().matches('@').count(), 1);
    }
    assert_eq!(
        Password::parse(input).is_ok(),
        (8..=128).contains(&input.chars().count())
    );
    assert_eq!(
        parse_note(input).is_ok(),
        (1..=200).contains(&input.chars().count())
    );

    let next = safe_next(Some(input));
    assert!(next == input || next == DEFAULT_NEXT);
    assert!(next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\"));
    assert!(next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'));

    let url = login_url(input);
    let encoded = url.strip_prefix("/login?next=").expect("prefix");
    let decoded = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .expect("utf-8");
    assert_eq!(decoded, input);

    if let Ok(name) = CookieName::parse(input) {
        assert_eq!(CookieName::decode(&name.encode()), Some(name));
    }
    if let Some(name) = CookieName::decode(input) {
        assert!(CookieName::parse(name.as_str()).is_ok());
    }
});
