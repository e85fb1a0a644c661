//! Reading an uploaded spreadsheet into a table of text cells: CSV in UTF-8 (with or
//! without BOM), UTF-16 (with BOM) or Windows-1252, any of `;` `,` tab `|` as separator,
//! or the first sheet of an XLSX workbook; then the header row and which field each
//! column holds. Pure functions (no database), unit-tested below.
//!
//! No upload may take the server down: what a file will cost in memory is bounded before
//! it is allocated (rows, columns, cells, one cell, all the text; for an XLSX also what
//! its XML parts make an XML reader buffer), and refused in French beyond
//! (docs/import-export.md, «Limits»).

use std::borrow::Cow;
use std::io::{BufReader, Cursor, Read, Write};

use crate::error::AppError;
use crate::imports::model::{FIELDS, Mapping};
use crate::search::text::fold;

// Limits. The product's largest real case is about 100,000 contacts of ~30 columns
// (`make bench-import` imports 100,000 rows); everything below leaves it room and keeps
// the server's memory for one import at a few hundred MB at worst (its whole budget
// is 512 MB).

/// The largest file accepted (a French export of 100,000 contacts is about 15 MB).
pub const FILE_MAX_BYTES: usize = 20 * 1024 * 1024;
/// What an XLSX may inflate to (its XML parts, all together).
pub const UNZIPPED_MAX_BYTES: u64 = 200 * 1024 * 1024;
pub const ROWS_MAX: usize = 200_000;
pub const COLUMNS_MAX: usize = 100;
/// Cells kept in memory, each row counted up to its last filled cell (24 bytes each
/// even when empty): 100,000 contacts of 30 columns are 3 million; 4 million leave room
/// for 40 columns, or 200,000 rows of 20.
pub const CELLS_MAX: usize = 4_000_000;
/// One cell: Excel's own limit.
pub const CELL_MAX_CHARS: usize = 32_767;
/// All the cells' text once read, an XLSX's shared strings copied into every cell that
/// refers to them: three times what the largest CSV accepted can hold, while a small
/// workbook whose one string is referred to by every cell cannot make gigabytes.
pub const TEXT_MAX_BYTES: usize = 64 * 1024 * 1024;
/// Fields of one CSV line, empty ones at its end included (Excel's `;;;` padding):
/// Excel's own width (column XFD). The CSV reader holds 8 bytes per field.
const CSV_FIELDS_MAX: usize = 16_384;
/// Distinct texts in a workbook's shared strings table (calamine keeps each as a
/// String): a contact list repeats most of its cells (civilité, ville, code postal…),
/// at most ~10 new texts a row for 100,000 rows, with room.
const SHARED_MAX: usize = 1_500_000;
/// One XML event (a tag, the text between two tags, a comment) and one cell's XML
/// (`<c>`, `<v>`, `<is>`, `<f>`), which an XML reader buffers whole. An Excel cell of
/// 32,767 characters is under 200 KB, escaped.
const XML_EVENT_MAX: u64 = 1024 * 1024;
/// Elements open at once (quick-xml keeps each one's name): a worksheet nests about 7.
const XML_DEPTH_MAX: usize = 64;
/// A part that calamine reads whole and keeps one item per element of (relations,
/// workbook, styles, theme): a few KB in a real workbook. A larger one is not given to
/// calamine (a worksheet or shared strings table, read as a stream, may be larger).
const PART_MAX_BYTES: u64 = 4 * 1024 * 1024;
/// Sheets of a workbook (calamine copies its relation's target into each).
const SHEETS_MAX: u64 = 1_000;
/// One relation's tag (its target is a path or a URL).
const RELATIONSHIP_TAG_MAX: u64 = 8 * 1024;
/// calamine copies a style's font, fill, border and number format into each of the
/// workbook's cell styles: what that may add up to (Excel allows 64,000 styles).
const STYLES_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// The separator is chosen on the first 50 rows, read from this much of the file.
const SNIFF_BYTES: usize = 256 * 1024;
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

/// A count in French: thousands apart by a narrow no-break space (32 767).
fn n(v: usize) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202F}');
        }
        out.push(ch);
    }
    out
}

fn too_many_rows() -> AppError {
    refuse(format!("Le fichier compte plus de {} lignes : découpez-le en plusieurs fichiers.", n(ROWS_MAX)))
}

fn too_many_columns(line: usize) -> AppError {
    refuse(format!("Ligne {line} : plus de {COLUMNS_MAX} colonnes."))
}

fn too_many_cells() -> AppError {
    refuse(format!("Le fichier compte plus de {} cellules (lignes × colonnes) : découpez-le en plusieurs fichiers.", n(CELLS_MAX)))
}

fn cell_too_long(line: Option<usize>) -> AppError {
    let at = line.map(|l| format!("Ligne {l} : une")).unwrap_or_else(|| "Une".into());
    refuse(format!("{at} cellule dépasse {} caractères (la limite d'Excel) : le fichier est refusé.", n(CELL_MAX_CHARS)))
}

