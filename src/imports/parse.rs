//! Reading an uploaded spreadsheet into a table of text cells: CSV in UTF-8 (with or
//! without BOM), UTF-16 (with BOM) or Windows-1252, any of `;` `,` tab `|` as separator,
//! or the first sheet of an XLSX workbook; then the header row and which field each
//! column holds. Pure functions (no database), unit-tested below.

use std::io::{Cursor, Read};

use crate::error::AppError;
use crate::imports::model::{FIELDS, Mapping};
use crate::search::text::fold;

/// The largest file accepted (a French export of 100,000 contacts is about 15 MB).
pub const FILE_MAX_BYTES: usize = 20 * 1024 * 1024;
/// What an XLSX may inflate to (its XML parts, all together).
pub const UNZIPPED_MAX_BYTES: u64 = 200 * 1024 * 1024;
pub const ROWS_MAX: usize = 200_000;
pub const COLUMNS_MAX: usize = 100;
/// How far down the header row is looked for (titles above it are skipped).
const HEADER_SEARCH: usize = 10;

/// A file read as rows of text: only non-empty rows, trailing empty cells dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// «UTF-8», «UTF-8 avec BOM», «UTF-16», «Windows-1252» or «Classeur XLSX».
    pub encoding: &'static str,
    /// The CSV separator, none for a workbook.
    pub separator: Option<char>,
    /// The line of the header row (1-based), if one was recognised.
    pub header_line: Option<usize>,
    /// One per column: the header's text, or «Colonne N».
    pub headers: Vec<String>,
    /// (line in the file, cells), the data rows only.
    pub rows: Vec<(usize, Vec<String>)>,
}

fn refuse(message: impl Into<String>) -> AppError {
    AppError::invalid("fichier", message)
}

/// Reads a CSV or XLSX file; a clear French refusal for anything else.
pub fn read(bytes: &[u8]) -> Result<Table, AppError> {
    if bytes.len() > FILE_MAX_BYTES {
        return Err(refuse(too_big()));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(refuse("Le fichier est vide."));
    }
    let (encoding, separator, raw) = if bytes.starts_with(b"PK\x03\x04") {
        ("Classeur XLSX", None, xlsx(bytes)?)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(refuse("Les classeurs .xls (Excel 97-2003) ne sont pas lus : enregistrez le fichier en .xlsx ou en CSV."));
    } else {
        let (text, encoding) = decode(bytes)?;
        let sep = sniff(&text);
        (encoding, Some(sep as char), csv_rows(&text, sep)?)
    };
    table(encoding, separator, raw)
}

pub fn too_big() -> String {
    format!("Le fichier dépasse {} Mo : découpez-le en plusieurs fichiers.", FILE_MAX_BYTES / (1024 * 1024))
}

/// The text of a CSV: by its BOM, else UTF-8 when it is valid, else Windows-1252 (what
/// French software exports). A binary file is refused.
fn decode(bytes: &[u8]) -> Result<(String, &'static str), AppError> {
    let (text, encoding) = if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if errors {
            return Err(refuse("Ce fichier n'est pas un texte lisible (caractères invalides)."));
        }
        (text.into_owned(), if enc == encoding_rs::UTF_8 { "UTF-8 avec BOM" } else { "UTF-16" })
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (text.to_string(), "UTF-8")
    } else {
        (encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(), "Windows-1252")
    };
    let controls = text.chars().filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n' | '\u{c}')).count();
    if text.contains('\0') || controls * 100 > text.len().max(1) {
        return Err(refuse("Ce fichier n'est ni un fichier CSV ni un classeur XLSX : il contient des données binaires."));
    }
    Ok((text, encoding))
}

/// The separator that splits the first rows into the most rows of one same width (of two
/// columns or more); `;`, the French default, wins ties.
fn sniff(text: &str) -> u8 {
    let mut best = (b';', 0usize);
    for sep in [b';', b',', b'\t', b'|'] {
        let mut reader = csv::ReaderBuilder::new().delimiter(sep).has_headers(false).flexible(true).from_reader(text.as_bytes());
        let widths: Vec<usize> = reader
            .records()
            .take(50)
            .filter_map(Result::ok)
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .map(|r| r.len())
            .collect();
        let mut counts = std::collections::HashMap::new();
        for w in &widths {
            *counts.entry(*w).or_insert(0usize) += 1;
        }
        let (mode, n) = counts.into_iter().max_by_key(|(w, n)| (*n, *w)).unwrap_or((0, 0));
        if mode >= 2 && n > best.1 {
            best = (sep, n);
        }
    }
    best.0
}

