//! «Paramètres › Entreprise»: the company's identity, which every document and letter
//! prints and which a real company must complete before it issues anything (issue 28,
//! docs/company.md, docs/legal.md).
pub mod api;
pub mod check;
pub mod model;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod store;
pub mod ui;
