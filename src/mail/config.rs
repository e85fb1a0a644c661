//! Mail settings, read from the environment (README, «Configuration»).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Where the outbox sends: `SMTP_URL` = `smtp://[user:password@]host[:port]` (plain,
/// `?tls=starttls` to require STARTTLS) or `smtps://…` (implicit TLS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpTarget {
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    pub credentials: Option<(String, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tls {
    None,
    StartTls,
    Implicit,
}

#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `SMTP_URL`; without it nothing is sent (mails wait in the outbox).
    pub smtp: Option<SmtpTarget>,
    /// `OUVRAGE_MAIL_FROM`: the application's own address, used while a user's domain
    /// does not authorise our servers.
    pub app_from: String,
    /// `OUVRAGE_MAIL_HOST`: our name in EHLO and in Message-IDs.
    pub host: String,
    /// `OUVRAGE_SPF_INCLUDE`: what a customer adds to their SPF record.
    pub spf_include: String,
    /// `OUVRAGE_SENDING_IPS`: the addresses our mail leaves from (checked against SPF);
    /// by default those of the SMTP host.
    pub sending_ips: Vec<IpAddr>,
    /// `OUVRAGE_DNS`: the DNS server for the check (`ip:port`); the system's by default.
    pub dns: Option<SocketAddr>,
    /// `OUVRAGE_DNS_TIMEOUT_MS`
    pub dns_timeout: Duration,
    /// `OUVRAGE_SPF_TTL` (seconds): how long a check result is reused.
    pub spf_ttl_secs: i64,
    /// `OUVRAGE_MAIL_CONNECTIONS`: SMTP connections (and sending tasks) per process.
    pub connections: usize,
    /// `OUVRAGE_MAIL_BACKOFF_MS`: first retry delay after a transient failure (doubled
    /// each time, at most an hour).
    pub backoff_ms: i64,
    /// Transient failures before a mail is marked failed.
    pub max_attempts: i64,
    /// `OUVRAGE_MAIL_LEASE_MS`: how long a claim holds before another process may take
    /// the mail over.
    pub lease_ms: i64,
    /// `OUVRAGE_MAIL_POLL_MS`: how often an idle worker looks for mail.
    pub poll_ms: u64,
    /// Test hook (`OUVRAGE_MAIL_CRASH_AFTER_SEND=1`): the process aborts right after the
    /// SMTP server accepted a mail, before recording it.
    pub crash_after_send: bool,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            smtp: None,
            app_from: "notifications@ouvrage.fr".into(),
            host: "ouvrage.fr".into(),
            spf_include: "_spf.ouvrage.fr".into(),
            sending_ips: Vec::new(),
            dns: None,
            dns_timeout: Duration::from_secs(3),
            spf_ttl_secs: 3600,
            connections: 8,
            backoff_ms: 30_000,
            max_attempts: 12,
            lease_ms: 600_000,
            poll_ms: 250,
            crash_after_send: false,
        }
    }
}

