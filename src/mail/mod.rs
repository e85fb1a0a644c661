//! E-mail from the application (SPEC C9): the outbox, written in the transaction of the
//! business change that causes a mail; the worker that sends it through SMTP; the sender
//! identity (the user's address and «Signature» when the company has proved the domain
//! and its SPF authorises us, else the application's address); the sender domain's
//! proof, SPF/DMARC check («Vérifier mon domaine»). See `docs/mail.md`.

pub mod api;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod proof;
#[cfg(feature = "ssr")]
pub mod spf;
#[cfg(feature = "ssr")]
pub mod worker;
