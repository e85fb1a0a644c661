//! The search engine «Rechercher» (SPEC C3): normalisation, the index, the query.
pub mod api;
#[cfg(feature = "ssr")]
pub mod cache;
pub mod model;
#[cfg(feature = "ssr")]
pub mod postings;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod ui;
