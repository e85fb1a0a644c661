use leptos::prelude::*;

use crate::error::AppError;
use crate::search::model::Hit;

/// Results shown while typing, and on the results page.
pub const SEARCH_LIMIT: usize = 20;

/// «Rechercher»: contacts of the company matching what was typed (never the trashed).
#[server(prefix = "/api", endpoint = "search")]
pub async fn search_contacts(q: String) -> Result<Vec<Hit>, AppError> {
    let cx = crate::auth::session::ctx().await?;
    crate::search::store::search(&cx.db, &cx.tenant, &q, SEARCH_LIMIT).await
}
