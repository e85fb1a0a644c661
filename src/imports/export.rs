//! «Exporter»: a list with its filter, every field and the answers to complementary
//! questions, as CSV (UTF-8 with BOM, `;`, CRLF: what Excel opens right; streamed page by
//! page) or XLSX. Columns are named so that «Importer» recognises them.

use std::collections::HashMap;

use crate::contacts::model::Statut;
use crate::contacts::store::DetailRow;
use crate::db::{Db, Tenant, internal};
use crate::error::AppError;
use crate::on_pool;
use crate::questions::model::{AnswerView, QuestionView};

/// Contacts read per query.
const PAGE: i64 = 1000;

const COLUMNS: [&str; 18] = [
    "Statut",
    "Civilité",
    "Nom",
    "Prénom",
    "Société",
    "Adresse",
    "Code postal",
    "Ville",
    "Téléphone 1",
    "Téléphone 2",
    "Téléphone 3",
    "Téléphone 4",
    "E-mail",
    "Notes",
    "Type de client",
    "SIREN",
    "SIRET",
    "N° TVA intracommunautaire",
];

/// What is exported: a base and the text typed in its «Filtrer» box.
#[derive(Clone)]
pub struct Filter {
    pub statut: Statut,
    pub q: String,
}

/// The header row: the fixed columns, then one per question (retired ones included:
/// their answers are kept).
pub fn header(questions: &[QuestionView]) -> Vec<String> {
    COLUMNS.iter().map(|c| c.to_string()).chain(questions.iter().map(|q| q.label.clone())).collect()
}

/// The contacts after `after` (by id), as rows of cells; empty at the end.
pub async fn page(
    db: &Db,
    tenant: &Tenant,
    f: &Filter,
    questions: &[QuestionView],
    after: i64,
) -> Result<(Vec<Vec<String>>, i64), AppError> {
    let cid = tenant.company_id();
    let sql = format!(
        "SELECT {} FROM contact WHERE company_id = $1 AND {} AND id > $5 ORDER BY id LIMIT $6",
        crate::contacts::store::DETAIL_COLUMNS,
        crate::contacts::store::LIST_FILTER
    );
    let q = f.q.trim();
    let pattern = crate::contacts::store::like_pattern(q);
    let rows: Vec<DetailRow> = on_pool!(db, c => sqlx::query_as(&sql).bind(cid).bind(f.statut.code()).bind(q).bind(&pattern).bind(after).bind(PAGE).fetch_all(c).await)
        .map_err(internal)?;
    let (Some(first), Some(last)) = (rows.first().map(|r| r.id), rows.last().map(|r| r.id)) else { return Ok((Vec::new(), after)) };
    let psql =
        "SELECT contact_id, number FROM contact_phone WHERE company_id = $1 AND contact_id BETWEEN $2 AND $3 ORDER BY contact_id, position";
    let phones: Vec<(i64, String)> =
        on_pool!(db, c => sqlx::query_as(psql).bind(cid).bind(first).bind(last).fetch_all(c).await).map_err(internal)?;
    let asql = "SELECT contact_id, question_id, value FROM answer WHERE company_id = $1 AND contact_id BETWEEN $2 AND $3";
    let answers: Vec<(i64, i64, String)> =
        on_pool!(db, c => sqlx::query_as(asql).bind(cid).bind(first).bind(last).fetch_all(c).await).map_err(internal)?;
    let mut phones_of: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, n) in phones {
        phones_of.entry(id).or_default().push(n);
    }
    let mut answers_of: HashMap<(i64, i64), String> = HashMap::new();
    for (id, q, v) in answers {
        answers_of.insert((id, q), v);
    }
    let out = rows
        .into_iter()
        .map(|r| {
            let label = Statut::from_code(&r.statut).map(Statut::label).unwrap_or_default().to_string();
            let mut p = phones_of.remove(&r.id).unwrap_or_default();
            p.resize(4, String::new());
            let mut cells = vec![label, r.civilite, r.nom, r.prenom, r.societe, r.adresse, r.code_postal, r.ville];
            cells.extend(p);
            let kind = if r.type_client == "professionnel" { "Professionnel" } else { "Particulier" };
            cells.extend([r.email, r.notes, kind.to_string(), r.siren, r.siret, r.tva_intra]);
            cells.extend(questions.iter().map(|q| {
                answers_of.remove(&(r.id, q.id)).map(|value| AnswerView { question: q.clone(), value }.display()).unwrap_or_default()
            }));
            cells
        })
        .collect();
    Ok((out, last))
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR or NUL first:
/// OWASP's advice against CSV injection, ASVS 5.0 1.2.10) gets a leading quote;
/// «Importer» removes it again.
pub fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\0']) { format!("'{cell}") } else { cell.to_string() }
}

