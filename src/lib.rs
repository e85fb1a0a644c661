//! Ouvrage: CRM and collections for small French building-trade companies.
//!
//! One crate, built twice by cargo-leptos: `ssr` (the axum server) and `hydrate` (the
//! browser's wasm, islands only). See `docs/architecture.md`.
#![recursion_limit = "256"]

pub mod actions;
pub mod app;
pub mod audit;
pub mod auth;
pub mod company;
pub mod contacts;
pub mod documents;
pub mod duplicates;
pub mod einvoice;
pub mod error;
pub mod fmt;
pub mod home;
pub mod imports;
pub mod mail;
pub mod questions;
pub mod reminders;
pub mod sav;
pub mod search;
pub mod ui;
pub mod users;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod secret;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod state;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
