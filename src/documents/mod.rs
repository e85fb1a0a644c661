//! Commercial management (SPEC C7): devis, factures, avoirs, payments, the encours, the
//! «Porte doc» with its imported files, «Bloquer la gestion commerciale».
pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod pdf;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod store;
pub mod ui;