fn csv_rows(text: &str, sep: u8) -> Result<Vec<(usize, Vec<String>)>, AppError> {
    let mut reader = csv::ReaderBuilder::new().delimiter(sep).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    // The line a record starts on, counted from its byte offset (the reader skips empty
    // lines and quoted fields hold newlines).
    let (mut at, mut line) = (0usize, 1usize);
    let mut line_of = |byte: usize| {
        // A record's position is where reading it began: before the empty lines it skips.
        let mut byte = byte.min(text.len());
        while byte < text.len() && matches!(text.as_bytes()[byte], b'\r' | b'\n') {
            byte += 1;
        }
        line += text.as_bytes()[at.min(byte)..byte].iter().filter(|b| **b == b'\n').count();
        at = at.max(byte);
        line
    };
    for record in reader.records() {
        let r = record.map_err(|e| {
            let line = e.position().map(|p| line_of(p.byte() as usize)).unwrap_or_default();
            refuse(format!("Ligne {line} : le fichier CSV est mal formé (guillemet non refermé ?)."))
        })?;
        let line = r.position().map(|p| line_of(p.byte() as usize)).unwrap_or(out.len() + 1);
        out.push((line, r.iter().map(str::to_string).collect()));
        if out.len() > ROWS_MAX + HEADER_SEARCH {
            return Err(refuse(format!("Le fichier compte plus de {ROWS_MAX} lignes : découpez-le en plusieurs fichiers.")));
        }
    }
    Ok(out)
}

/// The first sheet of a workbook, after measuring what it inflates to (an XLSX is a zip:
/// a small file can hide gigabytes of shared strings).
fn xlsx(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, AppError> {
    use calamine::Reader;
    let unreadable = || refuse("Ce classeur XLSX est illisible ou endommagé.");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    if zip.len() > 5_000 {
        return Err(unreadable());
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| unreadable())?;
        total += std::io::copy(&mut entry.take(UNZIPPED_MAX_BYTES + 1 - total), &mut std::io::sink()).map_err(|_| unreadable())?;
        if total > UNZIPPED_MAX_BYTES {
            return Err(refuse(format!(
                "Ce classeur XLSX se décompresse en plus de {} Mo : il est refusé (fichier piégé ou trop gros).",
                UNZIPPED_MAX_BYTES / (1024 * 1024)
            )));
        }
    }
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let range = book.worksheet_range_at(0).ok_or_else(|| refuse("Ce classeur XLSX n'a aucune feuille."))?.map_err(|_| unreadable())?;
    let first = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let left = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    if range.height() > ROWS_MAX + HEADER_SEARCH {
        return Err(refuse(format!("Le fichier compte plus de {ROWS_MAX} lignes : découpez-le en plusieurs fichiers.")));
    }
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells = vec![String::new(); left];
            cells.extend(row.iter().map(cell_text));
            (first + i + 1, cells)
        })
        .collect())
}

fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string().replace('.', ","),
        Data::Bool(b) => if *b { "oui" } else { "non" }.to_string(),
        // Excel's day count from 1899-12-30.
        Data::DateTime(dt) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|base| base.checked_add_signed(chrono::Duration::days(dt.as_f64().floor() as i64)))
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
    }
}

/// A cell as imported: trimmed, and without the quote our exports put before a leading
/// `=`, `+`, `-` or `@` (against formula injection).
fn clean(cell: &str) -> String {
    let t = cell.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => t.to_string(),
    }
}

fn table(encoding: &'static str, separator: Option<char>, raw: Vec<(usize, Vec<String>)>) -> Result<Table, AppError> {
    let mut rows: Vec<(usize, Vec<String>)> = raw
        .into_iter()
        .map(|(line, cells)| {
            let mut cells: Vec<String> = cells.iter().map(|c| clean(c)).collect();
            while cells.last().is_some_and(String::is_empty) {
                cells.pop();
            }
            (line, cells)
        })
        .filter(|(_, cells)| !cells.is_empty())
        .collect();
    if rows.is_empty() {
        return Err(refuse("Le fichier ne contient aucune ligne."));
    }
    if let Some((line, _)) = rows.iter().find(|(_, c)| c.len() > COLUMNS_MAX) {
        return Err(refuse(format!("Ligne {line} : plus de {COLUMNS_MAX} colonnes.")));
    }
    let header_at = rows.iter().take(HEADER_SEARCH).position(|(_, cells)| looks_like_header(cells));
    let (header_line, headers) = match header_at {
        Some(i) => {
            let (line, cells) = rows[i].clone();
            rows.drain(..=i);
            if let Some((l, c)) = rows.iter().find(|(_, c)| c.len() > cells.len()) {
                return Err(refuse(format!(
                    "Ligne {l} : {} colonnes, alors que l'en-tête en compte {}. Corrigez le fichier (un séparateur en trop ?) puis importez-le à nouveau.",
                    c.len(),
                    cells.len()
                )));
            }
            (Some(line), cells.iter().enumerate().map(|(i, h)| if h.is_empty() { format!("Colonne {}", i + 1) } else { h.clone() }).collect())
        }
        None => {
            let width = rows.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
            (None, (1..=width).map(|i| format!("Colonne {i}")).collect())
        }
    };
    if rows.len() > ROWS_MAX {
        return Err(refuse(format!("Le fichier compte plus de {ROWS_MAX} lignes : découpez-le en plusieurs fichiers.")));
    }
    Ok(Table { encoding, separator, header_line, headers, rows })
}

