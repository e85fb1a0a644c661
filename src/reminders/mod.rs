//! Invoice reminders R1, R2, R3 and the formal notice «MED» (SPEC C10): the work list
//! «Relance factures clients», the settings «Gestion des relances», the daily schedule,
//! the amounts the law requires, the letters and e-mails. See `docs/reminders.md`.

pub mod api;
pub mod law;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod letter;
#[cfg(feature = "ssr")]
pub mod planner;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod templates;
