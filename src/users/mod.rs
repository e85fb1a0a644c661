//! «Paramètres» › «Utilisateurs»: accounts, rights and passwords of a company (SPEC C1).
pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;
pub mod ui;