fn too_much_text() -> AppError {
    refuse(format!("Le fichier contient plus de {} Mo de texte une fois lu : découpez-le en plusieurs fichiers.", TEXT_MAX_BYTES >> 20))
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
        let sep = sniff(head(&text, SNIFF_BYTES));
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

/// The beginning of a text, at most `max` bytes, cut on a character.
fn head(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The separator that splits the first rows into the most rows of one same width (of two
/// columns or more); `;`, the French default, wins ties.
fn sniff(text: &str) -> u8 {
    let mut best = (b';', 0usize);
    for sep in [b';', b',', b'\t', b'|'] {
        let mut reader = csv::ReaderBuilder::new().delimiter(sep).has_headers(false).flexible(true).from_reader(text.as_bytes());
        let widths: Vec<usize> =
            reader.records().take(50).filter_map(Result::ok).filter(|r| r.iter().any(|c| !c.trim().is_empty())).map(|r| r.len()).collect();
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
    csv_bounds(text, sep)?;
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
        // Empty cells at the end are not kept (as `csv_bounds` counted).
        let width = (0..r.len()).rev().find(|&i| !r[i].is_empty()).map_or(0, |i| i + 1);
        out.push((line, r.iter().take(width).map(str::to_string).collect()));
        if out.len() > ROWS_MAX + HEADER_SEARCH {
            return Err(too_many_rows());
        }
    }
    Ok(out)
}

/// What the CSV reader and the rows will hold, counted before they hold it: the state
/// machine of `csv-core` (the `csv` crate's, with its default settings) run over the
/// bytes, counting per record its fields, its width up to the last non-empty one, each
/// field's characters; and the records and cells in all. A line of a million
/// separators, or one 20 MB cell, is refused here with its line.
fn csv_bounds(text: &str, sep: u8) -> Result<(), AppError> {
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        Record,
        Field,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    #[derive(Default)]
    struct Count {
        line: usize,
        fields: usize,
        width: usize,
        chars: usize,
        filled: bool,
        records: usize,
        cells: usize,
    }
    impl Count {
        fn data(&mut self, b: u8) -> Result<(), AppError> {
            self.filled = true;
            // A character starts on any byte but a UTF-8 continuation byte.
            if b & 0xC0 != 0x80 {
                self.chars += 1;
                if self.chars > CELL_MAX_CHARS {
                    return Err(cell_too_long(Some(self.line)));
                }
            }
            Ok(())
        }
        fn field(&mut self) -> Result<(), AppError> {
            self.fields += 1;
            if self.filled {
                self.width = self.fields;
            }
            (self.filled, self.chars) = (false, 0);
            if self.fields > CSV_FIELDS_MAX {
                return Err(refuse(format!("Ligne {} : plus de {} colonnes (séparateurs en trop ?).", self.line, n(CSV_FIELDS_MAX))));
            }
            Ok(())
        }
        fn record(&mut self) -> Result<(), AppError> {
            self.field()?;
            if self.width > COLUMNS_MAX {
                return Err(too_many_columns(self.line));
            }
            self.records += 1;
            self.cells += self.width;
            if self.records > ROWS_MAX + HEADER_SEARCH {
                return Err(too_many_rows());
            }
            if self.cells > CELLS_MAX {
                return Err(too_many_cells());
            }
            (self.fields, self.width) = (0, 0);
            Ok(())
        }
    }
    let mut c = Count::default();
    let (mut s, mut line) = (S::Record, 1usize);
    for &b in text.as_bytes() {
        let end = b == b'\r' || b == b'\n';
        s = match s {
            // Line ends before a record are skipped.
            S::Record if end => S::Record,
            S::Record | S::Field => {
                if s == S::Record {
                    c.line = line;
                }
                if b == b'"' {
                    S::Quoted
                } else if b == sep {
                    c.field()?;
                    S::Field
                } else if end {
                    c.record()?;
                    S::Record
                } else {
                    c.data(b)?;
                    S::Unquoted
                }
            }
            S::Unquoted | S::QuoteInQuoted if b == sep => {
                c.field()?;
                S::Field
            }
            S::Unquoted | S::QuoteInQuoted if end => {
                c.record()?;
                S::Record
            }
            S::Unquoted => {
                c.data(b)?;
                S::Unquoted
            }
            S::Quoted if b == b'"' => S::QuoteInQuoted,
            // `""` inside quotes is one quote.
            S::Quoted | S::QuoteInQuoted => {
                c.data(b)?;
                if s == S::QuoteInQuoted && b != b'"' { S::Unquoted } else { S::Quoted }
            }
        };
        if b == b'\n' {
            line += 1;
        }
    }
    if s != S::Record {
        c.record()?;
    }
    Ok(())
}

/// The first sheet of a workbook, read by calamine only once what it will hold is bounded.
///
/// An XLSX is a zip of XML parts. Every part is inflated once, into a counter (zip
/// bombs: not trusting the sizes the zip declares) and into `Shape`, which measures
/// what an XML reader would buffer for it. A part that could make calamine (through
/// quick-xml) hold much more than its own size is refused, or left out of the copy of
/// the workbook given to calamine (`kept`). The shared strings and the styles, which
/// calamine copies, are counted as it would copy them. Then the sheet is read cell by
/// cell as a stream (never calamine's `Range`, which allocates rows × columns of the
/// sheet's extent: `A1` and `XFD1048576` alone make 17 billion cells), and each cell is
/// counted before it is kept.
fn xlsx(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, AppError> {
    use calamine::Reader;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    if zip.len() > 5_000 {
        return Err(unreadable());
    }
    let mut total = 0u64;
    let mut kept = Vec::new();
    // Why the first XML part left out was (calamine failing without it says this).
    let mut left_out: Option<String> = None;
    let (mut shared, mut styles) = (Vec::new(), Vec::new());
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| unreadable())?;
        let name = entry.name().map(|n| n.replace('\\', "/").to_ascii_lowercase()).map_err(|_| unreadable())?;
        let mut shape = Shape::default();
        total += std::io::copy(&mut entry.take(UNZIPPED_MAX_BYTES + 1 - total), &mut shape).map_err(|_| unreadable())?;
        if total > UNZIPPED_MAX_BYTES {
            return Err(refuse(format!(
                "Ce classeur XLSX se décompresse en plus de {} Mo : il est refusé (fichier piégé ou trop gros).",
                UNZIPPED_MAX_BYTES / (1024 * 1024)
            )));
        }
        shape.finish();
        // The parts calamine reads where a workbook puts them; it may read others if the
        // relations say so, which then are left out like images and printer settings.
        let needed = name.ends_with(".rels")
            || name.contains("worksheets/")
            || ["workbook.xml", "sharedstrings.xml", "styles.xml"].iter().any(|n| name.ends_with(n));
        match shape.fault() {
            Some(fault) if needed => return Err(refuse(fault)),
            Some(fault) => {
                left_out.get_or_insert(fault);
                continue;
            }
            None if !shape.safe_whole() && name.ends_with("styles.xml") => return Err(too_many_styles()),
            None if !shape.safe_whole() => continue,
            None => {}
        }
        if name.ends_with("sharedstrings.xml") {
            shared.push(i);
        }
        if name.ends_with("styles.xml") {
            styles.push(i);
        }
        kept.push(i);
    }
    for i in shared {
        shared_strings(zip.by_index(i).map_err(|_| unreadable())?)?;
    }
    for i in styles {
        cell_styles(zip.by_index(i).map_err(|_| unreadable())?)?;
    }
    // The kept parts, copied as they are compressed (no inflating): calamine (with its
    // own zip reader) sees only these, and a plain archive.
    let mut copy = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    for i in kept {
        copy.raw_copy_file(zip.by_index_raw(i).map_err(|_| unreadable())?).map_err(|_| unreadable())?;
    }
    let copy = copy.finish().map_err(|_| unreadable())?.into_inner();
    drop(zip);

    let unreadable = || left_out.clone().map(refuse).unwrap_or_else(unreadable);
    let mut book = calamine::Xlsx::new(Cursor::new(copy.as_slice())).map_err(|_| unreadable())?;
    let Some(sheet) = book.sheet_names().into_iter().next() else {
        return Err(refuse("Ce classeur XLSX n'a aucune feuille."));
    };
    let mut cells = match book.worksheet_cells_reader(&sheet) {
        Ok(cells) => cells,
        // A chart as first sheet: no rows.
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
        Err(_) => return Err(unreadable()),
    };
    let mut grid = Grid::default();
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        grid.put(cell.get_position(), cell.get_value())?;
    }
    Ok(grid.rows())
}

fn unreadable() -> AppError {
    refuse("Ce classeur XLSX est illisible ou endommagé.")
}

/// The rows of a sheet, built from its cells as they stream in, each counted before it
/// is kept: columns, cells, one cell's length, all the text.
#[derive(Default)]
struct Grid {
    /// (row, cells), in the order met; sorted at the end if the sheet was not.
    rows: Vec<(u32, Vec<String>)>,
    cells: usize,
    text: usize,
    unsorted: bool,
}

impl Grid {
    fn put(&mut self, (row, col): (u32, u32), value: &calamine::DataRef) -> Result<(), AppError> {
        let line = row as usize + 1;
        let Some(text) = cell_text(value) else { return Ok(()) };
        if text.trim().is_empty() {
            return Ok(());
        }
        let col = col as usize;
        if col >= COLUMNS_MAX {
            return Err(too_many_columns(line));
        }
        // Bytes first: a character is at most 4 of them, and counting is only needed beyond.
        if text.len() > CELL_MAX_CHARS && text.chars().count() > CELL_MAX_CHARS {
            return Err(cell_too_long(Some(line)));
        }
        self.text += text.len();
        if self.text > TEXT_MAX_BYTES {
            return Err(too_much_text());
        }
        match self.rows.last() {
            Some((last, _)) if *last == row => {}
            last => {
                self.unsorted |= last.is_some_and(|(l, _)| *l > row);
                if self.rows.len() >= ROWS_MAX + HEADER_SEARCH {
                    return Err(too_many_rows());
                }
                self.rows.push((row, Vec::new()));
            }
        }
        let Some((_, cells)) = self.rows.last_mut() else { return Ok(()) };
        if cells.len() <= col {
            self.cells += col + 1 - cells.len();
            if self.cells > CELLS_MAX {
                return Err(too_many_cells());
            }
            cells.resize(col + 1, String::new());
        }
        cells[col] = text.into_owned();
        Ok(())
    }

    /// (line, cells) by line; a row met twice (cells out of order) is one.
    fn rows(mut self) -> Vec<(usize, Vec<String>)> {
        if self.unsorted {
            self.rows.sort_by_key(|(row, _)| *row);
        }
        let mut out: Vec<(usize, Vec<String>)> = Vec::with_capacity(self.rows.len());
        for (row, cells) in self.rows {
            let line = row as usize + 1;
            match out.last_mut() {
                Some((l, merged)) if *l == line => {
                    for (i, cell) in cells.into_iter().enumerate().filter(|(_, c)| !c.is_empty()) {
                        if merged.len() <= i {
                            merged.resize(i + 1, String::new());
                        }
                        merged[i] = cell;
                    }
                }
                _ => out.push((line, cells)),
            }
        }
        out
    }
}

/// A cell's text, borrowed from calamine when it is one (shared strings are not copied
/// before they are counted).
fn cell_text<'a>(d: &'a calamine::DataRef<'_>) -> Option<Cow<'a, str>> {
    use calamine::DataRef;
    Some(match d {
        DataRef::Empty | DataRef::Error(_) => return None,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cow::Borrowed(s.as_str()),
        DataRef::SharedString(s) => Cow::Borrowed(*s),
        DataRef::Int(i) => Cow::Owned(i.to_string()),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Cow::Owned(format!("{}", *f as i64)),
        DataRef::Float(f) => Cow::Owned(f.to_string().replace('.', ",")),
        DataRef::Bool(b) => Cow::Borrowed(if *b { "oui" } else { "non" }),
        // Excel's day count from 1899-12-30.
        DataRef::DateTime(dt) => Cow::Owned(
            chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|base| base.checked_add_signed(chrono::Duration::try_days(dt.as_f64().floor() as i64)?))
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
        ),
    })
}

