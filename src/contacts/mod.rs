//! Contact records: «Clients» (client and prospect bases, «Corbeille»). SPEC C2.
pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;
pub mod ui;
