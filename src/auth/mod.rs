//! Users' sessions, passwords and rights (SPEC C1).
pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod throttle;
pub mod ui;

pub use model::{Me, Right};
