//! Actions (SPEC C6): typed, dated follow-ups on a client, «Partager» with colleagues
//! and/or «Attribuer» to one; «Mes actions»; alerts when the «Date d'alerte» arrives
//! (a count in the top bar, and an e-mail through the outbox for who chose it).
//! See `docs/actions.md`.

pub mod api;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod alerts;
#[cfg(feature = "ssr")]
pub mod store;
