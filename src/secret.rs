//! The servers' shared secret, and signatures made with it.
//!
//! Made once per database (256 random bits in `server_secret`) and read at start, so that
//! every server of a cluster signs and checks alike. It signs what the server hands to a
//! browser and must get back unchanged: the error a form post without JavaScript echoes
//! in the page's URL (`__err`, checked by `ui::form_error`), and the login's device
//! cookie (`auth::throttle`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::db::{Db, internal};
use crate::error::AppError;
use crate::{on_conn, on_pool};

/// The secret of this database, made at the first start.
pub async fn load_or_create(db: &Db) -> Result<Vec<u8>, AppError> {
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let mut tx = db.begin().await?;
    let insert = "INSERT INTO server_secret (name, value) VALUES ('signing', $1) ON CONFLICT (name) DO NOTHING";
    on_conn!(&mut tx, c => sqlx::query(insert).bind(URL_SAFE_NO_PAD.encode(fresh)).execute(c).await.map(|r| r.rows_affected()))
        .map_err(internal)?;
    tx.commit().await?;
    let read = "SELECT value FROM server_secret WHERE name = 'signing'";
    let value: String = on_pool!(db, c => sqlx::query_scalar(read).fetch_one(c).await).map_err(internal)?;
    URL_SAFE_NO_PAD.decode(value).map_err(|_| {
        tracing::error!("server_secret 'signing' is not base64");
        AppError::Internal
    })
}

/// HMAC-SHA-256 of the parts (each length-prefixed, so no two lists sign alike), in
/// URL-safe base64.
pub fn sign(secret: &[u8], parts: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(mac(secret, parts).finalize().into_bytes())
}

/// True when `signature` is [`sign`] of the parts (compared in constant time).
pub fn verify(secret: &[u8], parts: &[&str], signature: &str) -> bool {
    match URL_SAFE_NO_PAD.decode(signature) {
        Ok(bytes) => mac(secret, parts).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// What a signature of an echoed error covers: the function's path, the error as encoded,
/// and the session of the browser it was made for (so that an error obtained by one
/// person, with the values they typed, shows in no one else's page).
pub fn form_error_signature(secret: &[u8], session_token: &str, path: &str, err: &str) -> String {
    sign(secret, &["form-error", session_token, path, err])
}

/// Compares two signatures in a time that depends on their lengths only.
pub fn verify_text(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn mac(secret: &[u8], parts: &[&str]) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p.as_bytes());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_bind_every_part() {
        let k = b"0123456789abcdef0123456789abcdef";
        let s = sign(k, &["/api/login", "eyJ9"]);
        assert!(verify(k, &["/api/login", "eyJ9"], &s));
        assert!(!verify(k, &["/api/login", "eyJ8"], &s));
        assert!(!verify(k, &["/api/logi", "n eyJ9"], &s));
        assert!(!verify(b"another key", &["/api/login", "eyJ9"], &s));
        assert!(!verify(k, &["/api/login", "eyJ9"], "not base64 !"));
    }
}