/// A header row names at least two known fields (one, when it has at most two cells).
fn looks_like_header(cells: &[String]) -> bool {
    let known = cells.iter().filter(|c| guess(c, &[]).is_some()).count();
    let filled = cells.iter().filter(|c| !c.is_empty()).count();
    known >= 2 || (known == 1 && filled <= 2)
}

/// The field a column header names, in French or English («Tél. portable», «CP»,
/// «E-mail», «Last name»…), or a complementary question by its label.
pub fn guess(header: &str, questions: &[(i64, String)]) -> Option<String> {
    let h = fold(header);
    if h.is_empty() {
        return None;
    }
    if let Some((id, _)) = questions.iter().find(|(_, label)| fold(label) == h) {
        return Some(format!("q{id}"));
    }
    const NAMES: [(&str, &[&str]); 9] = [
        ("nom", &["nom", "nom de famille", "name", "last name", "lastname", "surname", "family name", "nom client", "nom du client"]),
        ("prenom", &["prenom", "first name", "firstname", "given name", "prenom client"]),
        ("civilite", &["civilite", "civ", "titre", "title", "salutation"]),
        ("societe", &["societe", "entreprise", "raison sociale", "company", "organisation", "organization", "nom societe", "etablissement"]),
        ("adresse", &["adresse", "adresse 1", "adresse1", "address", "rue", "street", "voie", "adresse postale"]),
        ("code_postal", &["cp", "code postal", "codepostal", "postcode", "post code", "zip", "zip code", "zipcode", "postal code"]),
        ("ville", &["ville", "city", "commune", "localite", "town"]),
        ("email", &["mail", "email", "e mail", "courriel", "adresse mail", "adresse email", "adresse e mail", "mel"]),
        ("notes", &["notes", "note", "observations", "commentaire", "commentaires", "remarques", "comments", "comment", "memo"]),
    ];
    if let Some((field, _)) = NAMES.iter().find(|(_, names)| names.contains(&h.as_str())) {
        return Some(field.to_string());
    }
    const PHONES: [&str; 8] = ["tel", "telephone", "phone", "portable", "mobile", "gsm", "fixe", "telephones"];
    let first = h.split(' ').next().unwrap_or("");
    PHONES.contains(&first).then(|| "telephone".to_string())
}

/// The guessed mapping of a table's columns; a field other than the phone is taken by its
/// first column only.
pub fn guess_mapping(headers: &[String], questions: &[(i64, String)]) -> Mapping {
    let mut taken: Vec<String> = Vec::new();
    headers
        .iter()
        .map(|h| match guess(h, questions) {
            Some(f) if f == "telephone" || !taken.contains(&f) => {
                taken.push(f.clone());
                f
            }
            _ => String::new(),
        })
        .collect()
}

