//! The session as a store (Flask's `session['note'] = ...`): a note kept in
//! the server-side session of visitors and users alike.
pub mod api;

pub const NOTE_MESSAGE: &str = "Note must be 1–200 characters.";

/// 1–200 characters.
pub fn parse_note(input: &str) -> Result<String, &'static str> {
    if (1..=200).contains(&input.chars().count()) {
        Ok(input.to_owned())
    } else {
        Err(NOTE_MESSAGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_of_1_to_200_characters_are_accepted() {
        assert!(parse_note("x").is_ok());
        assert!(parse_note(&"ü".repeat(200)).is_ok());
        assert_eq!(parse_note(""), Err(NOTE_MESSAGE));
        assert_eq!(parse_note(&"x".repeat(201)), Err(NOTE_MESSAGE));
    }
}
