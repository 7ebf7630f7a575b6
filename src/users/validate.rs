//! Field rules for accounts (the contract's limits). Shared by both builds.
use crate::error::Problem;
use serde::{Deserialize, Serialize};

/// 3–32 of `A–Z a–z 0–9 _ . -`; unique regardless of case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, Problem> {
        let ok = (3..=32).contains(&input.len())
            && input
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(Problem::Username)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A valid address per the HTML standard's definition (what browsers accept
/// in `<input type=email>`), at most 254 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, Problem> {
        if input.len() <= 254 && is_html_email(input) {
            Ok(Self(input.to_owned()))
        } else {
            Err(Problem::Email)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_html_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b));
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    local_ok && domain.split('.').all(label_ok)
}

/// 8–128 characters. Never logged, never serialised back.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(input: &str) -> Result<Self, Problem> {
        if (8..=128).contains(&input.chars().count()) {
            Ok(Self(input.to_owned()))
        } else {
            Err(Problem::Password)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_of_3_to_32_allowed_characters_are_accepted() {
        for ok in ["abc", "a.b-c_d", "A1", "x".repeat(32).as_str()]
            .iter()
            .filter(|s| s.len() >= 3)
        {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn a_username_with_a_space_or_other_characters_is_rejected() {
        for bad in [
            "ab",
            "",
            "a b c",
            "abc!",
            "ünï",
            "abc\0",
            &"x".repeat(33),
            "<script>",
        ] {
            assert_eq!(Username::parse(bad), Err(Problem::Username), "{bad:?}");
        }
    }

    #[test]
    fn valid_emails_are_accepted() {
        for ok in [
            "a@b.co",
            "first.last+tag@example.org",
            "x@localhost",
            "o'neil@mail-1.example.com",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn invalid_emails_are_rejected() {
        let long = format!("{}@example.com", "a".repeat(243));
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b..c",
            "a b@c.d",
            "a@-b.c",
            "a@b.c-",
            "a@@b.c",
            long.as_str(),
        ] {
            assert_eq!(Email::parse(bad), Err(Problem::Email), "{bad:?}");
        }
    }

    #[test]
    fn an_email_of_254_bytes_is_accepted_and_255_is_not() {
        let at = |n: usize| format!("{}@example.com", "a".repeat(n - 12));
        assert!(Email::parse(&at(254)).is_ok());
        assert!(Email::parse(&at(255)).is_err());
    }

    #[test]
    fn passwords_of_8_to_128_characters_are_accepted() {
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"é".repeat(128)).is_ok());
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
    }

    #[test]
    fn a_password_is_never_printed() {
        let p = Password::parse("correct horse").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
