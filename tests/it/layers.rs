//! The house's layers (docs/architecture.md, «Layers»): a module may use its own layer and
//! those below it, never one above. The test reads every `crate::…` path of `src/`
//! (comments left out) and fails on an upward one; a module missing from the table fails
//! too, so that a new folder is given its place.

/// From the bottom up. A module belongs to the longest entry that is a prefix of its path.
const LAYERS: &[(&str, &[&str])] = &[
    // Helpers every layer uses, with no knowledge of the business.
    ("socle", &["error", "fmt", "secret", "db", "on_conn", "on_pool"]),
    // What every request shares: the configuration and state, who is asking and what they
    // may do (the session core of `auth`), files in and out, and the pieces of two
    // features that the state holds for the whole process (mail settings, widget cache).
    ("requête", &["state", "files", "auth", "mail::config", "home::cache"]),
    // The page components every feature draws with.
    ("composants", &["ui"]),
    // The features, peers of one another; `auth::api` and `auth::ui` are the sign-in and
    // «Préférences» pages, a feature like the others.
    (
        "fonctionnalités",
        &[
            "actions",
            "audit",
            "auth::api",
            "auth::ui",
            "company",
            "contacts",
            "documents",
            "einvoice",
            "duplicates",
            "home",
            "imports",
            "mail",
            "questions",
            "reminders",
            "sav",
            "search",
            "users",
        ],
    ),
    // The router, the shell and the process.
    ("application", &["app", "server", "main"]),
];

/// The layer of a module path (`auth::session`), by its longest listed prefix.
fn layer_of(module: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, (_, prefixes)) in LAYERS.iter().enumerate() {
        for p in *prefixes {
            let matches = module == *p || module.starts_with(&format!("{p}::"));
            if matches && best.is_none_or(|(len, _)| p.len() > len) {
                best = Some((p.len(), i));
            }
        }
    }
    best.map(|(_, i)| i)
}

/// The module path of a file of `src/`: `auth/session.rs` → `auth::session`,
/// `home/mod.rs` → `home`.
fn module_of(file: &str) -> String {
    let path = file.trim_end_matches(".rs").trim_end_matches("/mod");
    path.replace('/', "::")
}

/// The code without its comments (`//…` to the end of the line, but not `://` in a URL).
fn without_comments(src: &str) -> String {
    src.lines()
        .map(|line| {
            let b = line.as_bytes();
            let cut = (0..b.len().saturating_sub(1)).find(|&i| b[i] == b'/' && b[i + 1] == b'/' && (i == 0 || b[i - 1] != b':'));
            &line[..cut.unwrap_or(line.len())]
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths named after `crate::` (two segments at most: enough for the table),
/// `use crate::{a::b, c}` groups included.
fn crate_paths(src: &str) -> Vec<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let path = |s: &str| {
        let first = ident(s);
        let rest = &s[first.len()..];
        match rest.strip_prefix("::") {
            Some(r) if r.starts_with(|c: char| c.is_ascii_lowercase()) => format!("{first}::{}", ident(r)),
            _ => first,
        }
    };
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            out.extend(group[..end].split(',').map(|item| path(item.trim())).filter(|p| !p.is_empty()));
        } else {
            out.push(path(after));
        }
        rest = after;
    }
    out
}

/// Each upward use: «file (layer) → path (layer)»; and each module with no layer.
fn violations(files: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (file, src) in files {
        if file == "lib.rs" {
            continue;
        }
        let module = module_of(file);
        let Some(mine) = layer_of(&module) else {
            out.push(format!("{file}: no layer for `{module}` (add it to LAYERS and docs/architecture.md)"));
            continue;
        };
        for target in crate_paths(&without_comments(src)) {
            match layer_of(&target) {
                Some(theirs) if theirs > mine => {
                    out.push(format!("{file} ({}) uses crate::{target} ({})", LAYERS[mine].0, LAYERS[theirs].0))
                }
                Some(_) => {}
                None => out.push(format!("{file}: no layer for crate::{target}")),
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let files = crate::common::source_files();
    assert!(files.len() > 50, "the scan found {} files: it is broken", files.len());
    let found = violations(&files);
    assert!(found.is_empty(), "imports from a lower layer to a higher one:\n{}", found.join("\n"));
}

#[test]
fn the_layer_test_catches_an_upward_use() {
    let file = |name: &str, src: &str| (name.to_string(), src.to_string());
    // Upward: the session core reaching into a feature, the components into a page, the
    // state into the router; through a group too.
    assert_eq!(violations(&[file("auth/session.rs", "let t = crate::contacts::store::title(db, t, id);")]).len(), 1);
    assert_eq!(violations(&[file("ui.rs", "use crate::{fmt::euros, home::api::get_prefs};")]).len(), 1);
    assert_eq!(violations(&[file("state.rs", "fn f() -> crate::server::Router {}")]).len(), 1);
    assert_eq!(violations(&[file("documents/store.rs", "crate::app::shell()")]).len(), 1);
    // A new folder without its place.
    assert_eq!(violations(&[file("planning/mod.rs", "")]).len(), 1);
    // Downward, sideways among features, in a comment or a URL: allowed.
    assert!(
        violations(&[
            file("documents/store.rs", "use crate::contacts::model::Commercial; let u = \"http://x//crate::app\"; // crate::app::shell"),
            file("auth/api.rs", "use crate::users::store as users;"),
            file("files.rs", "use crate::state::AppState;"),
        ])
        .is_empty()
    );
}
