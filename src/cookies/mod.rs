//! The cookie demo (Flask's `request.cookies` / `resp.set_cookie`): the
//! `username` cookie, its rules and its encoding. Shared by both builds.
pub mod api;

use crate::error::Problem;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// The demo cookie's name.
pub const COOKIE: &str = "username";
/// Longest name, in characters.
pub const MAX_CHARS: usize = 64;

/// Everything but RFC 3986's unreserved characters is encoded, so any name is
/// a valid cookie value and reads back exactly.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A name for the cookie demo: 1–64 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieName(String);

impl CookieName {
    pub fn parse(input: &str) -> Result<Self, Problem> {
        let chars = input.chars().count();
        if chars == 0 || chars > MAX_CHARS {
            return Err(Problem::CookieNameLength);
        }
        if input.chars().any(char::is_control) {
            return Err(Problem::CookieNameControl);
        }
        Ok(Self(input.to_owned()))
    }

    /// The cookie value: the name, URL-encoded.
    pub fn encode(&self) -> String {
        utf8_percent_encode(&self.0, ENCODE).to_string()
    }

    /// Reads a cookie value back; anything that is not a valid encoded name
    /// (a hand-edited cookie, say) is `None`.
    pub fn decode(value: &str) -> Option<Self> {
        let decoded = percent_decode_str(value).decode_utf8().ok()?;
        Self::parse(&decoded).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Reading and writing the cookie on the current request/response.
    use super::{CookieName, COOKIE};
    use cookie::{Cookie, SameSite};
    use http::{header, HeaderValue};
    use leptos::prelude::use_context;

    /// The name in the request's `username` cookie, if there is a valid one.
    pub fn read() -> Option<CookieName> {
        let parts = use_context::<http::request::Parts>()?;
        parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == COOKIE)
            .and_then(|c| CookieName::decode(c.value()))
    }

    /// Sets the cookie on the response being built.
    pub fn write(name: &CookieName, secure: bool) {
        let cookie = Cookie::build((COOKIE, name.encode()))
            .path("/")
            .same_site(SameSite::Lax)
            .http_only(true)
            .secure(secure)
            .build();
        append(cookie);
    }

    /// Tells the browser to drop the cookie.
    pub fn remove(secure: bool) {
        let mut cookie = Cookie::build((COOKIE, ""))
            .path("/")
            .same_site(SameSite::Lax)
            .http_only(true)
            .secure(secure)
            .build();
        cookie.make_removal();
        append(cookie);
    }

    fn append(cookie: Cookie<'_>) {
        let Some(res) = use_context::<leptos_axum::ResponseOptions>() else {
            tracing::error!("no ResponseOptions: the cookie was not sent");
            return;
        };
        // The value is already URL-encoded, so the header is plain ASCII.
        match HeaderValue::from_str(&cookie.to_string()) {
            Ok(value) => res.append_header(header::SET_COOKIE, value),
            Err(err) => tracing::error!("cookie header rejected: {err}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_name_is_rejected() {
        assert!(CookieName::parse("").is_err());
    }

    #[test]
    fn sixty_four_characters_are_accepted_and_sixty_five_are_not() {
        assert!(CookieName::parse(&"é".repeat(64)).is_ok());
        assert_eq!(
            CookieName::parse(&"a".repeat(65)).unwrap_err().to_string(),
            "Name must be 1–64 characters."
        );
    }

    #[test]
    fn a_name_with_a_control_character_is_rejected() {
        assert!(CookieName::parse("a\nb").is_err());
        assert!(CookieName::parse("a\0b").is_err());
    }

    #[test]
    fn a_name_is_stored_url_encoded() {
        let name = CookieName::parse("Zoë <b>&; x=1").unwrap();
        assert_eq!(name.encode(), "Zo%C3%AB%20%3Cb%3E%26%3B%20x%3D1");
    }

    #[test]
    fn an_encoded_name_reads_back_exactly() {
        for raw in ["alice", "Zoë <script>", "a;b=c", "100%", "日本語", "~-._"] {
            let name = CookieName::parse(raw).unwrap();
            assert_eq!(CookieName::decode(&name.encode()), Some(name));
        }
    }

    #[test]
    fn a_hand_edited_cookie_that_is_not_a_valid_name_reads_as_none() {
        assert_eq!(CookieName::decode(""), None);
        assert_eq!(CookieName::decode("%FF"), None);
        assert_eq!(CookieName::decode(&"a".repeat(65)), None);
    }
}
