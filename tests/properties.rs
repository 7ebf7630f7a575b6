//! Property tests: every rule that guards input holds for all generated
//! inputs, not just the examples in the unit tests, and nothing panics.
use proptest::prelude::*;
use sesame::{
    cookies::CookieName,
    notes::parse_note,
    sign_in::redirect::{login_url, safe_next, DEFAULT_NEXT},
    users::validate::{Email, Password, Username},
};

/// Inputs that reach the rules: any text, text near the rules' edges, and
/// the bytes attackers like.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,80}",
        "[a-zA-Z0-9_.@/\\\\:%?#-]{0,80}",
        "(/|//|/\\\\|\\\\|https?:|javascript:|%2F|%0A|\t| |\u{0}|\u{202e}|é|a|\\.){0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn a_username_is_accepted_exactly_when_it_follows_the_rule(input in hostile()) {
        let rule = (3..=32).contains(&input.len())
            && input.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        prop_assert_eq!(Username::parse(&input).is_ok(), rule);
    }

    #[test]
    fn a_valid_username_always_parses(input in "[A-Za-z0-9_.-]{3,32}") {
        prop_assert_eq!(Username::parse(&input).map(|u| u.as_str().to_owned()), Ok(input));
    }

    #[test]
    fn an_accepted_email_has_one_at_sign_and_at_most_254_bytes(input in hostile()) {
        if let Ok(email) = Email::parse(&input) {
            prop_assert!(email.as_str().len() <= 254);
            prop_assert_eq!(email.as_str().matches('@').count(), 1);
            prop_assert!(email.as_str().is_ascii());
            prop_assert!(!email.as_str().bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()));
        }
    }

    #[test]
    fn a_plain_address_is_accepted(local in "[a-z0-9.+_-]{1,40}", domain in "[a-z0-9]{1,20}(\\.[a-z]{2,6}){0,2}") {
        let address = format!("{local}@{domain}");
        prop_assert!(Email::parse(&address).is_ok(), "{}", address);
    }

    #[test]
    fn a_password_is_accepted_exactly_at_8_to_128_characters(input in any::<String>()) {
        let chars = input.chars().count();
        prop_assert_eq!(Password::parse(&input).is_ok(), (8..=128).contains(&chars));
    }

    #[test]
    fn a_note_is_accepted_exactly_at_1_to_200_characters(input in any::<String>()) {
        let chars = input.chars().count();
        prop_assert_eq!(parse_note(&input).is_ok(), (1..=200).contains(&chars));
    }

    #[test]
    fn next_is_always_a_path_on_this_site(input in hostile()) {
        let next = safe_next(Some(&input));
        prop_assert!(next.starts_with('/'));
        prop_assert!(!next.starts_with("//") && !next.starts_with("/\\"));
        prop_assert!(next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'), "{:?}", next);
        // Either what was asked for, unchanged, or the default.
        prop_assert!(next == input || next == DEFAULT_NEXT);
    }

    #[test]
    fn a_login_url_leads_back_to_the_same_path(path in hostile()) {
        let url = login_url(&path);
        let encoded = url.strip_prefix("/login?next=").expect("prefix");
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'%'));
        let decoded = percent_encoding::percent_decode_str(encoded).decode_utf8().expect("utf-8");
        prop_assert_eq!(decoded.as_ref(), path.as_str());
    }

    #[test]
    fn a_cookie_name_round_trips_through_its_encoding(input in hostile()) {
        match CookieName::parse(&input) {
            Ok(name) => {
                let value = name.encode();
                // A valid cookie value (RFC 6265 cookie-octets), whatever the name.
                prop_assert!(value.bytes().all(|b| b.is_ascii_alphanumeric() || b"%-._~".contains(&b)));
                prop_assert_eq!(CookieName::decode(&value), Some(name));
            }
            Err(problem) => prop_assert!(matches!(
                problem,
                sesame::error::Problem::CookieNameLength | sesame::error::Problem::CookieNameControl
            )),
        }
    }

    #[test]
    fn decoding_any_cookie_value_never_yields_a_name_that_breaks_the_rules(value in hostile()) {
        if let Some(name) = CookieName::decode(&value) {
            let chars = name.as_str().chars().count();
            prop_assert!((1..=64).contains(&chars));
            prop_assert!(!name.as_str().chars().any(char::is_control));
        }
    }
}
