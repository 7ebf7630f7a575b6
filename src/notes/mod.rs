//! The session as a store (Flask's `session['note'] = ...`): a note kept in
//! the server-side session of visitors and users alike.
pub mod api;

use crate::error::Problem;

/// 1–200 characters.
pub fn parse_note(input: &str) -> Result<String, Problem> {
    if (1..=200).contains(&input.chars().count()) {
        Ok(input.to_owned())
    } else {
        Err(Problem::Note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_of_1_to_200_characters_are_accepted() {
        assert!(parse_note("x").is_ok());
        assert!(parse_note(&"ü".repeat(200)).is_ok());
        assert_eq!(parse_note(""), Err(Problem::Note));
        assert_eq!(parse_note(&"x".repeat(201)), Err(Problem::Note));
    }
}