/// Checks a mapping chosen on the page: known fields, each at most once (phones up to
/// four columns), a name or a company.
pub fn check_mapping(mapping: &[String], width: usize, questions: &[(i64, String)]) -> Result<(), AppError> {
    if mapping.len() != width {
        return Err(AppError::invalid("mapping", "Associez chaque colonne du fichier à un champ (ou « Ignorer »)."));
    }
    for (i, f) in mapping.iter().enumerate() {
        let known = f.is_empty()
            || FIELDS.iter().any(|(code, _)| code == f)
            || f.strip_prefix('q').and_then(|id| id.parse::<i64>().ok()).is_some_and(|id| questions.iter().any(|(q, _)| *q == id));
        if !known {
            return Err(AppError::invalid("mapping", format!("Colonne {} : champ inconnu.", i + 1)));
        }
        if !f.is_empty() && f != "telephone" && mapping[..i].contains(f) {
            return Err(AppError::invalid("mapping", format!("Colonne {} : ce champ est déjà associé à une autre colonne.", i + 1)));
        }
    }
    if mapping.iter().filter(|f| *f == "telephone").count() > crate::contacts::model::PHONES_MAX {
        return Err(AppError::invalid("mapping", format!("{} colonnes de téléphone au plus.", crate::contacts::model::PHONES_MAX)));
    }
    if !mapping.iter().any(|f| f == "nom" || f == "societe") {
        return Err(AppError::invalid("mapping", "Associez au moins une colonne au nom ou à la société."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &Table) -> Vec<Vec<&str>> {
        t.rows.iter().map(|(_, c)| c.iter().map(String::as_str).collect()).collect()
    }

    #[test]
    fn windows_1252_with_semicolons_quotes_and_newlines() {
        let mut bytes = b"Nom;Pr\xe9nom;CP;Ville;Notes\r\n".to_vec();
        bytes.extend_from_slice(b"PAVI\xc8RE;Robert;69003;Lyon;\"Acc\xe8s ; code 12\r\n2e \xe9tage\"\r\n\r\n");
        bytes.extend_from_slice(b"L\xe9on;Zo\xe9;01000;Bourg;\r\n");
        let t = read(&bytes).unwrap();
        assert_eq!(t.encoding, "Windows-1252");
        assert_eq!(t.separator, Some(';'));
        assert_eq!(t.headers, ["Nom", "Prénom", "CP", "Ville", "Notes"]);
        assert_eq!(texts(&t), vec![vec!["PAVIÈRE", "Robert", "69003", "Lyon", "Accès ; code 12\r\n2e étage"], vec!["Léon", "Zoé", "01000", "Bourg"]]);
        assert_eq!(t.rows[1].0, 5, "line numbers count the quoted newline");
    }

    #[test]
    fn utf8_with_bom_commas_and_a_title_above_the_header() {
        let text = "\u{feff}Export du 12/03/2026\n\nLast name,First name,E-mail,Tél. portable\n\"Durand, fils\",Élodie,e@x.fr,06 12 34 56 78\n";
        let t = read(text.as_bytes()).unwrap();
        assert_eq!((t.encoding, t.separator, t.header_line), ("UTF-8 avec BOM", Some(','), Some(3)));
        assert_eq!(guess_mapping(&t.headers, &[]), ["nom", "prenom", "email", "telephone"]);
        assert_eq!(texts(&t), vec![vec!["Durand, fils", "Élodie", "e@x.fr", "06 12 34 56 78"]]);
    }

    #[test]
    fn headers_are_guessed_in_french_and_english() {
        let h: Vec<String> = ["Civ.", "NOM", "Prénom", "Raison sociale", "Adresse", "Code Postal", "Ville", "Tél. fixe", "Tél. portable", "Courriel", "Observations", "Statut", "Fidélité"]
            .map(String::from)
            .to_vec();
        let m = guess_mapping(&h, &[(7, "Fidélité".into())]);
        assert_eq!(m, ["civilite", "nom", "prenom", "societe", "adresse", "code_postal", "ville", "telephone", "telephone", "email", "notes", "", "q7"]);
    }

    #[test]
    fn forty_columns_and_the_injection_quote() {
        let header: Vec<String> = (1..=40).map(|i| if i == 1 { "Nom".into() } else if i == 2 { "Prénom".into() } else { format!("Champ {i}") }).collect();
        let row: Vec<String> = (1..=40).map(|i| if i == 3 { "'=HYPERLINK(\"x\")".into() } else { format!("v{i}") }).collect();
        let text = format!("{}\n{}\n", header.join(";"), row.join(";"));
        let t = read(text.as_bytes()).unwrap();
        assert_eq!(t.headers.len(), 40);
        assert_eq!(t.rows[0].1[2], "=HYPERLINK(\"x\")");
        assert_eq!(t.rows[0].1[39], "v40");
    }

    #[test]
    fn refusals_in_french() {
        let msg = |bytes: &[u8]| read(bytes).unwrap_err().to_string();
        assert!(msg(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0").contains("binaires"));
        assert!(msg(b"").contains("vide"));
        assert!(msg(b"Nom;Ville\nA;B;C;D\n").contains("Ligne 2 : 4 colonnes"));
        assert!(msg(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]).contains(".xls"));
        assert!(msg(b"PK\x03\x04garbage").contains("illisible"));
        assert!(msg(&vec![b'a'; FILE_MAX_BYTES + 1]).contains("dépasse"));
        // Trailing empty cells (Excel's «;;;») are not extra columns.
        assert!(read(b"Nom;Ville\nA;B;;;\n").is_ok());
    }

    #[test]
    fn a_mapping_is_checked() {
        let ok = ["nom".to_string(), "telephone".into(), "telephone".into(), String::new()];
        assert!(check_mapping(&ok, 4, &[]).is_ok());
        assert!(check_mapping(&["nom".into(), "nom".into()], 2, &[]).is_err());
        assert!(check_mapping(&["ville".into()], 1, &[]).is_err());
        assert!(check_mapping(&["nom".into(), "q9".into()], 2, &[]).is_err());
        assert!(check_mapping(&["nom".into(), "q9".into()], 2, &[(9, "X".into())]).is_ok());
        assert!(check_mapping(&["nom".into(), "pirate".into()], 2, &[]).is_err());
    }
}
