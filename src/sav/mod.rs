//! After-sales (SPEC C8): SAV tickets and recurring services of a client, on the client's
//! «SAV et services» tab and its «Accueil».

pub mod api;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod store;
