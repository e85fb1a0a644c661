//! Electronic invoicing (issue 29, SPEC C7; docs/e-invoicing.md): each issued facture and
//! avoir is kept, beside its PDF, as a Factur-X PDF/A-3 (EN 16931 profile, CII embedded)
//! and as UBL 2.1, made in the issuing transaction from the same numbers; «Télécharger
//! (Factur-X)» and «Télécharger (UBL)» on its page; the Factur-X is what is e-mailed. A
//! B2B invoice is deposited to the company's «Plateforme Agréée» (XP Z12-013 Flow
//! Service) through an outbox, and its lifecycle statuses are received and shown.
pub mod api;
pub mod platform;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod cdar;
#[cfg(feature = "ssr")]
pub mod cii;
#[cfg(feature = "ssr")]
pub mod ereporting;
#[cfg(feature = "ssr")]
pub mod facturx;
#[cfg(feature = "ssr")]
pub mod model;
#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod pa;
#[cfg(feature = "ssr")]
pub mod reception;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod ubl;
#[cfg(feature = "ssr")]
pub mod worker;
#[cfg(feature = "ssr")]
pub mod xml;
