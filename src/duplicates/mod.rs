//! Duplicates (SPEC C4): found automatically («Doublon possible», «Doublons»), merged in
//! one step («Fusionner»), undoable («Annuler la fusion»).
pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod score;
#[cfg(feature = "ssr")]
pub mod store;
pub mod ui;