/// What a part of the zip would make an XML reader hold, measured while it inflates
/// (the `Write` end of `io::copy`), by a small lexer of XML's own syntax (tags with
/// quoted attributes, comments, CDATA, processing instructions) — the same cuts quick-xml
/// makes, so what it would buffer for one event, or keep for open elements, is known
/// before it runs.
#[derive(Default)]
struct Shape {
    size: u64,
    /// The longest event: a tag, the text between two tags, a comment…
    longest: u64,
    /// The most elements open at once.
    deepest: usize,
    /// A `<!DOCTYPE …>` (or any other `<!` declaration): never in a workbook.
    doctype: bool,
    /// The longest span of a cell's element (`c`, `is`, `v`, `f`): calamine gathers a
    /// cell's whole content (its text runs, a formula) until the element closes.
    longest_cell: u64,
    /// Elements of which calamine keeps one item each when it reads a part whole:
    /// relations, sheets, defined names, number formats, fonts, fills, borders, cell
    /// styles, theme colours.
    items: u64,
    sheets: u64,
    longest_relationship: u64,
    // The lexer's state.
    state: Lex,
    run: u64,
    depth: usize,
    quote: u8,
    prev: u8,
    closing: bool,
    name: [u8; 32],
    name_len: usize,
    marks: u8,
    tag_start: u64,
    /// `c`, `is`, `v`, `f`: how many open, since which byte.
    open: [(u32, u64); 4],
}

