//! The outbox worker: `OUVRAGE_MAIL_CONNECTIONS` tasks per process, each with its own SMTP
//! connection (kept open between mails, `TCP_NODELAY` so that the end of DATA is not held
//! back by Nagle's algorithm), claiming due mails from the database and recording each
//! outcome. Safe with several processes on one database (claims, leases).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lettre::message::header::ContentType;
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, MailBodyParameter, MailParameter};
use lettre::{Address, Message};
use tokio::sync::watch;

use crate::db::{Db, Tenant};
use crate::mail::config::{MailConfig, SmtpTarget, Tls};
use crate::mail::model::{DomainView, Ownership};
use crate::mail::outbox::{self, Claimed, Outcome};
use crate::mail::spf;

/// Mails claimed at once by a task.
const BATCH: i64 = 8;
/// A connection idle this long is tested (NOOP) before use.
const IDLE_CHECK: Duration = Duration::from_secs(5);

/// The running worker; `stop` lets the tasks finish the mail in hand and give back the
/// rest of their claims.
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Workers {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Starts the worker when `SMTP_URL` is set.
pub fn start(db: Db, cfg: Arc<MailConfig>) -> Option<Workers> {
    cfg.smtp.as_ref()?;
    let (stop, rx) = watch::channel(false);
    let process = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
    let tasks =
        (0..cfg.connections).map(|i| tokio::spawn(task(db.clone(), cfg.clone(), format!("{process}-{i}"), i == 0, rx.clone()))).collect();
    Some(Workers { stop, tasks })
}

struct Connection {
    conn: AsyncSmtpConnection,
    last_used: Instant,
}

async fn task(db: Db, cfg: Arc<MailConfig>, me: String, recovers: bool, mut stop: watch::Receiver<bool>) {
    let mut conn: Option<Connection> = None;
    let mut identities: HashMap<(i64, String), (DomainView, Instant)> = HashMap::new();
    let mut last_recover: Option<Instant> = None;
    while !*stop.borrow() {
        if recovers && last_recover.is_none_or(|t| t.elapsed() > Duration::from_secs(5)) {
            last_recover = Some(Instant::now());
            if let Err(e) = outbox::recover(&db, None).await {
                tracing::warn!("outbox: recovery failed: {e}");
            }
        }
        let batch = match outbox::claim(&db, &me, BATCH, cfg.lease_ms).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!("outbox: claim failed: {e}");
                Vec::new()
            }
        };
        if batch.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(cfg.poll_ms)) => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        if let Err(e) = outbox::step(&db, &cfg, &me, None, Some(batch[0].id)).await {
            tracing::warn!("outbox: {e}");
            continue;
        }
        for (i, mail) in batch.iter().enumerate() {
            let outcome = send_one(&db, &cfg, &mut conn, &mut identities, mail).await;
            if cfg.crash_after_send && matches!(outcome, Outcome::Sent { .. }) {
                std::process::abort();
            }
            let next = if *stop.borrow() { None } else { batch.get(i + 1).map(|m| m.id) };
            let stop_here = next.is_none();
            if let Err(e) = outbox::step(&db, &cfg, &me, Some((mail, outcome)), next).await {
                tracing::error!("outbox: the outcome of mail {} could not be recorded: {e}", mail.id);
                break;
            }
            if stop_here {
                break;
            }
        }
        // Claims not begun (stop, or a recording failure) go back to the queue.
        if let Err(e) = outbox::recover(&db, Some(&me)).await {
            tracing::warn!("outbox: {e}");
        }
    }
    if let Some(mut c) = conn {
        let _ = c.conn.quit().await;
    }
}

/// How long a task reuses a sender decision: a minute to send as the user; a few seconds
/// otherwise, so that a domain just verified is used at once.
fn remembered(v: &DomainView) -> Duration {
    if v.sends_as_user() { Duration::from_secs(60) } else { Duration::from_secs(5) }
}

