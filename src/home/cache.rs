//! The client «Accueil»'s list widgets kept as HTML per revision of what they show
//! (`HomeRev`, bumped by database triggers in the writer's transaction), and until a given
//! time (the next alert of an open action): a client's page seen again is drawn from
//! memory while nothing it lists has changed, and drawn again, on every server alike,
//! once something has. Bounded in bytes (`OUVRAGE_WIDGET_CACHE_MB`, 0 turns it off); when
//! full, entries are dropped in the map's (unordered) order. docs/client-home.md,
//! «Widget cache».

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

/// The revisions of what a client's «Accueil» widgets list, read with its identity:
/// `contact` moves with its SAV, services, answers, actions, documents and reminder
/// letters, `lists` with the company's questions and action types (database triggers,
/// migration 0013). A widget drawn at a revision is still right while the revision has
/// not moved (and, for the actions, until the next alert comes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HomeRev {
    /// The company it was read in.
    pub company: i64,
    pub contact: i64,
    pub lists: i64,
}

/// A widget of a client, as drawn for a user's «Préférences». (Its company is in the
/// revision an entry must match.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WidgetKey {
    pub widget: &'static str,
    pub contact: i64,
    /// «Afficher les sav archivés», «Afficher les observations en infos bulles», for the
    /// widgets that show them.
    pub variant: (bool, bool),
}

pub struct WidgetCache {
    budget: usize,
    entries: Mutex<Entries>,
}

struct Entry {
    rev: HomeRev,
    /// Drawn again from this time on (seconds since the epoch).
    until: i64,
    html: Arc<str>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<WidgetKey, Entry>,
    bytes: usize,
}

impl WidgetCache {
    pub fn new(budget_bytes: usize) -> WidgetCache {
        WidgetCache { budget: budget_bytes, entries: Mutex::default() }
    }

    /// The widget's HTML if it was drawn at this revision and is still good `now`.
    pub fn get(&self, key: &WidgetKey, rev: HomeRev, now: i64) -> Option<Arc<str>> {
        let entries = self.entries.lock().ok()?;
        entries.map.get(key).filter(|e| e.rev == rev && now < e.until).map(|e| e.html.clone())
    }

    /// Keeps the widget's HTML drawn at `rev` (read before the data it shows), good until
    /// `until`, in place of an older one. A widget larger than an eighth of the budget is
    /// not kept.
    pub fn put(&self, key: WidgetKey, rev: HomeRev, until: i64, html: Arc<str>) {
        if html.len() > self.budget / 8 {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else { return };
        let Entries { map, bytes } = &mut *entries;
        if let Some(old) = map.remove(&key) {
            *bytes -= old.html.len();
        }
        while *bytes + html.len() > self.budget {
            let Some(victim) = map.keys().next().copied() else { break };
            if let Some(old) = map.remove(&victim) {
                *bytes -= old.html.len();
            }
        }
        *bytes += html.len();
        map.insert(key, Entry { rev, until, html });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(contact: i64) -> WidgetKey {
        WidgetKey { widget: "sav", contact, variant: (false, false) }
    }

    #[test]
    fn a_widget_is_served_only_at_the_revision_it_was_drawn_at_and_in_time() {
        let cache = WidgetCache::new(1 << 20);
        let rev = HomeRev { company: 1, contact: 3, lists: 1 };
        cache.put(key(7), rev, 1000, "<li>a</li>".into());
        assert_eq!(cache.get(&key(7), rev, 999).as_deref(), Some("<li>a</li>"));
        assert_eq!(cache.get(&key(7), rev, 1000), None, "the next alert has come");
        assert_eq!(cache.get(&key(7), HomeRev { contact: 4, ..rev }, 0), None);
        assert_eq!(cache.get(&key(7), HomeRev { lists: 2, ..rev }, 0), None);
        assert_eq!(cache.get(&key(8), rev, 0), None);
        assert_eq!(cache.get(&WidgetKey { variant: (true, false), ..key(7) }, rev, 0), None);
        assert_eq!(cache.get(&key(7), HomeRev { company: 2, ..rev }, 0), None, "another company");
    }

    #[test]
    fn the_budget_holds() {
        let cache = WidgetCache::new(800);
        let rev = HomeRev::default();
        for c in 0..100 {
            cache.put(key(c), rev, i64::MAX, "x".repeat(90).into());
            let e = cache.entries.lock().unwrap();
            assert!(e.bytes <= 800 && e.bytes == e.map.values().map(|e| e.html.len()).sum::<usize>());
        }
        assert_eq!(cache.entries.lock().unwrap().map.len(), 8);
        // Too large for the budget: not kept, nothing dropped for it.
        cache.put(key(1000), rev, i64::MAX, "x".repeat(101).into());
        assert_eq!(cache.get(&key(1000), rev, 0), None);
        assert_eq!(cache.entries.lock().unwrap().map.len(), 8);
        // Off.
        let off = WidgetCache::new(0);
        off.put(key(1), rev, i64::MAX, "x".into());
        assert_eq!(off.get(&key(1), rev, 0), None);
    }
}
