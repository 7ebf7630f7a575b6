//! [ssr] Who is signed in on this request, and how strongly: the one place
//! server functions ask "signed in?" ([`SignedIn::current`]) and "proved
//! recently enough for this change?" ([`SignedIn::require`]), and the one
//! way a signed-in person's password or code is checked again.
//!
//! A session keeps the proofs it made, each with its kind and time
//! (`session::add_proof`). A sensitive change needs a proof from the last
//! `REAUTH_MINUTES`; on an account with two-factor on, that is two factors:
//! the password together with a code (app or recovery), or a passkey (the
//! device and its user verification). The passkey branch of `Delete
//! account` needs a passkey proof itself.
use crate::{
    credentials::throttle::{self, Judged},
    error::AppError,
    session::keys::{self as session, AuthSession, ProofKind},
    sign_in::ProofState,
    state::AppState,
    users::db::User,
};

/// Which of the secrets typed together was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrong {
    Password,
    Code,
}

impl Wrong {
    /// The field error a form shows for it.
    pub fn error(self, password_field: &'static str) -> AppError {
        match self {
            Wrong::Password => {
                AppError::field(password_field, crate::error::Problem::NotYourPassword)
            }
            Wrong::Code => AppError::field("code", crate::error::Problem::InvalidCode),
        }
    }
}

/// What a change asks of this session's proofs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A sensitive change: one factor, or two on an account with
    /// two-factor on.
    Recent,
    /// A passkey proof, whatever else the session proved.
    Passkey,
}

/// Whether proofs of `kinds` (all recent) give what `need` asks, on an
/// account with two-factor `two_factor`.
pub fn satisfies(kinds: &[ProofKind], two_factor: bool, need: Need) -> bool {
    let has = |kind| kinds.contains(&kind);
    match need {
        Need::Passkey => has(ProofKind::Passkey),
        Need::Recent if !two_factor => !kinds.is_empty(),
        Need::Recent => {
            has(ProofKind::Passkey)
                || (has(ProofKind::Password)
                    && (has(ProofKind::Totp) || has(ProofKind::RecoveryCode)))
        }
    }
}

/// A signed-in request: the user, this session's handle, its session.
pub struct SignedIn {
    pub user: User,
    pub handle: Option<String>,
    pub auth: AuthSession,
}

impl SignedIn {
    /// The signed-in user of this request, or 401.
    pub async fn current() -> Result<SignedIn, AppError> {
        let auth = session::current().await?;
        let user = auth.user.clone().ok_or(AppError::Unauthorized)?;
        let handle = session::handle(&auth.session).await?;
        Ok(SignedIn { user, handle, auth })
    }

    pub fn session(&self) -> &tower_sessions::Session {
        &self.auth.session
    }

    /// Whether the account has two-factor on.
    pub async fn two_factor(&self, state: &AppState) -> Result<bool, AppError> {
        Ok(crate::two_factor::db::enrolled(&state.db, self.user.id)
            .await?
            .is_some())
    }

    /// Whether this session's recent proofs give what `need` asks.
    pub async fn has(&self, state: &AppState, need: Need) -> Result<bool, AppError> {
        let kinds = session::recent_proofs(self.session(), state.settings.reauth).await?;
        // Nothing recent: no need to ask the database about two-factor.
        if kinds.is_empty() {
            return Ok(false);
        }
        let two_factor = need == Need::Recent && self.two_factor(state).await?;
        Ok(satisfies(&kinds, two_factor, need))
    }

    /// `Err(ReauthRequired)` (403) unless [`SignedIn::has`].
    pub async fn require(&self, state: &AppState, need: Need) -> Result<(), AppError> {
        if self.has(state, need).await? {
            Ok(())
        } else {
            Err(AppError::ReauthRequired)
        }
    }

    /// What "Confirm it is you" must ask for on this account, if anything,
    /// and whether a password typed for a change needs a code with it
    /// (two-factor on: `Delete account` asks for both).
    pub async fn proof_state(&self, state: &AppState) -> Result<ProofState, AppError> {
        let code = self.two_factor(state).await?;
        let kinds = session::recent_proofs(self.session(), state.settings.reauth).await?;
        let needed = !satisfies(&kinds, code, Need::Recent);
        let passkey = needed
            && !crate::passkeys::db::list(&state.db, self.user.id)
                .await?
                .is_empty();
        Ok(ProofState {
            needed,
            passkey,
            code,
        })
    }

    /// The throttle key of this session's re-authentication.
    fn key(&self) -> String {
        match &self.handle {
            Some(handle) => throttle::session_key(handle),
            None => throttle::key(&self.user.username),
        }
    }

