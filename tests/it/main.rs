//! The integration tests, in one binary: the real router on a random port against a fresh
//! SQLite file and a fresh PostgreSQL database, called over HTTP as the browser does; a
//! module per capability. One binary links the server once (it was nineteen). Only
//! `tests/statements.rs` has a process of its own: it counts every statement the process
//! runs, so nothing else may run meanwhile.

#[macro_use]
mod common;

#[path = "../support/dns.rs"]
mod dns;
#[path = "../support/pa.rs"]
mod pa;
#[path = "../support/smtp.rs"]
mod smtp;

mod actions;
mod auth;
mod authz;
mod contacts;
mod crash;
mod documents;
mod duplicates;
mod einvoice;
mod imports;
mod layers;
mod legal;
mod mail;
mod questions;
mod reliability;
mod reminders;
mod sav;
mod scale;
mod schema;
mod search;
mod security;
mod tenancy;
mod widgets;