#[derive(Default, Clone, Copy, PartialEq)]
enum Lex {
    #[default]
    Text,
    /// Just after `<`.
    Open,
    Name,
    Tag,
    /// After `<!`: a comment, CDATA, or a declaration.
    Bang,
    Comment,
    CData,
    Pi,
}

impl Write for Shape {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.feed(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shape {
    fn feed(&mut self, mut buf: &[u8]) {
        while !buf.is_empty() {
            if self.state == Lex::Text {
                let k = buf.iter().position(|&b| b == b'<').unwrap_or(buf.len());
                self.advance(k as u64);
                buf = &buf[k..];
                if buf.is_empty() {
                    break;
                }
                // The text ends, a markup begins.
                (self.run, self.tag_start) = (0, self.size);
                (self.state, self.closing, self.name_len, self.quote, self.prev) = (Lex::Open, false, 0, 0, 0);
            } else if self.state == Lex::Tag {
                // Up to the next byte that matters: a quote, or `>` outside quotes.
                let k = match self.quote {
                    0 => buf.iter().position(|&b| matches!(b, b'"' | b'\'' | b'>')),
                    q => buf.iter().position(|&b| b == q),
                }
                .unwrap_or(buf.len());
                if k > 0 {
                    self.prev = buf[k - 1];
                    self.advance(k as u64);
                    buf = &buf[k..];
                    continue;
                }
                self.step(buf[0]);
            } else {
                self.step(buf[0]);
            }
            self.advance(1);
            buf = &buf[1..];
        }
    }

    fn advance(&mut self, n: u64) {
        self.size += n;
        self.run += n;
        self.longest = self.longest.max(self.run);
    }

    fn step(&mut self, b: u8) {
        match self.state {
            Lex::Text => {}
            Lex::Open => match b {
                b'/' => (self.closing, self.state) = (true, Lex::Name),
                b'?' => self.state = Lex::Pi,
                b'!' => self.state = Lex::Bang,
                _ => {
                    self.state = Lex::Name;
                    self.name_byte(b);
                }
            },
            Lex::Name if b.is_ascii_whitespace() || b == b'/' || b == b'>' => {
                self.state = Lex::Tag;
                self.tag_byte(b);
            }
            Lex::Name => self.name_byte(b),
            Lex::Tag => self.tag_byte(b),
            Lex::Bang => {
                self.name_byte(b);
                let seen = &self.name[..self.name_len.min(32)];
                if seen == b"--" {
                    (self.state, self.marks) = (Lex::Comment, 0);
                } else if seen == b"[CDATA[" {
                    (self.state, self.marks) = (Lex::CData, 0);
                } else if !b"--".starts_with(seen) && !b"[CDATA[".starts_with(seen) {
                    self.doctype = true;
                    self.state = Lex::Tag;
                }
            }
            Lex::Comment | Lex::CData => {
                let mark = if self.state == Lex::Comment { b'-' } else { b']' };
                if b == mark {
                    self.marks = self.marks.saturating_add(1);
                } else {
                    if b == b'>' && self.marks >= 2 {
                        self.end_markup();
                    }
                    self.marks = 0;
                }
            }
            Lex::Pi => {
                if b == b'>' && self.prev == b'?' {
                    self.end_markup();
                }
                self.prev = b;
            }
        }
    }

    fn name_byte(&mut self, b: u8) {
        if self.name_len < self.name.len() {
            self.name[self.name_len] = b;
        }
        self.name_len = self.name_len.saturating_add(1);
    }

    /// Inside a tag: quotes hide `>`; `/>` is an empty element.
    fn tag_byte(&mut self, b: u8) {
        if self.quote != 0 {
            if b == self.quote {
                self.quote = 0;
            }
        } else if b == b'"' || b == b'\'' {
            self.quote = b;
        } else if b == b'>' {
            let empty = self.prev == b'/';
            self.end_tag(empty);
            return;
        }
        self.prev = b;
    }

    fn end_tag(&mut self, empty: bool) {
        let name: &[u8] = if self.name_len <= self.name.len() { &self.name[..self.name_len] } else { b"" };
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        let cell = match local {
            b"c" => Some(0),
            b"is" => Some(1),
            b"v" => Some(2),
            b"f" => Some(3),
            _ => None,
        };
        if self.closing {
            self.depth = self.depth.saturating_sub(1);
            if let Some((count, _)) = cell.map(|k| &mut self.open[k]) {
                *count = count.saturating_sub(1);
            }
        } else {
            if !empty {
                self.depth += 1;
                self.deepest = self.deepest.max(self.depth);
                if let Some(k) = cell {
                    if self.open[k].0 == 0 {
                        self.open[k].1 = self.tag_start;
                    }
                    self.open[k].0 = self.open[k].0.saturating_add(1);
                }
            }
            const ITEMS: [&[u8]; 10] =
                [b"Relationship", b"sheet", b"definedName", b"numFmt", b"font", b"fill", b"border", b"xf", b"srgbClr", b"sysClr"];
            if ITEMS.contains(&local) {
                self.items += 1;
            }
            if local == b"sheet" {
                self.sheets += 1;
            }
            if local == b"Relationship" {
                self.longest_relationship = self.longest_relationship.max(self.run);
            }
        }
        self.end_markup();
    }

    fn end_markup(&mut self) {
        (self.state, self.run) = (Lex::Text, 0);
        self.spans();
    }

    /// The open cell elements' spans so far.
    fn spans(&mut self) {
        for (count, since) in self.open {
            if count > 0 {
                self.longest_cell = self.longest_cell.max(self.size + 1 - since);
            }
        }
    }

    fn finish(&mut self) {
        self.spans();
    }

    /// Why an XML reader must not read this part, in French.
    fn fault(&self) -> Option<String> {
        if self.doctype {
            Some("Ce classeur XLSX contient une déclaration DOCTYPE, qu'aucun tableur n'écrit : il est refusé.".into())
        } else if self.longest > XML_EVENT_MAX || self.longest_cell > XML_EVENT_MAX {
            Some(format!(
                "Ce classeur XLSX contient un élément de plus de {} Mo d'un seul tenant (une cellule Excel compte au plus {} caractères) : il est refusé.",
                XML_EVENT_MAX >> 20,
                n(CELL_MAX_CHARS)
            ))
        } else if self.deepest > XML_DEPTH_MAX {
            Some(format!("Ce classeur XLSX imbrique ses éléments sur plus de {XML_DEPTH_MAX} niveaux : il est refusé (fichier piégé)."))
        } else {
            None
        }
    }

    /// Whether calamine may read this part whole: it keeps an item per relation, sheet,
    /// style… (each a few times the bytes it came from), so a part with such items must
    /// be small; and it copies a relation's target into each sheet.
    fn safe_whole(&self) -> bool {
        (self.size <= PART_MAX_BYTES || self.items == 0) && self.sheets <= SHEETS_MAX && self.longest_relationship <= RELATIONSHIP_TAG_MAX
    }
}

fn too_many_styles() -> AppError {
    refuse(
        "Ce classeur XLSX définit trop de styles de cellule : enregistrez-le en CSV, ou copiez ses données dans un classeur neuf, puis importez-le à nouveau.",
    )
}

/// An XML reader set as calamine sets its own.
fn xml_reader<R: Read>(part: R) -> quick_xml::Reader<BufReader<R>> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(part));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    xml
}