impl MailConfig {
    pub fn from_env() -> Result<MailConfig, String> {
        let var = |k: &str| std::env::var(k).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let num = |k: &str, d: i64| -> Result<i64, String> {
            var(k).map(|v| v.parse::<i64>().map_err(|_| format!("{k} : nombre attendu"))).unwrap_or(Ok(d))
        };
        let d = MailConfig::default();
        let smtp = var("SMTP_URL").map(|u| parse_smtp_url(&u)).transpose()?;
        let sending_ips = match var("OUVRAGE_SENDING_IPS") {
            Some(list) => list
                .split(',')
                .map(|s| s.trim().parse::<IpAddr>().map_err(|_| format!("OUVRAGE_SENDING_IPS : adresse IP invalide « {s} »")))
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let dns = var("OUVRAGE_DNS")
            .map(|s| s.parse::<SocketAddr>().map_err(|_| format!("OUVRAGE_DNS : « ip:port » attendu, pas « {s} »")))
            .transpose()?;
        Ok(MailConfig {
            smtp,
            app_from: var("OUVRAGE_MAIL_FROM").unwrap_or(d.app_from),
            host: var("OUVRAGE_MAIL_HOST").unwrap_or(d.host),
            spf_include: var("OUVRAGE_SPF_INCLUDE").unwrap_or(d.spf_include),
            sending_ips,
            dns,
            dns_timeout: Duration::from_millis(num("OUVRAGE_DNS_TIMEOUT_MS", 3000)?.max(1) as u64),
            spf_ttl_secs: num("OUVRAGE_SPF_TTL", d.spf_ttl_secs)?,
            connections: num("OUVRAGE_MAIL_CONNECTIONS", d.connections as i64)?.clamp(1, 64) as usize,
            backoff_ms: num("OUVRAGE_MAIL_BACKOFF_MS", d.backoff_ms)?.max(1),
            max_attempts: num("OUVRAGE_MAIL_MAX_ATTEMPTS", d.max_attempts)?.max(1),
            lease_ms: num("OUVRAGE_MAIL_LEASE_MS", d.lease_ms)?.max(1000),
            poll_ms: num("OUVRAGE_MAIL_POLL_MS", d.poll_ms as i64)?.max(10) as u64,
            crash_after_send: var("OUVRAGE_MAIL_CRASH_AFTER_SEND").is_some_and(|v| v == "1"),
        })
    }

    /// The delay before attempt `attempts + 1` after a transient failure.
    pub fn backoff(&self, attempts: i64) -> i64 {
        let shift = (attempts.max(1) - 1).min(20) as u32;
        self.backoff_ms.saturating_mul(1 << shift).min(3_600_000)
    }
}

pub fn parse_smtp_url(url: &str) -> Result<SmtpTarget, String> {
    let bad = || format!("SMTP_URL invalide : « {url} » (smtp://hôte:port ou smtps://utilisateur:motdepasse@hôte:port)");
    let u = url::Url::parse(url).map_err(|_| bad())?;
    let host = u.host_str().filter(|h| !h.is_empty()).ok_or_else(bad)?.trim_matches(['[', ']']).to_string();
    let starttls = u.query_pairs().any(|(k, v)| k == "tls" && v == "starttls");
    let (tls, default_port) = match u.scheme() {
        "smtp" if starttls => (Tls::StartTls, 587),
        "smtp" => (Tls::None, 25),
        "smtps" => (Tls::Implicit, 465),
        _ => return Err(bad()),
    };
    let credentials = (!u.username().is_empty()).then(|| {
        let dec = |s: &str| url::form_urlencoded::parse(s.as_bytes()).map(|(k, _)| k.into_owned()).next().unwrap_or_default();
        (dec(u.username()), dec(u.password().unwrap_or("")))
    });
    Ok(SmtpTarget { host, port: u.port().unwrap_or(default_port), tls, credentials })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        let t = parse_smtp_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((t.host.as_str(), t.port, t.tls, t.credentials), ("127.0.0.1", 2525, Tls::None, None));
        let t = parse_smtp_url("smtp://moi%40x.fr:p%3Ass@relay.x.fr?tls=starttls").unwrap();
        assert_eq!((t.port, t.tls), (587, Tls::StartTls));
        assert_eq!(t.credentials, Some(("moi@x.fr".into(), "p:ss".into())));
        assert_eq!(parse_smtp_url("smtps://relay.x.fr").unwrap().port, 465);
        assert!(parse_smtp_url("http://x").is_err());
        assert!(parse_smtp_url("pas une url").is_err());
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let c = MailConfig { backoff_ms: 1000, ..MailConfig::default() };
        assert_eq!((c.backoff(1), c.backoff(2), c.backoff(3)), (1000, 2000, 4000));
        assert_eq!(c.backoff(40), 3_600_000);
    }
}