    /// Whether `password` is the signed-in user's. Counted like a sign-in:
    /// the client's limit first, then this session's attempts, where a
    /// wrong password is a failure (a stolen session cannot guess it), and
    /// a check that never ran (busy, an outage) is not counted. Right: the
    /// session's count starts again and it has a password proof.
    pub async fn check_password(&self, state: &AppState, password: &str) -> Result<bool, AppError> {
        Ok(self.check_secrets(state, password, None).await?.is_none())
    }

    /// The password, and on an account with two-factor on a code with it
    /// (`code`: the enrolment and what was typed), checked as **one**
    /// attempt, counted like [`SignedIn::check_password`]: the count starts
    /// again only when both are right, so a known password buys no fresh
    /// guesses at the code. `None` when right (the session then has a
    /// proof of each); else which one was wrong.
    pub async fn check_secrets(
        &self,
        state: &AppState,
        password: &str,
        code: Option<(&crate::two_factor::db::Enrolled, &str)>,
    ) -> Result<Option<Wrong>, AppError> {
        use crate::two_factor::flow;
        state
            .client_limits
            .password_attempt(crate::client::current())
            .await?;
        let hash = &self.user.password_hash;
        let check = async {
            if !state.hasher.verify(password, Some(hash)).await? {
                return Ok(Err(Wrong::Password));
            }
            let Some((enrolled, code)) = code else {
                return Ok(Ok(None));
            };
            match flow::verify(&state.db, &self.user, enrolled, code).await? {
                Some(proof) => Ok(Ok(Some(proof))),
                None => Ok(Err(Wrong::Code)),
            }
        };
        match state.throttle.judge(&state.db, &self.key(), check).await? {
            Judged::Right(code_proof, attempt) => {
                state.throttle.succeeded(&state.db, attempt).await?;
                session::add_proof(self.session(), ProofKind::Password).await?;
                if let Some(proof) = code_proof {
                    session::add_proof(self.session(), proof.kind()).await?;
                }
                Ok(None)
            }
            Judged::Wrong(wrong) => Ok(Some(wrong)),
        }
    }

    /// Whether `code` is a right authentication code (app or recovery)
    /// for the signed-in user, who has two-factor on; counted like
    /// [`SignedIn::check_password`]. Only asked of a session that has
    /// proved two factors already (turning two-factor off). Right: a proof
    /// of its kind.
    pub async fn check_code(
        &self,
        state: &AppState,
        enrolled: &crate::two_factor::db::Enrolled,
        code: &str,
    ) -> Result<bool, AppError> {
        use crate::two_factor::flow;
        state
            .client_limits
            .password_attempt(crate::client::current())
            .await?;
        let check = async {
            Ok(flow::verify(&state.db, &self.user, enrolled, code)
                .await?
                .ok_or(()))
        };
        match state.throttle.judge(&state.db, &self.key(), check).await? {
            Judged::Right(proof, attempt) => {
                state.throttle.succeeded(&state.db, attempt).await?;
                session::add_proof(self.session(), proof.kind()).await?;
                Ok(true)
            }
            Judged::Wrong(()) => Ok(false),
        }
    }

    /// Ends every other session of the account (a factor changed): a new
    /// session token, so their auth-hash check fails from now on, and
    /// their device rows go; this one stays signed in under a new id.
    pub async fn end_other_sessions(
        &mut self,
        state: &AppState,
        why: crate::metrics::Revoked,
    ) -> Result<(), AppError> {
        use crate::{devices::db as devices, users::db};
        db::rotate_session_token(&state.db, self.user.id).await?;
        let user = db::find_by_id(&state.db, self.user.id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let ended = devices::remove_all_but(&state.db, user.id, self.handle.as_deref()).await?;
        crate::metrics::record(|m| m.revoked(why, ended));
        crate::sign_in::flow::keep_signed_in(&mut self.auth, &user).await?;
        self.user = user;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProofKind::*;

    #[test]
    fn two_factor_accounts_need_two_factors_and_delete_by_passkey_a_passkey() {
        // Without two-factor any recent proof will do.
        assert!(satisfies(&[Password], false, Need::Recent));
        assert!(satisfies(&[Passkey], false, Need::Recent));
        assert!(!satisfies(&[], false, Need::Recent));
        // With it, the password alone is not enough.
        assert!(!satisfies(&[Password], true, Need::Recent));
        assert!(!satisfies(&[Totp], true, Need::Recent));
        assert!(satisfies(&[Password, Totp], true, Need::Recent));
        assert!(satisfies(&[RecoveryCode, Password], true, Need::Recent));
        assert!(satisfies(&[Passkey], true, Need::Recent));
        // A passkey proof is a passkey proof.
        assert!(!satisfies(&[Password, Totp], false, Need::Passkey));
        assert!(satisfies(&[Password, Passkey], false, Need::Passkey));
    }
}