/// The shared strings table, counted as calamine will keep it (each `<si>` a String; it
/// reserves room for `uniqueCount` of them at once): how many, how long each, how much
/// text in all. Only read once its `Shape` is known to be safe.
fn shared_strings<R: Read>(part: R) -> Result<(), AppError> {
    use quick_xml::events::Event;
    let too_many = || {
        refuse(format!("Ce classeur XLSX compte plus de {} textes différents : il est refusé (fichier piégé ou trop gros).", n(SHARED_MAX)))
    };
    let mut xml = xml_reader(part);
    let (mut buf, mut strings, mut chars, mut text, mut first) = (Vec::new(), 0usize, 0usize, 0usize, true);
    loop {
        buf.clear();
        let (bytes, count) = match xml.read_event_into(&mut buf).map_err(|_| unreadable())? {
            Event::Start(e) => {
                match e.local_name().as_ref() {
                    // calamine reads this attribute with its own parser: every spelling
                    // of it is looked at.
                    "sst" if first => {
                        first = false;
                        if declared(&e, "uniqueCount") > SHARED_MAX as u64 {
                            return Err(too_many());
                        }
                    }
                    "si" => {
                        (strings, chars) = (strings + 1, 0);
                        if strings > SHARED_MAX {
                            return Err(too_many());
                        }
                    }
                    _ => {}
                }
                continue;
            }
            Event::Text(t) => (t.len(), t.chars().count()),
            Event::CData(t) => (t.len(), t.chars().count()),
            Event::GeneralRef(_) => (4, 1),
            Event::Eof => return Ok(()),
            _ => continue,
        };
        (text, chars) = (text + bytes, chars + count);
        if chars > CELL_MAX_CHARS {
            return Err(cell_too_long(None));
        }
        if text > TEXT_MAX_BYTES {
            return Err(too_much_text());
        }
    }
}