/// The identity a mail goes out with: the user's address only when the company has
/// proved the domain (its TXT token seen in DNS, and no other company holds it) and the
/// domain's SPF authorises our servers (`Pass`); anything else, a DNS failure included,
/// fails closed to the application's address with Reply-To the user. Decisions are kept
/// in memory a little while ([`remembered`]).
async fn identity(
    db: &Db,
    cfg: &MailConfig,
    cache: &mut HashMap<(i64, String), (DomainView, Instant)>,
    mail: &Claimed,
) -> (Mailbox, String, String) {
    let domain = spf::domain_of(&mail.from_addr).to_ascii_lowercase();
    let key = (mail.company_id, domain.clone());
    let report = match cache.get(&key) {
        Some((r, at)) if at.elapsed() < remembered(r) => Some(r.clone()),
        _ => match spf::cached(db, &Tenant::trusted(mail.company_id), cfg, &domain, false).await {
            Ok(r) => {
                cache.insert(key, (r.clone(), Instant::now()));
                Some(r)
            }
            Err(_) => None,
        },
    };
    let user = Address::from_str(&mail.from_addr).ok();
    match (report, user) {
        (Some(r), Some(addr)) if r.sends_as_user() => {
            (Mailbox::new(Some(mail.from_name.clone()), addr), mail.from_addr.clone(), String::new())
        }
        (r, _) => {
            let app =
                Address::from_str(&cfg.app_from).unwrap_or_else(|_| Address::new("notifications", "ouvrage.fr").expect("a valid address"));
            let why = match r {
                // SPF first (the record to publish), then the proof of the domain.
                Some(r) => [
                    (!r.report.status.authorises_us()).then_some(r.report.message),
                    (r.proof.ownership != Ownership::Verified).then_some(r.proof.message),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
                None => "Le domaine de votre adresse n'a pas pu être vérifié.".into(),
            };
            let note = format!("Envoyé depuis {} avec réponse à {}, car : {why}", cfg.app_from, mail.reply_to);
            (Mailbox::new(Some(format!("{} (via Ouvrage)", mail.from_name)), app), cfg.app_from.clone(), note)
        }
    }
}

fn build(mail: &Claimed, from: Mailbox, attachments: Vec<outbox::StoredAttachment>) -> Result<Message, String> {
    let parse = |s: &str| Address::from_str(s).map_err(|e| format!("adresse invalide « {s} » : {e}"));
    let alternative = MultiPart::alternative_plain_html(mail.body_text.clone(), mail.body_html.clone());
    let body = if attachments.is_empty() {
        alternative
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for a in attachments {
            let ct = ContentType::parse(&a.mime).unwrap_or(ContentType::parse("application/octet-stream").expect("a content type"));
            mixed = mixed.singlepart(MimeAttachment::new(a.name).body(a.data, ct));
        }
        mixed
    };
    Message::builder()
        .from(from)
        .reply_to(Mailbox::new(Some(mail.from_name.clone()), parse(&mail.reply_to)?))
        .to(Mailbox::new(None, parse(&mail.to_addr)?))
        .subject(mail.subject.clone())
        .message_id(Some(mail.message_id.clone()))
        .date_now()
        .multipart(body)
        .map_err(|e| e.to_string())
}

/// Opens a connection (EHLO, STARTTLS, AUTH); a failure is always worth retrying.
async fn connect(cfg: &MailConfig, t: &SmtpTarget) -> Result<AsyncSmtpConnection, String> {
    let s = |e: lettre::transport::smtp::Error| e.to_string();
    let hello = ClientId::Domain(cfg.host.clone());
    let timeout = Some(Duration::from_secs(30));
    let mut conn = match t.tls {
        Tls::Implicit => {
            let tls = TlsParameters::new(t.host.clone()).map_err(s)?;
            AsyncSmtpConnection::connect_tokio1((t.host.as_str(), t.port), timeout, &hello, Some(tls), None).await.map_err(s)?
        }
        Tls::None | Tls::StartTls => {
            let stream = tokio::time::timeout(Duration::from_secs(30), tokio::net::TcpStream::connect((t.host.as_str(), t.port)))
                .await
                .map_err(|_| format!("connexion à {}:{} trop longue", t.host, t.port))?
                .map_err(|e| format!("connexion à {}:{} impossible : {e}", t.host, t.port))?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(stream), &hello).await.map_err(s)?;
            if t.tls == Tls::StartTls {
                conn.starttls(TlsParameters::new(t.host.clone()).map_err(s)?, &hello).await.map_err(s)?;
            }
            conn
        }
    };
    if let Some((user, password)) = &t.credentials {
        conn.auth(&[Mechanism::Plain, Mechanism::Login], &Credentials::new(user.clone(), password.clone())).await.map_err(s)?;
    }
    Ok(conn)
}

