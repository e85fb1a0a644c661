//! «Vérifier mon domaine»: a real DNS lookup of the sender domain's SPF record, evaluated
//! by `mail-auth` (RFC 7208 `check_host`) for each of our sending addresses, the DMARC
//! record's presence, and the one record to publish when we are not authorised; with
//! the company's proof of the domain (`proof.rs`). Results are kept in
//! `mail_domain_check` for `OUVRAGE_SPF_TTL` seconds.

use std::net::IpAddr;

use mail_auth::hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use mail_auth::hickory_resolver::proto::rr::RData;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{MessageAuthenticator, SpfResult};

use crate::db::{Db, Tenant, internal, now};
use crate::error::AppError;
use crate::mail::config::MailConfig;
use crate::mail::model::{DomainReport, DomainStatus, DomainView, Ownership};
use crate::mail::proof;
use crate::on_pool;

/// The resolver of the check: the configured server (`OUVRAGE_DNS`), else the system's.
pub fn authenticator(cfg: &MailConfig) -> Result<MessageAuthenticator, String> {
    let mut opts = ResolverOpts::default();
    opts.timeout = cfg.dns_timeout;
    opts.attempts = 1;
    opts.cache_size = 0;
    let config = match cfg.dns {
        Some(addr) => {
            let mut udp = ConnectionConfig::udp();
            udp.port = addr.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = addr.port();
            ResolverConfig::from_parts(None, vec![], vec![NameServerConfig::new(addr.ip(), true, vec![udp, tcp])])
        }
        None => {
            let (config, system_opts) = mail_auth::hickory_resolver::system_conf::read_system_conf().map_err(|e| e.to_string())?;
            opts.ndots = system_opts.ndots;
            config
        }
    };
    MessageAuthenticator::new(config, opts).map_err(|e| e.to_string())
}

/// The TXT records of `name`, each as one string; `Err` when DNS did not answer
/// (timeout, server failure).
async fn txt_all(auth: &MessageAuthenticator, name: &str) -> Result<Vec<String>, String> {
    let fqdn = if name.ends_with('.') { name.to_string() } else { format!("{name}.") };
    match auth.0.txt_lookup(fqdn.as_str()).await {
        Ok(lookup) => Ok(lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::TXT(txt) => Some(txt.txt_data.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect::<String>()),
                _ => None,
            })
            .collect()),
        Err(e) if e.is_no_records_found() || e.is_nx_domain() => Ok(Vec::new()),
        Err(e) => Err(e.to_string()),
    }
}

/// The TXT records of `name` that start with `prefix` (e.g. `v=spf1`).
async fn txt_records(auth: &MessageAuthenticator, name: &str, prefix: &str) -> Result<Vec<String>, String> {
    Ok(txt_all(auth, name)
        .await?
        .into_iter()
        .filter(|t| {
            let l = t.to_ascii_lowercase();
            l.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ';']))
        })
        .collect())
}

/// The TXT records of `name`, through the check's resolver (the proof of a domain).
pub async fn txt_values(cfg: &MailConfig, name: &str) -> Result<Vec<String>, String> {
    txt_all(&authenticator(cfg)?, name).await
}

/// Our sending addresses: the configured ones, else those of the SMTP host.
async fn sending_ips(cfg: &MailConfig) -> Vec<IpAddr> {
    if !cfg.sending_ips.is_empty() {
        return cfg.sending_ips.clone();
    }
    let Some(smtp) = &cfg.smtp else { return Vec::new() };
    match tokio::net::lookup_host((smtp.host.as_str(), smtp.port)).await {
        Ok(addrs) => addrs.map(|a| a.ip()).collect(),
        Err(_) => Vec::new(),
    }
}

/// The record to publish: the current one with our `include:` right after `v=spf1`
/// (so that it is evaluated before `all` and `redirect=`), or a new one.
pub fn proposed_record(current: Option<&str>, include: &str) -> String {
    match current {
        Some(rec) => {
            let rest = rec.trim()[6..].trim();
            if rest.is_empty() { format!("v=spf1 include:{include} ~all") } else { format!("v=spf1 include:{include} {rest}") }
        }
        None => format!("v=spf1 mx include:{include} ~all"),
    }
}

/// What an unverifiable domain means for sending: fail closed, but never block.
const UNBLOCKED: &str = "L'envoi n'est pas bloqué : vos e-mails partent en attendant de notre adresse, avec réponse à la vôtre.";

