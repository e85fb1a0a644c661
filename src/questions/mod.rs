//! Complementary questions (SPEC C5): «Paramètres» › «Questions complémentaires» and the
//! answers on «Fiche contact». A question is retired, never deleted; changing one never
//! wipes an answer.

pub mod api;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod store;
