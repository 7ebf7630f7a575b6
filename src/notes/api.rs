//! Server functions of the session demo (`/session`).
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What `/api/session_data` answers: `{"note": null | "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionContents {
    pub note: Option<String>,
}

/// The data held in this session. Reading never creates a session.
#[server(prefix = "/api", endpoint = "session_data")]
pub async fn session_data() -> Result<SessionContents, AppError> {
    use crate::session::keys as session;
    let auth = session::current().await?;
    let note = session::note(&auth.session).await?;
    Ok(SessionContents { note })
}

/// Stores a note in this session (Flask's `session['note'] = note`).
#[server(prefix = "/api", endpoint = "set_note")]
pub async fn set_note(note: String) -> Result<SessionContents, AppError> {
    use crate::{
        notes::parse_note,
        session::keys::{self as session},
    };
    let note = parse_note(&note).map_err(|m| AppError::field("note", m))?;
    let auth = session::current().await?;
    session::set_note(&auth.session, note.clone()).await?;
    Ok(SessionContents { note: Some(note) })
}