/// Runs the check now (DNS), without the cache.
pub async fn check(cfg: &MailConfig, domain: &str) -> DomainReport {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let report = |status, spf_records: Vec<String>, proposed: Option<String>, dmarc: Option<String>, message: String| DomainReport {
        domain: domain.clone(),
        status,
        spf_records,
        proposed,
        dmarc,
        message,
        checked_at: now(),
    };
    let auth = match authenticator(cfg) {
        Ok(a) => a,
        Err(e) => {
            return report(
                DomainStatus::Unknown,
                vec![],
                None,
                None,
                format!("Impossible de vérifier le domaine {domain} : pas de résolveur DNS ({e}). {UNBLOCKED}"),
            );
        }
    };
    let records = match txt_records(&auth, &domain, "v=spf1").await {
        Ok(r) => r,
        Err(_) => {
            return report(
                DomainStatus::Unknown,
                vec![],
                None,
                None,
                format!("Impossible de vérifier le domaine {domain} : le DNS n'a pas répondu. {UNBLOCKED} Réessayez plus tard."),
            );
        }
    };
    let dmarc = txt_records(&auth, &format!("_dmarc.{domain}"), "v=dmarc1").await.ok().and_then(|r| r.into_iter().next());
    let dmarc_note = match &dmarc {
        Some(_) => " Un enregistrement DMARC est publié.".to_string(),
        None => " Aucun enregistrement DMARC n'est publié (_dmarc) : il est recommandé d'en ajouter un.".to_string(),
    };
    if records.len() > 1 {
        let merged = proposed_record(Some(&records[0]), &cfg.spf_include);
        return report(
            DomainStatus::Broken,
            records.clone(),
            Some(merged),
            dmarc,
            format!(
                "Le domaine {domain} publie {} enregistrements SPF : c'est une erreur (un seul est permis), les serveurs de réception rejettent alors la vérification. \
             Remplacez-les par un seul enregistrement TXT, en fusionnant leurs mécanismes.{dmarc_note}",
                records.len()
            ),
        );
    }
    let Some(current) = records.first().cloned() else {
        let proposed = proposed_record(None, &cfg.spf_include);
        return report(
            DomainStatus::NoRecord,
            vec![],
            Some(proposed.clone()),
            dmarc,
            format!(
                "Le domaine {domain} ne publie pas d'enregistrement SPF : les e-mails partiront de notre adresse, avec réponse à la vôtre. \
             Pour envoyer depuis votre adresse, publiez cet enregistrement TXT sur {domain} : {proposed}{dmarc_note}"
            ),
        );
    };
    let ips = sending_ips(cfg).await;
    if ips.is_empty() {
        return report(
            DomainStatus::Unknown,
            records,
            None,
            dmarc,
            format!("Impossible de vérifier le domaine {domain} : l'adresse de nos serveurs d'envoi n'est pas configurée. {UNBLOCKED}"),
        );
    }
    let mut worst = SpfResult::Pass;
    for ip in ips {
        let sender = format!("postmaster@{domain}");
        let out = auth.check_host(SpfParameters::new(ip, &domain, &cfg.host, &cfg.host, &sender).into()).await;
        if out.result() != SpfResult::Pass {
            worst = out.result();
            break;
        }
    }
    let proposed = proposed_record(Some(&current), &cfg.spf_include);
    match worst {
        SpfResult::Pass => report(
            DomainStatus::Authorised,
            records,
            None,
            dmarc,
            format!("Le domaine {domain} autorise nos serveurs d'envoi (SPF).{dmarc_note}"),
        ),
        SpfResult::TempError => report(
            DomainStatus::Unknown,
            records,
            None,
            dmarc,
            format!("Impossible de vérifier le domaine {domain} : une recherche DNS n'a pas abouti. {UNBLOCKED} Réessayez plus tard."),
        ),
        SpfResult::PermError => report(
            DomainStatus::Broken,
            records,
            Some(proposed),
            dmarc,
            format!(
                "L'enregistrement SPF du domaine {domain} est invalide (syntaxe, boucle d'include ou plus de 10 recherches DNS) : \
             les serveurs de réception le rejettent. Corrigez-le ; les e-mails partent en attendant de notre adresse, avec réponse à la vôtre.{dmarc_note}"
            ),
        ),
        _ => report(
            DomainStatus::NotAuthorised,
            records,
            Some(proposed.clone()),
            dmarc,
            format!(
                "Le domaine {domain} n'autorise pas nos serveurs d'envoi : vos e-mails partiraient en indésirables ou seraient refusés. \
             En attendant, ils partent de notre adresse avec réponse à la vôtre. Remplacez votre enregistrement SPF par celui-ci \
             (ne créez pas un second enregistrement) : {proposed}{dmarc_note}"
            ),
        ),
    }
}

