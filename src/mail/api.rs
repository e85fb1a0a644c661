//! Server functions of mail: «Vérifier mon domaine», a document's «Envoyer par e-mail»
//! and its mails, «Renvoyer».

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::mail::model::{DomainView, MailView};

/// The mails of a document and what its «Envoyer par e-mail» form starts with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentMailsView {
    pub mails: Vec<MailView>,
    pub to: String,
    pub subject: String,
    pub message: String,
    /// One-use token of this form: posting it twice queues one mail.
    pub token: String,
}

/// The last check of my sender domain, with my company's proof of it and the TXT record
/// to publish (none yet: `None`).
#[server(prefix = "/api", endpoint = "mail/domain")]
pub async fn my_domain() -> Result<Option<DomainView>, AppError> {
    let cx = crate::auth::session::ctx().await?;
    let domain = crate::mail::spf::domain_of(&cx.me.email).to_string();
    crate::mail::spf::stored(&cx.db, &cx.tenant, &domain).await
}

/// «Vérifier mon domaine»: gives my company its verification token for the domain of my
/// address (kept once given), then checks the domain now: the token's TXT record
/// (`_ouvrage.<domain>`) and SPF.
#[server(prefix = "/api", endpoint = "mail/check_domain")]
pub async fn check_my_domain() -> Result<DomainView, AppError> {
    let cx = crate::auth::session::ctx().await?;
    let st = crate::auth::session::state()?;
    let domain = crate::mail::spf::normalise(crate::mail::spf::domain_of(&cx.me.email));
    if domain.is_empty() {
        return Err(AppError::invalid("domain", "Votre adresse e-mail n'a pas de domaine à vérifier."));
    }
    crate::mail::proof::ensure_token(&cx.db, &cx.tenant, cx.user_id(), &domain).await?;
    let report = crate::mail::spf::cached(&cx.db, &cx.tenant, &st.config.mail, &domain, true).await?;
    leptos_axum::redirect("/preferences/domaine?verifie=1");
    Ok(report)
}

#[server(prefix = "/api", endpoint = "mail/document")]
pub async fn document_mails(id: i64) -> Result<DocumentMailsView, AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let d = crate::documents::store::get(&cx.db, &cx.tenant, id).await?;
    let mails = crate::mail::outbox::list_for(&cx.db, &cx.tenant, "document", id).await?;
    let to: String = crate::on_pool!(&cx.db, c => sqlx::query_scalar("SELECT email FROM contact WHERE company_id = $1 AND id = $2")
        .bind(cx.tenant.company_id()).bind(d.contact_id).fetch_optional(c).await)
    .map_err(crate::db::internal)?
    .unwrap_or_default();
    let title = d.title();
    let token: String = {
        use rand::Rng;
        let mut r = rand::thread_rng();
        (0..16).map(|_| format!("{:02x}", r.r#gen::<u8>())).collect()
    };
    Ok(DocumentMailsView {
        mails,
        to,
        subject: format!("{title} — {}", cx.me.company_name),
        message: format!("Bonjour,\n\nVeuillez trouver ci-joint notre {}.\n\nCordialement,", title.to_lowercase()),
        token,
    })
}

/// «Envoyer par e-mail»: the document's PDF to the client, queued in the outbox.
#[server(prefix = "/api", endpoint = "mail/send_document")]
pub async fn send_document(id: i64, to: String, subject: String, message: String, token: String) -> Result<(), AppError> {
    use crate::mail::outbox::{Attachment, NewMail};
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let st = crate::auth::session::state()?;
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::invalid("token", "Formulaire périmé : rechargez la page."));
    }
    let d = crate::documents::store::get(&cx.db, &cx.tenant, id).await?;
    if d.number.is_none() {
        return Err(AppError::invalid("to", "Un brouillon ne s'envoie pas : émettez d'abord la pièce."));
    }
    // The Factur-X of an invoice (its PDF for a devis): what the client's software reads.
    let (name, pdf) = {
        let mut tx = cx.db.read().await?;
        crate::einvoice::store::attachment_tx(&mut tx, &cx.tenant, id).await?
    };
    let mail = NewMail {
        key: format!("document:{id}:{token}"),
        entity: "document",
        entity_id: Some(id),
        to,
        subject,
        text: message,
        attachments: vec![Attachment { name, mime: "application/pdf".into(), data: pdf }],
    };
    let to = mail.to.trim().to_string();
    let mut tx = cx.db.begin().await?;
    if crate::mail::outbox::enqueue(&mut tx, &cx.tenant, cx.user_id(), mail, &st.config.mail.host).await? {
        crate::db::audit(&mut tx, &cx.tenant, Some(cx.user_id()), "document", id, "email", &format!("Envoi par e-mail à {to}")).await?;
    }
    tx.commit().await?;
    leptos_axum::redirect(&format!("/pieces/{id}?fait=envoye"));
    Ok(())
}

/// «Renvoyer» a failed or uncertain mail.
#[server(prefix = "/api", endpoint = "mail/retry")]
pub async fn retry_mail(id: i64) -> Result<(), AppError> {
    let cx = crate::auth::session::ctx_with(crate::auth::Right::Commercial).await?;
    let mut tx = cx.db.begin().await?;
    let entity: Option<(String, Option<i64>)> =
        crate::on_conn!(&mut tx, c => sqlx::query_as("SELECT entity, entity_id FROM outbox WHERE company_id = $1 AND id = $2")
        .bind(cx.tenant.company_id()).bind(id).fetch_optional(c).await)
        .map_err(crate::db::internal)?;
    let Some((entity, entity_id)) = entity else { return Err(AppError::NotFound("E-mail".into())) };
    crate::mail::outbox::retry(&mut tx, &cx.tenant, id).await?;
    tx.commit().await?;
    if let ("document", Some(doc)) = (entity.as_str(), entity_id) {
        leptos_axum::redirect(&format!("/pieces/{doc}?fait=renvoye"));
    }
    Ok(())
}
