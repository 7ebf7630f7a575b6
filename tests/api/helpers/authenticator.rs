//! A software passkey authenticator: what a phone or a laptop's secure
//! chip does in a WebAuthn ceremony, in a few lines, so the HTTP tests can
//! make real, signed answers (and forge, replay and break them).
//!
//! It writes what `credential.toJSON()` gives a page in a browser: base64url
//! fields, a "none" attestation, a P-256 key (COSE algorithm -7), user
//! verification done, a signature counter that goes up by one per use.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use ciborium::Value as Cbor;
use p256::ecdsa::{signature::Signer, Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The origin the tests' "browser" claims: the app's default PUBLIC_URL.
pub const ORIGIN: &str = "http://localhost:3000";

/// Cloning it clones the key with its counter: a cloned authenticator.
#[derive(Clone)]
pub struct Authenticator {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    /// The account id the site gave at registration.
    user_handle: Vec<u8>,
    counter: u32,
    /// What goes into `clientDataJSON` as the page's origin.
    pub origin: String,
}

impl Default for Authenticator {
    fn default() -> Self {
        Self::new()
    }
}

impl Authenticator {
    pub fn new() -> Authenticator {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let credential_id: Vec<u8> = (0..32).map(|_| rand::random::<u8>()).collect();
        Authenticator {
            key,
            credential_id,
            user_handle: Vec::new(),
            counter: 0,
            origin: ORIGIN.to_owned(),
        }
    }

    fn rp_id_hash(&self) -> Vec<u8> {
        let host = url::Url::parse(&self.origin)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        Sha256::digest(host.as_bytes()).to_vec()
    }

    fn client_data(&self, kind: &str, options: &Value) -> Vec<u8> {
        let challenge = options["publicKey"]["challenge"]
            .as_str()
            .expect("options carry a challenge");
        json!({ "type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false })
            .to_string()
            .into_bytes()
    }

    /// `navigator.credentials.create({ publicKey })` for `options` (what
    /// `/api/passkey_register_start` answered), as `toJSON()` gives it.
    pub fn register(&mut self, options: &Value) -> Value {
        let user_id = options["publicKey"]["user"]["id"]
            .as_str()
            .expect("options name the user");
        self.user_handle = B64.decode(user_id).expect("base64url user id");
        let client_data = self.client_data("webauthn.create", options);
        let point = self.key.verifying_key().to_encoded_point(false);
        let cose_key = Cbor::Map(vec![
            (Cbor::Integer(1.into()), Cbor::Integer(2.into())),
            (Cbor::Integer(3.into()), Cbor::Integer((-7).into())),
            (Cbor::Integer((-1).into()), Cbor::Integer(1.into())),
            (
                Cbor::Integer((-2).into()),
                Cbor::Bytes(point.x().expect("x").to_vec()),
            ),
            (
                Cbor::Integer((-3).into()),
                Cbor::Bytes(point.y().expect("y").to_vec()),
            ),
        ]);
        let mut auth_data = self.rp_id_hash();
        // User present, user verified, attested credential data included.
        auth_data.push(0x01 | 0x04 | 0x40);
        auth_data.extend_from_slice(&self.counter.to_be_bytes());
        auth_data.extend_from_slice(&[0; 16]);
        auth_data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        ciborium::into_writer(&cose_key, &mut auth_data).expect("COSE key");
        let attestation = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(Vec::new())),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]);
        let mut attestation_object = Vec::new();
        ciborium::into_writer(&attestation, &mut attestation_object).expect("attestation");
        self.credential(json!({
            "clientDataJSON": B64.encode(&client_data),
            "attestationObject": B64.encode(&attestation_object),
            "transports": ["internal"],
        }))
    }

    /// `navigator.credentials.get({ publicKey })` for `options` (what
    /// `/api/passkey_login_start` or `/api/passkey_reauth_start`
    /// answered), as `toJSON()` gives it.
    pub fn assert(&mut self, options: &Value) -> Value {
        self.counter += 1;
        let client_data = self.client_data("webauthn.get", options);
        let mut auth_data = self.rp_id_hash();
        auth_data.push(0x01 | 0x04);
        auth_data.extend_from_slice(&self.counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        self.credential(json!({
            "clientDataJSON": B64.encode(&client_data),
            "authenticatorData": B64.encode(&auth_data),
            "signature": B64.encode(signature.to_der().as_bytes()),
            "userHandle": B64.encode(&self.user_handle),
        }))
    }

    /// A `PublicKeyCredential` of this key with `response`, as `toJSON()`
    /// writes it.
    fn credential(&self, response: Value) -> Value {
        let id = B64.encode(&self.credential_id);
        json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        })
    }
}