/// A sender domain as stored (`example.fr`, lower case, no final dot).
pub fn normalise(domain: &str) -> String {
    domain.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The last check of `domain` stored for the company (its time), if any.
async fn stored_report(db: &Db, tenant: &Tenant, domain: &str) -> Result<Option<(DomainReport, i64)>, AppError> {
    let row: Option<(String, i64)> =
        on_pool!(db, c => sqlx::query_as("SELECT report, checked_at FROM mail_domain_check WHERE company_id = $1 AND domain = $2")
        .bind(tenant.company_id()).bind(domain).fetch_optional(c).await)
        .map_err(internal)?;
    Ok(row.and_then(|(json, at)| serde_json::from_str::<DomainReport>(&json).ok().map(|r| (r, at))))
}

/// The last check of `domain` for the company and its proof, as stored (no DNS); `None`
/// before the first check.
pub async fn stored(db: &Db, tenant: &Tenant, domain: &str) -> Result<Option<DomainView>, AppError> {
    let domain = normalise(domain);
    let row = proof::row(db, tenant, &domain).await?;
    let Some((report, _)) = stored_report(db, tenant, &domain).await? else { return Ok(None) };
    let ownership = row.as_ref().map_or(Ownership::NotRequested, proof::ProofRow::ownership);
    Ok(Some(DomainView { report, proof: proof::view(&domain, row.as_ref(), ownership) }))
}

/// The check of `domain` for the company (SPF, and the company's proof of the domain),
/// from the cache when fresher than the TTL, else run and stored. The proof's claim is
/// read from the database every time.
pub async fn cached(db: &Db, tenant: &Tenant, cfg: &MailConfig, domain: &str, force: bool) -> Result<DomainView, AppError> {
    let domain = normalise(domain);
    let row = proof::row(db, tenant, &domain).await?;
    if !force
        && let Some((report, at)) = stored_report(db, tenant, &domain).await?
        && now() - at < cfg.spf_ttl_secs
    {
        let ownership = row.as_ref().map_or(Ownership::NotRequested, proof::ProofRow::ownership);
        return Ok(DomainView { report, proof: proof::view(&domain, row.as_ref(), ownership) });
    }
    let report = check(cfg, &domain).await;
    let (row, ownership) = match row {
        Some(r) => {
            let ownership = proof::check(db, tenant, cfg, &domain, &r).await?;
            (proof::row(db, tenant, &domain).await?, ownership)
        }
        None => (None, Ownership::NotRequested),
    };
    let json = serde_json::to_string(&report).map_err(|_| AppError::Internal)?;
    let mut tx = db.begin().await?;
    crate::on_conn!(&mut tx, c => sqlx::query(
        "INSERT INTO mail_domain_check (company_id, domain, status, report, checked_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (company_id, domain) DO UPDATE SET status = excluded.status, report = excluded.report, checked_at = excluded.checked_at")
        .bind(tenant.company_id()).bind(&domain).bind(report.status.code()).bind(&json).bind(report.checked_at).execute(c).await.map(|r| r.rows_affected()))
    .map_err(internal)?;
    tx.commit().await?;
    Ok(DomainView { report, proof: proof::view(&domain, row.as_ref(), ownership) })
}

/// The domain of an address (`a@b.fr` → `b.fr`).
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::proposed_record;

    #[test]
    fn the_include_goes_first_and_the_record_stays_one() {
        assert_eq!(proposed_record(Some("v=spf1 mx -all"), "_spf.o.fr"), "v=spf1 include:_spf.o.fr mx -all");
        assert_eq!(proposed_record(Some("v=spf1 redirect=_spf.x.fr"), "_spf.o.fr"), "v=spf1 include:_spf.o.fr redirect=_spf.x.fr");
        assert_eq!(proposed_record(None, "_spf.o.fr"), "v=spf1 mx include:_spf.o.fr ~all");
    }
}
