//! «Paramètres» › «Journal»: who did what, read-only (there is no way to edit or delete an
//! entry through the application).
pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;
pub mod ui;
