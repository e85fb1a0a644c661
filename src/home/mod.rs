//! The user's home: «Tableau de bord» and «Préférences» (SPEC C8). The client «Accueil»
//! widgets join here.
pub mod api;
pub mod cache;
pub mod model;
#[cfg(feature = "ssr")]
pub mod store;
pub mod ui;
pub mod widgets;
