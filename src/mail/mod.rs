//! E-mail from the application (SPEC C9): the outbox, written in the transaction of the
//! business change that causes a mail; the worker that sends it through SMTP; the sender
//! identity (the user's address and «Signature», or the application's address while the
//! user's domain does not authorise us); the sender domain's SPF/DMARC check
//! («Vérifier mon domaine»). See `docs/mail.md`.

pub mod api;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod spf;
#[cfg(feature = "ssr")]
pub mod worker;
