//! [ssr] Secrets, codes and recovery codes.
use crate::{error::AppError, two_factor::Setup};
use rand::{rngs::OsRng, Rng, RngCore};
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

/// The name authenticator apps show above the account.
const ISSUER: &str = "sesame";

/// How many recovery codes a user gets.
pub const RECOVERY_CODES: usize = 10;

/// No 0/o, 1/l/i: a recovery code is read from paper and typed.
const RECOVERY_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// A new secret: 160 random bits, as RFC 4226 recommends, in base32.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    Secret::from(&bytes[..]).to_base32()
}

/// The code generator for `secret` (base32), labelled with `username`.
pub fn totp(secret: &str, username: &str) -> Result<Totp, AppError> {
    let secret = Secret::try_from_base32(secret).map_err(|_| AppError::Internal)?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(username)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|err| {
            tracing::error!("cannot make a TOTP: {err}");
            AppError::Internal
        })
}

/// The 30-second step `code` is right for at `now` (± one step), if any.
/// Spaces are allowed; anything but six digits is not a code.
pub fn check(totp: &Totp, code: &str, now: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp.check(&code, now)
}

/// The secret as the page shows it, and its QR code.
pub fn setup(secret: &str, username: &str) -> Result<Setup, AppError> {
    let url = totp(secret, username)?
        .to_url()
        .map_err(|_| AppError::Internal)?;
    let qr = qrcodegen::QrCode::encode_text(&url, qrcodegen::QrCodeEcc::Medium)
        .map_err(|_| AppError::Internal)?;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{x} {y}h1v1h-1z"));
            }
        }
    }
    let grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Setup {
        secret: grouped,
        qr_size: u32::try_from(size).unwrap_or_default(),
        qr_path: path,
    })
}

/// Ten new recovery codes, `xxxxx-xxxxx` (50 random bits each).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut code: String = (0..10)
                .map(|_| RECOVERY_ALPHABET[OsRng.gen_range(0..RECOVERY_ALPHABET.len())] as char)
                .collect();
            code.insert(5, '-');
            code
        })
        .collect()
}

/// A recovery code as typed, reduced to its ten characters, if it can be
/// one (case, spaces and the dash do not matter).
pub fn normalize_recovery_code(code: &str) -> Option<String> {
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    (code.len() == 10 && code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))).then_some(code)
}

/// What is stored of a recovery code: the SHA-256 of its ten characters.
/// A fast hash is enough: 50 random bits cannot be guessed offline from it
/// in any useful time, unlike a password.
pub fn hash_recovery_code(normalized: &str) -> String {
    hex::encode(Sha256::digest(normalized.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_right_for_its_step_and_the_next_and_previous_ones() {
        let secret = new_secret();
        let totp = totp(&secret, "alice").unwrap();
        let now = 1_800_000_000;
        let code = totp.generate(now).to_string();
        assert_eq!(check(&totp, &code, now), Some(now / 30));
        assert_eq!(check(&totp, &code, now + 30), Some(now / 30));
        assert_eq!(check(&totp, &code, now + 90), None);
        assert_eq!(
            check(&totp, &format!(" {} {} ", &code[..3], &code[3..]), now),
            Some(now / 30)
        );
        assert_eq!(check(&totp, "12345", now), None);
        assert_eq!(check(&totp, "abcdef", now), None);
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_typed_loosely() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(
            codes.iter().collect::<std::collections::HashSet<_>>().len(),
            10
        );
        for code in &codes {
            assert_eq!(code.len(), 11);
            let loose = code.to_uppercase().replace('-', " ");
            assert_eq!(
                normalize_recovery_code(&loose).as_deref(),
                Some(code.replace('-', "").as_str())
            );
        }
        assert_eq!(normalize_recovery_code("123456"), None);
        assert_eq!(normalize_recovery_code("0000000000"), None);
    }

    #[test]
    fn the_setup_has_a_qr_code_and_the_secret_in_groups() {
        let secret = new_secret();
        let setup = setup(&secret, "alice").unwrap();
        assert_eq!(setup.secret.replace(' ', ""), secret);
        assert!(setup.qr_size >= 21);
        assert!(setup.qr_path.starts_with('M'));
    }
}
