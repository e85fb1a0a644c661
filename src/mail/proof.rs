//! Proof that a company holds its sender domain (issue 27, point 7). SPF says which
//! servers may send for a domain, not which of our customers: without this proof any
//! company could create a user at another customer's domain and send as them.
//!
//! «Vérifier mon domaine» gives the company a token, kept per (company, domain) in
//! `mail_domain_verification`; the company publishes the TXT record
//! `_ouvrage.<domain>` = `ouvrage-verification=<token>`; the domain is proved when the
//! check (the SPF check's resolver, `OUVRAGE_DNS`) sees that record. The first company to
//! prove a domain holds it (`verified_at`, unique per domain): another company's token,
//! even published, never takes it. Only Ouvrage's administrator withdraws a claim
//! (`state = 'revoked'`, docs/mail.md).

use crate::db::{Db, Tenant, internal, is_unique_violation, now};
use crate::error::AppError;
use crate::mail::config::MailConfig;
use crate::mail::model::{DomainProof, Ownership};
use crate::mail::spf;

/// The name of the verification record of `domain`.
pub fn record_name(domain: &str) -> String {
    format!("_ouvrage.{domain}")
}

/// The value of the verification record for `token`.
pub fn record_value(token: &str) -> String {
    format!("ouvrage-verification={token}")
}

/// A company's verification row for one domain.
#[derive(Clone, Debug)]
pub struct ProofRow {
    pub token: String,
    pub verified_at: Option<i64>,
    pub state: String,
}

impl ProofRow {
    /// The ownership as recorded by the last check. `Verified` needs the claim
    /// (`verified_at`) as well: an administrator's withdrawal takes effect at once.
    pub fn ownership(&self) -> Ownership {
        match Ownership::from_code(&self.state) {
            Ownership::Verified if self.verified_at.is_none() => Ownership::Pending,
            o => o,
        }
    }
}

/// This company's row for `domain`, if it asked for a token.
pub async fn row(db: &Db, tenant: &Tenant, domain: &str) -> Result<Option<ProofRow>, AppError> {
    let r: Option<(String, Option<i64>, String)> = crate::on_pool!(db, c => sqlx::query_as(
        "SELECT token, verified_at, state FROM mail_domain_verification WHERE company_id = $1 AND domain = $2")
        .bind(tenant.company_id()).bind(domain).fetch_optional(c).await)
    .map_err(internal)?;
    Ok(r.map(|(token, verified_at, state)| ProofRow { token, verified_at, state }))
}

