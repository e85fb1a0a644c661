use crate::contacts::model::{ContactRow, Statut};
use crate::db::{Db, Tenant, internal};
use crate::error::AppError;
use crate::on_pool;

/// Escapes `%`, `_` and `\` for a LIKE pattern (with `ESCAPE '\'`).
fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// One page of a base, filtered by a plain text (names, company, city, postcode, e-mail).
pub async fn list(db: &Db, tenant: &Tenant, statut: Statut, q: &str, page: i64, per_page: i64) -> Result<(Vec<ContactRow>, i64), AppError> {
    let filter = "statut = $2 AND ($3 = '' OR LOWER(nom || ' ' || prenom || ' ' || societe || ' ' || ville || ' ' || code_postal || ' ' || email) LIKE $4 ESCAPE '\\')";
    let rows_sql = format!(
        "SELECT id, statut, civilite, nom, prenom, societe, code_postal, ville, email FROM contact WHERE company_id = $1 AND {filter} \
         ORDER BY LOWER(nom), LOWER(prenom), id LIMIT $5 OFFSET $6"
    );
    let count_sql = format!("SELECT COUNT(*) FROM contact WHERE company_id = $1 AND {filter}");
    let q = q.trim();
    let pattern = like_pattern(q);
    let rows = on_pool!(db, c => sqlx::query_as::<_, ContactRow>(&rows_sql)
        .bind(tenant.company_id())
        .bind(statut.code())
        .bind(q)
        .bind(&pattern)
        .bind(per_page)
        .bind(page * per_page)
        .fetch_all(c)
        .await)
    .map_err(internal)?;
    let total: i64 = on_pool!(db, c => sqlx::query_scalar(&count_sql)
        .bind(tenant.company_id())
        .bind(statut.code())
        .bind(q)
        .bind(&pattern)
        .fetch_one(c)
        .await)
    .map_err(internal)?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(super::like_pattern("50%_a\\B"), "%50\\%\\_a\\\\b%");
    }
}
