//! Login throttling and the bound on concurrent password hashes.
//!
//! Each password check first *claims* an attempt on its keys — the account («a:» and the
//! e-mail), or the account on a browser that logged into it before («d:», see
//! [`device_key`]), and the client address («i:») — in one transaction that locks the
//! keys' rows: concurrent attempts queue on the lock, so the count cannot be read by forty
//! requests before any of them writes it. A key's first failures are free; past them
//! every attempt must wait a delay that doubles (5 s, 10 s, 20 s… up to a ceiling) after
//! the last one, and an attempt that comes too early is refused without any hash. A
//! success clears the account's keys and gives the address back the attempt it claimed
//! (so it costs nothing, and buys no guess at another account). The victim of an attack on their account is slowed,
//! never locked out, and not at all on a browser they logged in from before (that browser
//! is not counted against its address either: behind one proxy, or one office's address,
//! an attacker cannot shut out the others).

use std::sync::Arc;
use std::time::Duration;

use crate::db::{Db, internal};
use crate::error::AppError;
use crate::on_conn;

/// A throttled key: its free failures and the ceiling of its delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub free: i64,
    pub max_delay: i64,
}

/// An account, from any browser: 5 free failures, then at most one attempt every 5
/// minutes — slow for a guesser (288 a day), short for the owner.
pub const ACCOUNT: Rule = Rule { free: 5, max_delay: 300 };
/// An account from a browser it logged in from before.
pub const DEVICE: Rule = Rule { free: 5, max_delay: 60 };
/// A client address, across accounts.
pub const ADDRESS: Rule = Rule { free: 30, max_delay: 900 };
/// The first delay, in seconds, once a key's free failures are used.
pub const FIRST_DELAY: i64 = 5;
/// Failures are forgotten after this long without any (longer than the longest delay, so
/// that waiting it out never beats the delays).
pub const WINDOW_SECONDS: i64 = 24 * 3600;

/// The delay before the next attempt once a key has `failures` claimed attempts.
pub fn delay(rule: Rule, failures: i64) -> i64 {
    if failures < rule.free {
        return 0;
    }
    let step = (failures - rule.free).min(20) as u32;
    (FIRST_DELAY << step).min(rule.max_delay)
}

