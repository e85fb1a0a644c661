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

/// The key that encrypts secrets kept in the database (a Plateforme Agréée's credentials):
/// `OUVRAGE_DATA_KEY` (32 bytes in URL-safe base64, the same on every server of a
/// cluster), else the file `OUVRAGE_DATA_KEY_FILE` (default `data/ouvrage.key`), made at
/// the first start with 256 random bits and mode 0600. Never in the database: a copy of
/// the database alone does not reveal what it encrypts (docs/e-invoicing.md).
pub fn load_data_key(given: Option<&str>, file: &str) -> Result<[u8; 32], String> {
    let decode = |text: &str, from: &str| -> Result<[u8; 32], String> {
        URL_SAFE_NO_PAD
            .decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| format!("{from} : 32 octets en base64 (URL) attendus"))
    };
    if let Some(key) = given {
        return decode(key, "OUVRAGE_DATA_KEY");
    }
    if let Ok(text) = std::fs::read_to_string(file) {
        return decode(&text, file);
    }
    // Made whole in a file of our own, then linked in place: a reader never sees a half
    // file, and of servers starting together, one key wins and all read it.
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    if let Some(dir) = std::path::Path::new(file).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{file} : {e}"))?;
    }
    let tmp = format!("{file}.{}-{:08x}", std::process::id(), rand::random::<u32>());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    {
        use std::io::Write;
        let mut f = options.open(&tmp).map_err(|e| format!("{tmp} : {e}"))?;
        f.write_all(URL_SAFE_NO_PAD.encode(fresh).as_bytes()).and_then(|()| f.sync_all()).map_err(|e| format!("{tmp} : {e}"))?;
    }
    let linked = std::fs::hard_link(&tmp, file);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(fresh),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(file).map_err(|e| format!("{file} : {e}"))?;
            decode(&text, file)
        }
        Err(e) => Err(format!("{file} : {e}")),
    }
}

/// Encrypts `plain` with the data key (XChaCha20-Poly1305, a random 192-bit nonce): the
/// nonce and the ciphertext in URL-safe base64.
pub fn seal(key: &[u8; 32], plain: &str) -> String {
    use chacha20poly1305::aead::{Aead, KeyInit};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new(key.into());
    let sealed = cipher.encrypt(XNonce::from_slice(&nonce), plain.as_bytes()).unwrap_or_default();
    URL_SAFE_NO_PAD.encode([nonce.as_slice(), &sealed].concat())
}

/// The text [`seal`] encrypted, or None if it was not sealed with this key or was altered.
pub fn unseal(key: &[u8; 32], sealed: &str) -> Option<String> {
    use chacha20poly1305::aead::{Aead, KeyInit};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};
    let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, ct) = bytes.split_at(24);
    let plain = XChaCha20Poly1305::new(key.into()).decrypt(XNonce::from_slice(nonce), ct).ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod sealed_tests {
    use super::*;

    #[test]
    fn sealed_text_opens_with_its_key_only() {
        let key = [7u8; 32];
        let sealed = seal(&key, "client-secret-123");
        assert!(!sealed.contains("client-secret"));
        assert_ne!(sealed, seal(&key, "client-secret-123"), "a fresh nonce each time");
        assert_eq!(unseal(&key, &sealed).as_deref(), Some("client-secret-123"));
        assert_eq!(unseal(&[8u8; 32], &sealed), None);
        let mut altered = sealed.into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(unseal(&key, &String::from_utf8(altered).unwrap()), None);
        assert!(load_data_key(Some("short"), "").is_err());
        assert_eq!(load_data_key(Some(&URL_SAFE_NO_PAD.encode([3u8; 32])), "").unwrap(), [3u8; 32]);
    }

    #[test]
    fn servers_starting_together_share_one_key_file() {
        let dir = std::env::temp_dir().join(format!("ouvrage-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let file = dir.join("sub").join("ouvrage.key").to_string_lossy().to_string();
        let keys: Vec<[u8; 32]> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8).map(|_| s.spawn(|| load_data_key(None, &file).unwrap())).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.iter().all(|k| *k == keys[0]), "one key for all");
        assert_eq!(load_data_key(None, &file).unwrap(), keys[0], "read back");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(std::fs::read_dir(dir.join("sub")).unwrap().count(), 1, "no temporary file left");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
