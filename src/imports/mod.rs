//! Import and export of contacts: «Clients» › «Importer» (CSV/XLSX, preview, duplicates,
//! background job, undo) and «Exporter» (CSV/XLSX of a list). See docs/import-export.md.
#[cfg(feature = "ssr")]
pub mod analysis;
pub mod api;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod job;
pub mod model;
#[cfg(feature = "ssr")]
pub mod parse;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod store;
pub mod ui;