async fn send_one(
    db: &Db,
    cfg: &MailConfig,
    conn: &mut Option<Connection>,
    identities: &mut HashMap<(i64, String), (DomainView, Instant)>,
    mail: &Claimed,
) -> Outcome {
    let (from, sent_from, sender_note) = identity(db, cfg, identities, mail).await;
    let attachments = match outbox::attachments(db, mail.company_id, mail.id).await {
        Ok(a) => a,
        Err(e) => return Outcome::Transient { reply: e.to_string(), advice: "Erreur interne : nouvel essai automatique.".into() },
    };
    let message = match build(mail, from, attachments) {
        Ok(m) => m,
        Err(e) => return Outcome::Permanent { advice: "L'e-mail n'a pas pu être construit : vérifiez les adresses.".into(), reply: e },
    };
    let Some(target) = &cfg.smtp else {
        return Outcome::Transient { reply: "SMTP_URL non configuré".into(), advice: advice(None, "") };
    };
    if let Some(c) = conn.as_mut()
        && (c.conn.has_broken() || (c.last_used.elapsed() > IDLE_CHECK && !c.conn.test_connected().await))
    {
        *conn = None;
    }
    if conn.is_none() {
        match connect(cfg, target).await {
            Ok(c) => *conn = Some(Connection { conn: c, last_used: Instant::now() }),
            Err(e) => return Outcome::Transient { advice: advice(None, &e), reply: e },
        }
    }
    let c = conn.as_mut().expect("connected above");
    let result = transaction(&mut c.conn, &message).await;
    c.last_used = Instant::now();
    match result {
        Ok(reply) => Outcome::Sent { reply, sent_from, sender_note },
        Err(e) => {
            if let Some(mut broken) = conn.take() {
                broken.conn.abort().await;
            }
            let code = e.status().map(|c| c.to_string().parse::<u16>().unwrap_or(0));
            // lettre says «permanent error (550): 5.1.1 …»: keep the server's own words.
            let text = match (code, e.to_string()) {
                (Some(c), t) => format!("{c} {}", t.split_once("): ").map_or(t.as_str(), |(_, rest)| rest)),
                (None, t) => t,
            };
            let advice = advice(code, &text);
            if e.is_permanent() { Outcome::Permanent { reply: text, advice } } else { Outcome::Transient { reply: text, advice } }
        }
    }
}

/// One SMTP transaction, stage by stage (MAIL, RCPT, DATA, content).
async fn transaction(c: &mut AsyncSmtpConnection, message: &Message) -> Result<String, lettre::transport::smtp::Error> {
    let envelope = message.envelope();
    let bytes = message.formatted();
    let mut params = Vec::new();
    if !bytes.is_ascii() {
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    c.command(Mail::new(envelope.from().cloned(), params)).await?;
    for to in envelope.to() {
        c.command(Rcpt::new(to.clone(), vec![])).await?;
    }
    c.command(Data).await?;
    let r = c.message(&bytes).await?;
    Ok(format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" ")))
}

/// French advice for an SMTP failure (code, and the server's text).
pub fn advice(code: Option<u16>, text: &str) -> String {
    let t = text.to_ascii_lowercase();
    let has = |k: &[&str]| k.iter().any(|k| t.contains(k));
    if has(&["spf"]) || has(&["5.7.23", "5.7.26", "5.7.27"]) {
        return "Le serveur du destinataire a refusé l'e-mail : votre domaine n'autorise pas notre serveur d'envoi (SPF). \
                Ouvrez « Mon compte » › « Vérifier mon domaine » : l'enregistrement à publier y est indiqué."
            .into();
    }
    if has(&["dmarc", "5.7.25"]) {
        return "Le serveur du destinataire a refusé l'e-mail au nom de la politique DMARC de votre domaine. \
                Ouvrez « Mon compte » › « Vérifier mon domaine »."
            .into();
    }
    match code {
        Some(550 | 551 | 553)
            if has(&[
                "5.1.1",
                "unknown",
                "no such",
                "does not exist",
                "inconnu",
                "n'existe pas",
                "invalid recipient",
                "user not found",
            ]) =>
        {
            "L'adresse du destinataire n'existe pas : corrigez-la sur la fiche du client, puis renvoyez.".into()
        }
        Some(552) if has(&["5.3.4", "size", "too big", "too large", "taille"]) => {
            "L'e-mail est trop volumineux pour le serveur du destinataire : allégez les pièces jointes.".into()
        }
        Some(452 | 552) => {
            "La boîte du destinataire est pleine : nouvel essai automatique ; prévenez-le par téléphone si cela dure.".into()
        }
        Some(554 | 550) if has(&["spam", "blocked", "blacklist", "reputation", "5.7.1", "policy"]) => {
            "Le serveur du destinataire a refusé l'e-mail comme indésirable. Vérifiez votre domaine (« Vérifier mon domaine ») \
             et évitez les liens raccourcis ; appelez le client si besoin."
                .into()
        }
        Some(c) if (400..500).contains(&c) => "Le serveur du destinataire refuse momentanément : nouvel essai automatique.".into(),
        Some(c) if c >= 500 => "Le serveur a refusé l'e-mail définitivement. Vérifiez l'adresse du destinataire, puis renvoyez.".into(),
        _ => "Le serveur d'envoi ne répond pas : nouvel essai automatique dans quelques instants.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::advice;

    #[test]
    fn smtp_answers_become_french_advice() {
        assert!(advice(Some(550), "550 5.7.23 SPF validation failed").contains("SPF"));
        assert!(advice(Some(550), "550 5.1.1 <x@y.fr>: Recipient address rejected: User unknown").contains("n'existe pas"));
        assert!(advice(Some(552), "552 5.3.4 Message size exceeds fixed limit").contains("volumineux"));
        assert!(advice(Some(421), "421 Service not available").contains("momentanément"));
        assert!(advice(None, "Connection refused").contains("ne répond pas"));
    }
}