/// Rows as CSV text (`;`, quoted where needed, CRLF).
pub fn csv_chunk(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for r in rows {
        let _ = w.write_record(r.iter().map(|c| defuse(c)));
    }
    w.into_inner().unwrap_or_default()
}

/// The whole list as an XLSX workbook (cells are written as text, never as formulas). The
/// rows are read first, then the workbook is built on a blocking thread (seconds of CPU for
/// a large base must not hold a request thread), one export at a time per server (each
/// holds its workbook in memory).
pub async fn xlsx(db: &Db, tenant: &Tenant, f: &Filter, questions: &[QuestionView]) -> Result<Vec<u8>, AppError> {
    static ONE_AT_A_TIME: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
    let _turn = ONE_AT_A_TIME.acquire().await.map_err(|_| AppError::Internal)?;
    let head = header(questions);
    let mut all = Vec::new();
    let mut after = 0i64;
    loop {
        let (rows, last) = page(db, tenant, f, questions, after).await?;
        if rows.is_empty() {
            break;
        }
        all.extend(rows);
        after = last;
    }
    tokio::task::spawn_blocking(move || workbook(&head, &all)).await.map_err(|_| AppError::Internal)?
}

fn workbook(head: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let bad = |e: rust_xlsxwriter::XlsxError| {
        tracing::error!(error = %e, "XLSX export");
        AppError::Internal
    };
    sheet.set_name("Contacts").map_err(bad)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &bold).map_err(bad)?;
    }
    for (line, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            sheet.write_string(line as u32 + 1, c as u16, excel_cell(v)).map_err(bad)?;
        }
    }
    book.save_to_buffer().map_err(bad)
}

/// A cell's text cut to what a spreadsheet holds (32,767 UTF-16 units: Excel's limit, which
/// the writer enforces), so that one long note never fails the whole export.
pub fn excel_cell(text: &str) -> &str {
    const MAX_UNITS: usize = 32_767;
    let mut units = 0;
    for (i, ch) in text.char_indices() {
        units += ch.len_utf16();
        if units > MAX_UNITS {
            return &text[..i];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_are_cut_to_what_a_spreadsheet_holds() {
        let emoji = "😀".repeat(20_000);
        assert_eq!(excel_cell(&emoji).encode_utf16().count(), 32_766);
        assert_eq!(excel_cell("court"), "court");
        let rows = vec![vec![emoji.clone(), "x".repeat(40_000)]];
        assert!(workbook(&["Notes".to_string(), "Nom".to_string()], &rows).is_ok(), "one long note does not fail the export");
    }

    #[test]
    fn csv_is_quoted_and_defused() {
        let rows = vec![vec![
            "=HYPERLINK(\"http://x\")".to_string(),
            "a;b".into(),
            "deux\nlignes".into(),
            "+33 6 12 34 56 78".into(),
            "Zoé".into(),
        ]];
        let text = String::from_utf8(csv_chunk(&rows)).unwrap();
        assert_eq!(text, "\"'=HYPERLINK(\"\"http://x\"\")\";\"a;b\";\"deux\nlignes\";'+33 6 12 34 56 78;Zoé\r\n");
        for cell in ["\0=1+1", "\t=1", "\r=1", "@SUM(A1)", "-2+3"] {
            assert!(defuse(cell).starts_with('\''), "{cell:?}");
        }
    }
}