/// Gives the company its token for `domain` (kept if it has one: what was published
/// stays valid).
pub async fn ensure_token(db: &Db, tenant: &Tenant, user_id: i64, domain: &str) -> Result<(), AppError> {
    let token: String = {
        use rand::Rng;
        let mut r = rand::thread_rng();
        (0..16).map(|_| format!("{:02x}", r.r#gen::<u8>())).collect()
    };
    let mut tx = db.begin().await?;
    crate::on_conn!(&mut tx, c => sqlx::query(
        "INSERT INTO mail_domain_verification (company_id, domain, token, created_by, created_at, state) VALUES ($1, $2, $3, $4, $5, 'pending') \
         ON CONFLICT (company_id, domain) DO NOTHING")
        .bind(tenant.company_id()).bind(domain).bind(&token).bind(user_id).bind(now()).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    tx.commit().await
}

/// Looks for the company's record in DNS now, claims the domain when it is seen and no
/// company holds it yet, and records the outcome.
pub async fn check(db: &Db, tenant: &Tenant, cfg: &MailConfig, domain: &str, row: &ProofRow) -> Result<Ownership, AppError> {
    if row.state == Ownership::Revoked.code() {
        return Ok(Ownership::Revoked);
    }
    let expected = record_value(&row.token);
    let ownership = match spf::txt_values(cfg, &record_name(domain)).await {
        Err(_) => Ownership::Unknown,
        Ok(values) if !values.iter().any(|v| v.trim() == expected) => Ownership::Pending,
        Ok(_) if row.verified_at.is_some() => Ownership::Verified,
        Ok(_) => claim(db, tenant, domain).await?,
    };
    let mut tx = db.begin().await?;
    crate::on_conn!(&mut tx, c => sqlx::query(
        "UPDATE mail_domain_verification SET state = $3, checked_at = $4 WHERE company_id = $1 AND domain = $2 AND state <> 'revoked'")
        .bind(tenant.company_id()).bind(domain).bind(ownership.code()).bind(now()).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    tx.commit().await?;
    Ok(ownership)
}

/// Takes the domain for the company: the unique index on verified domains lets one
/// company at most hold it, whatever the timing.
async fn claim(db: &Db, tenant: &Tenant, domain: &str) -> Result<Ownership, AppError> {
    let mut tx = db.begin().await?;
    let r = crate::on_conn!(&mut tx, c => sqlx::query(
        "UPDATE mail_domain_verification SET verified_at = $3 WHERE company_id = $1 AND domain = $2 AND verified_at IS NULL AND state <> 'revoked'")
        .bind(tenant.company_id()).bind(domain).bind(now()).execute(c).await.map(|r| r.rows_affected()));
    match r {
        Ok(1) => {
            tx.commit().await?;
            Ok(Ownership::Verified)
        }
        Ok(_) => Ok(Ownership::Pending),
        Err(e) if is_unique_violation(&e) => Ok(Ownership::OtherCompany),
        Err(e) => Err(internal(e)),
    }
}

/// What the page and the sender note say of the proof.
pub fn view(domain: &str, row: Option<&ProofRow>, ownership: Ownership) -> DomainProof {
    let name = record_name(domain);
    let value = row.map(|r| record_value(&r.token)).unwrap_or_default();
    let meanwhile = "En attendant, vos e-mails partent de notre adresse, avec réponse à la vôtre.";
    let message = match ownership {
        Ownership::NotRequested => format!(
            "Votre entreprise n'a pas encore prouvé que le domaine {domain} est le sien : ouvrez « Vérifier mon domaine » \
             et publiez l'enregistrement TXT indiqué. {meanwhile}"
        ),
        Ownership::Pending => format!(
            "L'enregistrement de vérification n'est pas visible : publiez sur {name} l'enregistrement TXT « {value} », \
             puis cliquez sur « Vérifier mon domaine » (la publication peut prendre jusqu'à quelques heures). {meanwhile}"
        ),
        Ownership::Verified => format!(
            "Votre entreprise a prouvé que le domaine {domain} est le sien (enregistrement {name}). Laissez cet enregistrement publié."
        ),
        Ownership::OtherCompany => format!(
            "Le domaine {domain} a déjà été vérifié par une autre entreprise : il ne peut pas servir d'expéditeur à la vôtre. \
             {meanwhile} Si ce domaine est désormais le vôtre, contactez l'assistance d'Ouvrage."
        ),
        Ownership::Unknown => {
            format!("Impossible de vérifier l'enregistrement {name} : le DNS n'a pas répondu. {meanwhile} Réessayez plus tard.")
        }
        Ownership::Revoked => format!(
            "La vérification du domaine {domain} a été retirée par l'assistance d'Ouvrage. {meanwhile} Contactez l'assistance si le domaine est le vôtre."
        ),
    };
    DomainProof {
        domain: domain.to_string(),
        ownership,
        record_name: name,
        record_value: value,
        verified_at: row.and_then(|r| r.verified_at),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_proof_record_and_withdrawn_claims() {
        assert_eq!(record_name("martin-chauffage.fr"), "_ouvrage.martin-chauffage.fr");
        assert_eq!(record_value("0a1b"), "ouvrage-verification=0a1b");
        let row = |state: &str, verified_at| ProofRow { token: "t".into(), verified_at, state: state.into() };
        assert_eq!(row("verified", Some(1)).ownership(), Ownership::Verified);
        assert_eq!(row("verified", None).ownership(), Ownership::Pending, "a withdrawn claim is not a proof");
        assert_eq!(row("unknown", Some(1)).ownership(), Ownership::Unknown, "a DNS failure is not a proof");
        let v = view("x.fr", Some(&row("pending", None)), Ownership::Pending);
        assert!(v.message.contains("_ouvrage.x.fr") && v.message.contains("ouvrage-verification=t"), "{}", v.message);
    }
}