/// Claims one attempt on every key, or says how many seconds to wait. Atomic: the keys'
/// rows are locked (PostgreSQL `FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` holds the write
/// lock) from the read to the write.
pub async fn claim(db: &Db, keys: &[(String, Rule)], now: i64) -> Result<Result<(), i64>, AppError> {
    let mut keys: Vec<&(String, Rule)> = keys.iter().collect();
    // One order for every request: two requests never wait on each other's second key.
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    let mut tx = db.begin().await?;
    let lock = tx.dialect().row_lock();
    let mut seen = Vec::with_capacity(keys.len());
    for (key, rule) in &keys {
        let insert = "INSERT INTO login_throttle (key, failures, window_start, next_at) VALUES ($1, 0, $2, 0) ON CONFLICT (key) DO NOTHING";
        on_conn!(&mut tx, c => sqlx::query(insert).bind(key).bind(now).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
        let read = format!("SELECT failures, window_start, next_at FROM login_throttle WHERE key = $1{lock}");
        let (failures, last, next_at): (i64, i64, i64) =
            on_conn!(&mut tx, c => sqlx::query_as(&read).bind(key).fetch_one(c).await).map_err(internal)?;
        // `window_start` holds the time of the key's last claimed attempt.
        let failures = if now - last > WINDOW_SECONDS { 0 } else { failures };
        if failures >= rule.free && now < next_at {
            return Ok(Err(next_at - now));
        }
        seen.push((key, *rule, failures));
    }
    for (key, rule, failures) in seen {
        let claimed = failures + 1;
        let next_at = now + delay(rule, claimed);
        let sql = "UPDATE login_throttle SET failures = $1, window_start = $2, next_at = $3 WHERE key = $4";
        on_conn!(&mut tx, c => sqlx::query(sql).bind(claimed).bind(now).bind(next_at).bind(key).execute(c).await.map(|r| r.rows_affected()))
            .map_err(internal)?;
    }
    // Keys of long ago are of no use.
    let purge = "DELETE FROM login_throttle WHERE window_start < $1";
    on_conn!(&mut tx, c => sqlx::query(purge).bind(now - WINDOW_SECONDS).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// After a right password: the account's keys start afresh, and the address gets back the
/// attempt this login claimed (a success costs it nothing; each wrong guess still counts,
/// whatever rights logins come between them).
pub async fn succeeded(tx: &mut crate::db::Tx, account_keys: &[String], address_key: Option<&str>) -> Result<(), AppError> {
    for key in account_keys {
        let sql = "DELETE FROM login_throttle WHERE key = $1";
        on_conn!(tx, c => sqlx::query(sql).bind(key).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    }
    if let Some(key) = address_key {
        give_back_one(tx, key).await?;
    }
    Ok(())
}

/// One claimed attempt of a key given back.
async fn give_back_one(tx: &mut crate::db::Tx, key: &str) -> Result<(), AppError> {
    let sql = "UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0";
    on_conn!(tx, c => sqlx::query(sql).bind(key).execute(c).await.map(|r| r.rows_affected())).map_err(internal)?;
    Ok(())
}

/// Gives back the attempts claimed on these keys when no password was checked (the
/// hashing slots were busy): the owner must not pay for the server's load.
pub async fn give_back(db: &Db, keys: &[(String, Rule)]) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    for (key, _) in keys {
        give_back_one(&mut tx, key).await?;
    }
    tx.commit().await
}

/// The French answer to an attempt that came too early.
pub fn too_early(wait: i64) -> AppError {
    let when = if wait < 60 {
        format!("{} seconde{}", wait.max(1), if wait > 1 { "s" } else { "" })
    } else {
        let m = (wait + 59) / 60;
        format!("{m} minute{}", if m > 1 { "s" } else { "" })
    };
    AppError::TooManyAttempts(format!("Trop de tentatives de connexion échouées. Réessayez dans {when}."))
}

pub fn account_key(email: &str) -> String {
    format!("a:{email}")
}

/// The key of a client address: an IPv4 address as it is (an IPv4-mapped IPv6 one as its
/// IPv4 form), an IPv6 address by its /64 — one host or home network holds a whole /64 and
/// would otherwise get a fresh allowance with every address of it.
pub fn address_key(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("i:{v4}"),
            None => {
                let s = v6.segments();
                format!("i:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(v4) => format!("i:{v4}"),
        Err(_) => format!("i:{ip}"),
    }
}

/// The key of an account on a browser that logged into it before: the browser shows a
/// `ouvrage_device` cookie made at that login ([`device_token`]), which an attacker
/// elsewhere does not have.
pub fn device_key(email: &str) -> String {
    format!("d:{email}")
}

/// How long a device cookie is honoured after the login that made it.
pub const DEVICE_SECONDS: i64 = 365 * 24 * 3600;

/// The device cookie's value: when it was made, and the signature of the e-mail, that time
/// and a piece of the account's password hash (a new password voids every device).
pub fn device_token(secret: &[u8], email: &str, password_hash: &str, now: i64) -> String {
    let issued = now.to_string();
    format!("{issued}.{}", crate::secret::sign(secret, &["device", email, &issued, hash_piece(password_hash)]))
}

/// Whether a device cookie is one we made for this account, with its password, within
/// [`DEVICE_SECONDS`].
pub fn device_valid(secret: &[u8], email: &str, password_hash: &str, token: &str, now: i64) -> bool {
    let Some((issued, sig)) = token.split_once('.') else { return false };
    let Ok(at) = issued.parse::<i64>() else { return false };
    at <= now + 60 && now - at < DEVICE_SECONDS && crate::secret::verify(secret, &["device", email, issued, hash_piece(password_hash)], sig)
}

fn hash_piece(hash: &str) -> &str {
    &hash[hash.len().saturating_sub(16)..]
}

/// The cookie's name.
pub const DEVICE_COOKIE: &str = "ouvrage_device";

/// Password hashes run on blocking threads, at most one per core at once: each takes 19
/// MiB and tens of milliseconds, so anonymous requests must not start hundreds. A request
/// that cannot start its hash within a short wait is refused at once.
#[derive(Clone, Debug)]
pub struct Hashing {
    slots: Arc<tokio::sync::Semaphore>,
    /// Hashes running now, and the most that ever ran at once (a figure printed at exit).
    running: Arc<std::sync::atomic::AtomicUsize>,
    peak: Arc<std::sync::atomic::AtomicUsize>,
}

/// How long a request waits for a free hashing slot before it is refused.
pub const HASH_WAIT: Duration = Duration::from_millis(300);

impl Hashing {
    pub fn new(slots: usize) -> Hashing {
        Hashing { slots: Arc::new(tokio::sync::Semaphore::new(slots.max(1))), running: Default::default(), peak: Default::default() }
    }

    /// One slot per core of this machine.
    pub fn per_core() -> Hashing {
        Hashing::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2))
    }

    /// Runs `work` (a hash or a verification) on a blocking thread once a slot is free.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let busy =
            || AppError::TooManyAttempts("Le serveur vérifie beaucoup de mots de passe en ce moment. Réessayez dans un instant.".into());
        let permit = match tokio::time::timeout(HASH_WAIT, self.slots.clone().acquire_owned()).await {
            Ok(Ok(p)) => p,
            _ => return Err(busy()),
        };
        let (running, peak) = (self.running.clone(), self.peak.clone());
        let out = tokio::task::spawn_blocking(move || {
            use std::sync::atomic::Ordering::SeqCst;
            peak.fetch_max(running.fetch_add(1, SeqCst) + 1, SeqCst);
            let out = work();
            running.fetch_sub(1, SeqCst);
            drop(permit);
            out
        })
        .await
        .map_err(|_| AppError::Internal)?;
        Ok(out)
    }

    /// The most hashes that ran at once since the start.
    pub fn peak(&self) -> usize {
        self.peak.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_cap() {
        let d: Vec<i64> = (0..14).map(|f| delay(ACCOUNT, f)).collect();
        assert_eq!(&d[..5], &[0, 0, 0, 0, 0]);
        assert_eq!(&d[5..11], &[5, 10, 20, 40, 80, 160]);
        assert_eq!(d[11], 300);
        assert_eq!(delay(ACCOUNT, 1_000_000), 300);
        assert_eq!(delay(ADDRESS, 29), 0);
        assert_eq!(delay(ADDRESS, 30), 5);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn hashes_run_at_most_one_per_slot_and_waiting_ones_are_refused_fast() {
        let h = Hashing::new(2);
        let jobs = (0..12).map(|_| {
            let h = h.clone();
            tokio::spawn(async move { h.run(|| std::thread::sleep(Duration::from_millis(200))).await })
        });
        let results = futures::future::join_all(jobs).await;
        let refused = results.iter().filter(|r| matches!(r, Ok(Err(AppError::TooManyAttempts(_))))).count();
        assert_eq!(h.peak(), 2, "never more hashes at once than slots");
        assert!(refused >= 6, "those that cannot start within {HASH_WAIT:?} are refused: {refused}");
    }

    #[test]
    fn addresses_are_keyed_by_host_or_network() {
        assert_eq!(address_key("203.0.113.9"), "i:203.0.113.9");
        assert_eq!(address_key("::ffff:203.0.113.9"), "i:203.0.113.9");
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), address_key("2001:db8:1:2:bbbb:cccc:dddd:eeee"));
        assert_ne!(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:3::1"));
    }

    #[test]
    fn device_cookies_expire_and_follow_the_password() {
        let k = b"secret-secret-secret-secret-0000";
        let h = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA";
        let t = device_token(k, "a@b.fr", h, 1_000_000);
        assert!(device_valid(k, "a@b.fr", h, &t, 1_000_100));
        assert!(!device_valid(k, "c@b.fr", h, &t, 1_000_100), "another account");
        assert!(!device_valid(k, "a@b.fr", "$argon2id$other-hash-0123456789abcdef", &t, 1_000_100), "a new password");
        assert!(!device_valid(k, "a@b.fr", h, &t, 1_000_000 + DEVICE_SECONDS + 1), "too old");
        assert!(!device_valid(k, "a@b.fr", h, &t.replace("1000000.", "1000001."), 1_000_100), "date changed");
    }

    #[test]
    fn french_waits() {
        assert!(too_early(1).to_string().ends_with("dans 1 seconde."));
        assert!(too_early(30).to_string().ends_with("dans 30 secondes."));
        assert!(too_early(61).to_string().ends_with("dans 2 minutes."));
    }
}