/// The largest number written after any `name=` in a tag (what a lenient reader of
/// attributes could find there).
fn declared(tag: &str, name: &str) -> u64 {
    tag.match_indices(name)
        .map(|(at, _)| {
            let rest = tag[at + name.len()..].trim_start().strip_prefix('=').unwrap_or("").trim_start();
            let rest = rest.trim_start_matches(['"', '\'', '+']);
            rest.bytes().take_while(u8::is_ascii_digit).fold(0u64, |v, d| v.saturating_mul(10).saturating_add(u64::from(d - b'0')))
        })
        .max()
        .unwrap_or(0)
}

/// The cell styles, counted as calamine will build them: each copies its font, fill,
/// border and number format (counted here at the largest of each, in bytes of XML).
fn cell_styles<R: Read>(part: R) -> Result<(), AppError> {
    use quick_xml::events::Event;
    let mut xml = xml_reader(part);
    let mut buf = Vec::new();
    // font, fill, border, numFmt: the open one's start, the largest.
    let mut open: [Option<u64>; 4] = [None; 4];
    let mut largest = [0u64; 4];
    let mut cost = 0u64;
    loop {
        buf.clear();
        let before = xml.buffer_position();
        let (start, name) = match xml.read_event_into(&mut buf).map_err(|_| unreadable())? {
            Event::Start(e) => (true, e.local_name().as_ref().to_string()),
            Event::End(e) => (false, e.local_name().as_ref().to_string()),
            Event::Eof => return Ok(()),
            _ => continue,
        };
        let kind = ["font", "fill", "border", "numFmt"].iter().position(|k| *k == name);
        match (start, kind) {
            (true, Some(k)) if open[k].is_none() => open[k] = Some(before),
            (false, Some(k)) => {
                if let Some(at) = open[k].take() {
                    largest[k] = largest[k].max(xml.buffer_position() - at);
                }
            }
            (true, None) if name == "xf" => {
                cost += 512 + 2 * largest.iter().sum::<u64>();
                if cost > STYLES_MAX_BYTES {
                    return Err(too_many_styles());
                }
            }
            _ => {}
        }
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
            (
                Some(line),
                cells.iter().enumerate().map(|(i, h)| if h.is_empty() { format!("Colonne {}", i + 1) } else { h.clone() }).collect(),
            )
        }
        None => {
            let width = rows.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
            (None, (1..=width).map(|i| format!("Colonne {i}")).collect())
        }
    };
    if rows.len() > ROWS_MAX {
        return Err(too_many_rows());
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
    const NAMES: [(&str, &[&str]); 13] = [
        ("nom", &["nom", "nom de famille", "name", "last name", "lastname", "surname", "family name", "nom client", "nom du client"]),
        ("prenom", &["prenom", "first name", "firstname", "given name", "prenom client"]),
        ("civilite", &["civilite", "civ", "titre", "title", "salutation"]),
        (
            "societe",
            &["societe", "entreprise", "raison sociale", "company", "organisation", "organization", "nom societe", "etablissement"],
        ),
        ("adresse", &["adresse", "adresse 1", "adresse1", "address", "rue", "street", "voie", "adresse postale"]),
        ("code_postal", &["cp", "code postal", "codepostal", "postcode", "post code", "zip", "zip code", "zipcode", "postal code"]),
        ("ville", &["ville", "city", "commune", "localite", "town"]),
        ("email", &["mail", "email", "e mail", "courriel", "adresse mail", "adresse email", "adresse e mail", "mel"]),
        ("notes", &["notes", "note", "observations", "commentaire", "commentaires", "remarques", "comments", "comment", "memo"]),
        ("type_client", &["type de client", "type client", "type", "categorie client"]),
        ("siren", &["siren", "n siren", "numero siren"]),
        ("siret", &["siret", "n siret", "numero siret"]),
        (
            "tva_intra",
            &["n tva intracommunautaire", "tva intracommunautaire", "numero de tva", "numero tva", "n tva", "vat", "vat number", "tva"],
        ),
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
        assert_eq!(
            texts(&t),
            vec![vec!["PAVIÈRE", "Robert", "69003", "Lyon", "Accès ; code 12\r\n2e étage"], vec!["Léon", "Zoé", "01000", "Bourg"]]
        );
        assert_eq!(t.rows[1].0, 5, "line numbers count the quoted newline");
    }

    #[test]
    fn utf8_with_bom_commas_and_a_title_above_the_header() {
        let text =
            "\u{feff}Export du 12/03/2026\n\nLast name,First name,E-mail,Tél. portable\n\"Durand, fils\",Élodie,e@x.fr,06 12 34 56 78\n";
        let t = read(text.as_bytes()).unwrap();
        assert_eq!((t.encoding, t.separator, t.header_line), ("UTF-8 avec BOM", Some(','), Some(3)));
        assert_eq!(guess_mapping(&t.headers, &[]), ["nom", "prenom", "email", "telephone"]);
        assert_eq!(texts(&t), vec![vec!["Durand, fils", "Élodie", "e@x.fr", "06 12 34 56 78"]]);
    }

    #[test]
    fn headers_are_guessed_in_french_and_english() {
        let h: Vec<String> = [
            "Civ.",
            "NOM",
            "Prénom",
            "Raison sociale",
            "Adresse",
            "Code Postal",
            "Ville",
            "Tél. fixe",
            "Tél. portable",
            "Courriel",
            "Observations",
            "Statut",
            "Fidélité",
        ]
        .map(String::from)
        .to_vec();
        let m = guess_mapping(&h, &[(7, "Fidélité".into())]);
        assert_eq!(
            m,
            [
                "civilite",
                "nom",
                "prenom",
                "societe",
                "adresse",
                "code_postal",
                "ville",
                "telephone",
                "telephone",
                "email",
                "notes",
                "",
                "q7"
            ]
        );
    }

    #[test]
    fn forty_columns_and_the_injection_quote() {
        let header: Vec<String> = (1..=40)
            .map(|i| {
                if i == 1 {
                    "Nom".into()
                } else if i == 2 {
                    "Prénom".into()
                } else {
                    format!("Champ {i}")
                }
            })
            .collect();
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

    /// A workbook of one sheet: its extent as declared, its rows (`<sheetData>`), and
    /// if given a shared strings table (`<si>` entries) and cell styles (`<styleSheet>`).
    fn workbook(dimension: &str, rows: &str, shared: Option<&str>, styles: Option<&str>) -> Vec<u8> {
        use std::io::Write;
        const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
        const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let mut rels =
            format!(r#"<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>"#);
        let mut parts = vec![
            ("[Content_Types].xml".to_string(), r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#.to_string()),
            ("_rels/.rels".into(), format!(r#"<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)),
            ("xl/workbook.xml".into(), format!(r#"<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>"#)),
            ("xl/worksheets/sheet1.xml".into(), format!(r#"<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>"#)),
        ];
        if let Some(si) = shared {
            rels.push_str(&format!(r#"<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>"#));
            let sst = if si.starts_with("<sst") { si.to_string() } else { format!(r#"<sst xmlns="{MAIN}">{si}</sst>"#) };
            parts.push(("xl/sharedStrings.xml".into(), sst));
        }
        if let Some(styles) = styles {
            rels.push_str(&format!(r#"<Relationship Id="rId3" Type="{DOC}/styles" Target="styles.xml"/>"#));
            parts.push(("xl/styles.xml".into(), format!(r#"<styleSheet xmlns="{MAIN}">{styles}</styleSheet>"#)));
        }
        rels.push_str("</Relationships>");
        parts.push(("xl/_rels/workbook.xml.rels".into(), rels));
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in parts {
            w.start_file(name, options).unwrap();
            w.write_all(body.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn refusal(bytes: &[u8]) -> String {
        match read(bytes) {
            Err(AppError::Invalid { message, .. }) => message,
            other => panic!("not refused: {:?}", other.map(|t| (t.headers, t.rows.len()))),
        }
    }

    #[test]
    fn a_plain_workbook_reads_its_cells_where_they_are() {
        // Shared, inline and formula strings, a number, a phone stored as a number, a
        // boolean, a date (style 1: format 14), a cell written before its left
        // neighbour, a row far down, empty and blank cells.
        let rows = concat!(
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c><c r="B1" t="inlineStr"><is><t>Prénom</t></is></c><c r="D1" t="s"><v>2</v></c><c r="E1" t="inlineStr"><is><t>Actif</t></is></c></row>"#,
            r#"<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="str"><f>"Zo"&amp;"é"</f><v>Zoé</v></c><c r="C2" s="1"><v>46096</v></c><c r="D2"><v>612345678</v></c><c r="E2" t="b"><v>1</v></c><c r="F2"/></row>"#,
            r#"<row r="3"><c r="A3" t="inlineStr"><is><t>   </t></is></c></row>"#,
            r#"<row r="900000"><c r="B900000"><v>12.5</v></c></row>"#,
        );
        let shared = "<si><t>Nom</t></si><si><r><t>Date</t></r><r><t xml:space=\"preserve\"> de naissance</t></r></si><si><t>Téléphone</t></si><si><t>Léon &amp; fils</t></si>";
        let styles = r#"<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>"#;
        let t = read(&workbook("A1:F900000", rows, Some(shared), Some(styles))).unwrap();
        assert_eq!((t.encoding, t.header_line), ("Classeur XLSX", Some(1)));
        assert_eq!(t.headers, ["Nom", "Prénom", "Date de naissance", "Téléphone", "Actif"]);
        assert_eq!(texts(&t), vec![vec!["Léon & fils", "Zoé", "15/03/2026", "612345678", "oui"], vec!["", "12,5"]]);
        assert_eq!((t.rows[0].0, t.rows[1].0), (2, 900000), "the sheet's own line numbers");
    }

    #[test]
    fn a_sparse_workbook_is_refused_before_its_extent_is_allocated() {
        // Two cells, A1 and XFD1048576: 17 billion cells of extent, a 1 KB file.
        let rows =
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
        let file = workbook("A1:XFD1048576", rows, None, None);
        assert!(file.len() < 2_000, "{}", file.len());
        assert_eq!(refusal(&file), "Ligne 1048576 : plus de 100 colonnes.");
        // Far down in one column is only two rows, whatever the dimension claims.
        let rows = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row><row r="1048576"><c r="A1048576" t="inlineStr"><is><t>Dupont</t></is></c></row>"#;
        let t = read(&workbook("A1:XFD1048576", rows, None, None)).unwrap();
        assert_eq!(t.rows, vec![(1048576, vec!["Dupont".to_string()])]);
        // More cells than kept in memory: 40,001 rows reaching column CV (the 100th).
        let rows: String = (1..=40_001).map(|r| format!(r#"<row r="{r}"><c r="CV{r}"><v>1</v></c></row>"#)).collect();
        assert!(refusal(&workbook("A1:CV40001", &rows, None, None)).contains("plus de 4\u{202f}000\u{202f}000 cellules"));
    }

    #[test]
    fn shared_strings_are_counted_as_copied_into_each_cell() {
        // One 30,000-character string referred to by 10,000 cells: 300 MB once read.
        let big = format!("<si><t>{}</t></si>", "x".repeat(30_000));
        let rows: String = (1..=1_000)
            .map(|r| {
                format!(
                    "<row r=\"{r}\">{}</row>",
                    (0..10).map(|c| format!(r#"<c r="{}{r}" t="s"><v>0</v></c>"#, (b'A' + c) as char)).collect::<String>()
                )
            })
            .collect();
        let file = workbook("A1:J1000", &rows, Some(&big), None);
        assert!(file.len() < 100_000, "{}", file.len());
        assert!(refusal(&file).contains("plus de 64 Mo de texte"), "{}", refusal(&file));
        // One string longer than a cell may be (1 MB), even referred to once.
        let huge = format!("<si><t>{}</t></si>", "x".repeat(1_000_000));
        assert!(
            refusal(&workbook("A1", r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#, Some(&huge), None))
                .contains("dépasse 32\u{202f}767 caractères")
        );
        // A table announcing four billion strings (calamine reserves room for them).
        let lying = r#"<sst uniqueCount="4000000000"><si><t>Nom</t></si></sst>"#;
        let file = workbook("A1", r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#, Some(lying), None);
        assert!(refusal(&file).contains("plus de 1\u{202f}500\u{202f}000 textes différents"));
    }

    #[test]
    fn one_huge_cell_or_deep_nesting_is_refused() {
        // A 50 MB cell (deflated to about 50 KB).
        let rows = format!(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>{}</t></is></c></row>"#, "x".repeat(50 << 20));
        let file = workbook("A1", &rows, None, None);
        assert!(file.len() < 1 << 20, "{}", file.len());
        assert!(refusal(&file).contains("un élément de plus de 1 Mo d'un seul tenant"), "{}", refusal(&file));
        // The same text cut by tags every few bytes: still one cell.
        let rows = format!(r#"<row r="1"><c r="A1" t="inlineStr"><is>{}</is></c></row>"#, "<t>abcdefgh</t>".repeat(200_000));
        assert!(refusal(&workbook("A1", &rows, None, None)).contains("d'un seul tenant"));
        // A million nested elements.
        let rows = format!("{}{}", "<a>".repeat(1_000_000), "</a>".repeat(1_000_000));
        assert!(refusal(&workbook("A1", &rows, None, None)).contains("plus de 64 niveaux"));
        assert!(refusal(&workbook("A1", "<!DOCTYPE x [<!ENTITY a \"b\">]>", None, None)).contains("DOCTYPE"));
        // A CSV cell of 1 MB (the file limit keeps out larger ones).
        let csv = format!("Nom;Notes\nDupont;{}\n", "x".repeat(1 << 20));
        assert_eq!(
            refusal(csv.as_bytes()),
            "Ligne 2 : une cellule dépasse 32\u{202f}767 caractères (la limite d'Excel) : le fichier est refusé."
        );
    }

    #[test]
    fn parts_calamine_never_reads_are_left_out_not_refused() {
        use std::io::Write;
        // Power Query keeps its queries as one base64 text of several MB; an image is not XML.
        let file = workbook(
            "A1",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c><c r="B1" t="inlineStr"><is><t>Ville</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Dupont</t></is></c></row>"#,
            None,
            None,
        );
        let mut w = zip::ZipWriter::new_append(Cursor::new(file)).unwrap();
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file("customXml/item1.xml", options).unwrap();
        w.write_all(format!("<DataMashup>{}</DataMashup>", "QUFB".repeat(1 << 20)).as_bytes()).unwrap();
        w.start_file("xl/media/image1.png", options).unwrap();
        w.write_all(&(0..200_000u32).map(|i| [b'<', b'!', b'a', b'"'][(i % 7 % 4) as usize]).collect::<Vec<u8>>()).unwrap();
        let t = read(&w.finish().unwrap().into_inner()).unwrap();
        assert_eq!((t.headers.clone(), texts(&t)), (vec!["Nom".to_string(), "Ville".into()], vec![vec!["Dupont"]]));
    }

    #[test]
    fn a_csv_line_of_millions_of_columns_is_refused_before_it_is_split() {
        let mut csv = String::from("Nom;Ville\nDupont;Lyon\n");
        csv.push_str(&"x;".repeat(2_000_000));
        assert_eq!(refusal(csv.as_bytes()), "Ligne 3 : plus de 16\u{202f}384 colonnes (séparateurs en trop ?).");
        // Separators only, and within quotes spread on several lines.
        assert!(refusal(";".repeat(10_000_000).as_bytes()).contains("Ligne 1 : plus de 16\u{202f}384 colonnes"));
        let quoted = format!("Nom;Ville\n{}\n", "\"a\nb\";".repeat(20_000));
        assert!(refusal(quoted.as_bytes()).contains("Ligne 2 : plus de 16\u{202f}384 colonnes"));
        // 101 filled columns, and trailing empty ones (Excel's padding) which are not.
        let wide = format!("Nom;Ville\n{}\n", vec!["v"; 101].join(";"));
        assert_eq!(refusal(wide.as_bytes()), "Ligne 2 : plus de 100 colonnes.");
        let padded = format!("Nom;Ville\nDupont;Lyon{}\n", ";".repeat(5_000));
        assert_eq!(texts(&read(padded.as_bytes()).unwrap()), vec![vec!["Dupont", "Lyon"]]);
    }

    #[test]
    fn styles_copied_into_each_cell_style_are_counted() {
        // A font of 500 KB, copied by calamine into each of 2,000 cell styles: 1 GB.
        let styles = format!(
            r#"<fonts count="1"><font><name val="{}"/></font></fonts><cellXfs count="2000">{}</cellXfs>"#,
            "A".repeat(500_000),
            r#"<xf numFmtId="0" fontId="0"/>"#.repeat(2_000)
        );
        let file = workbook("A1", r#"<row r="1"><c r="A1"><v>1</v></c></row>"#, None, Some(&styles));
        assert!(refusal(&file).contains("trop de styles de cellule"));
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
