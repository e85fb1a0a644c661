//! The PDF of a devis, facture or avoir (krilla; DejaVu Sans shipped in `public/fonts`,
//! embedded and subset: no network, no system font). A4, laid out as a list of drawing
//! operations per page, then drawn.

use std::sync::LazyLock;

use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::geom::{Size as PageSize, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

use crate::company::model::Identity;
use crate::documents::model::{DocumentView, Kind, vat_label};
use crate::documents::store::Header;
use crate::fmt::{date_fr, euros, milli_fr, percent_bp};

static REGULAR_TTF: &[u8] = include_bytes!("../../public/fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../public/fonts/DejaVuSans-Bold.ttf");
static REGULAR: LazyLock<Option<Font>> = LazyLock::new(|| Font::new(REGULAR_TTF.into(), 0));
static BOLD: LazyLock<Option<Font>> = LazyLock::new(|| Font::new(BOLD_TTF.into(), 0));

const W: f32 = 595.0;
const H: f32 = 842.0;
const LEFT: f32 = 48.0;
const RIGHT: f32 = W - 48.0;
const BOTTOM: f32 = H - 60.0;

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rule {
        y: f32,
    },
    /// The company's logo, its top-left corner at (x, y), `h` points high.
    Logo {
        x: f32,
        y: f32,
        h: f32,
        image: Image,
    },
}

/// The logo as krilla reads it (PNG or JPEG; `mime` from [`crate::company::model::logo_kind`]).
fn image(mime: &str, data: &[u8]) -> Result<Image, String> {
    let data: krilla::Data = data.to_vec().into();
    // No interpolation: PDF/A forbids it (the Factur-X is PDF/A-3).
    if mime == "image/png" { Image::from_png(data, false) } else { Image::from_jpeg(data, false) }
}

/// Whether a logo can be drawn: checked when it is sent by drawing it into a PDF (its
/// pixels are decoded only then), so that no document fails later.
pub fn check_image(mime: &str, data: &[u8]) -> Result<(), String> {
    let img = image(mime, data)?;
    let (w, h) = img.size();
    if w == 0 || h == 0 || w > 2000 || h > 2000 {
        return Err("dimensions".into());
    }
    let pdf = draw(vec![vec![Op::Logo { x: LEFT, y: 60.0, h: 40.0, image: img }]], None);
    if pdf.is_empty() { Err("illisible".into()) } else { Ok(()) }
}

/// Text width in points, from the font's advances.
fn width(text: &str, size: f32, bold: bool) -> f32 {
    let Ok(font) = skrifa::FontRef::new(if bold { BOLD_TTF } else { REGULAR_TTF }) else { return 0.0 };
    let charmap = font.charmap();
    let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
    text.chars().map(|c| charmap.map(c).and_then(|g| metrics.advance_width(g)).unwrap_or(size * 0.6)).sum()
}

/// Splits a text into lines no wider than `max`.
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if width(&candidate, size, false) > max && !line.is_empty() {
                out.push(std::mem::replace(&mut line, word.to_string()));
            } else {
                line = candidate;
            }
        }
        out.push(line);
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn text(&mut self, x: f32, size: f32, bold: bool, text: impl Into<String>) {
        let y = self.y;
        self.page().push(Op::Text { x, y, size, bold, text: text.into() });
    }
    fn right(&mut self, x_right: f32, size: f32, bold: bool, text: impl Into<String>) {
        let text = text.into();
        let x = x_right - width(&text, size, bold);
        self.text(x, size, bold, text);
    }
    fn rule(&mut self) {
        let y = self.y;
        self.page().push(Op::Rule { y });
    }
    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        self.pages.last_mut().expect("a page")
    }
    /// Moves down; starts a new page when the next `need` points do not fit.
    fn down(&mut self, by: f32, need: f32) {
        self.y += by;
        if self.y + need > BOTTOM {
            self.pages.push(Vec::new());
            self.y = 60.0;
        }
    }
}

/// The letterhead of every document and letter: the logo, the company's name and its
/// identity lines (docs/legal.md, «Seller identity»), and for the demo company a line
/// that says its values are invented.
fn letterhead(l: &mut Layout, seller: &Identity, logo: Option<&(String, Vec<u8>)>) {
    if seller.is_demo {
        l.text(LEFT, 8.0, true, "DOCUMENT DE DÉMONSTRATION — entreprise et valeurs inventées, sans valeur légale");
        l.down(16.0, 0.0);
    }
    if let Some(img) = logo.and_then(|(mime, data)| image(mime, data).ok()) {
        let y = l.y - 10.0;
        l.page().push(Op::Logo { x: LEFT, y, h: 40.0, image: img });
        l.down(40.0, 0.0);
    }
    l.text(LEFT, 14.0, true, seller.raison_sociale.clone());
    for line in seller.seller_lines() {
        for part in wrap(&line, 8.0, 280.0) {
            l.down(11.0, 0.0);
            l.text(LEFT, 8.0, false, part);
        }
    }
}

/// The mentions under a document's totals, by document type and client type
/// (docs/legal.md). `certified_rates`: the reduced VAT rates of its lines (10 %, 5,5 %).
fn mentions(h: &Header, d: &DocumentView) -> Vec<String> {
    let s = &h.seller;
    let mut m = Vec::new();
    let invoice = matches!(d.kind, Kind::Facture | Kind::Avoir);
    if s.franchise_tva {
        m.push("TVA non applicable, art. 293 B du CGI".to_string());
    }
    if d.autoliquidation {
        m.push("Autoliquidation – TVA due par le preneur assujetti (art. 283-2 nonies du CGI)".to_string());
    }
    if invoice {
        m.push(format!("Catégorie de l'opération : {}", s.categorie_label()));
        if s.tva_debits {
            m.push("Option pour le paiement de la taxe d'après les débits".to_string());
        }
    }
    if d.kind == Kind::Facture {
        m.push(format!("Date d'échéance : {}. Conditions de paiement : {} jours.", date_fr(&d.due_date), s.paiement_jours));
        m.push(s.escompte_mention());
        if h.professional {
            m.push(s.penalty_mention());
            m.push("Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € (art. L441-10 et D441-5 du Code de commerce).".to_string());
        }
        if !s.iban.is_empty() {
            let bic = if s.bic.is_empty() { String::new() } else { format!(" – BIC {}", s.bic) };
            m.push(format!("Règlement par virement : IBAN {}{bic}", crate::company::check::group_iban(&s.iban)));
        }
    }
    if d.kind == Kind::Devis {
        m.push("Devis gratuit.".to_string());
    }
    if matches!(d.kind, Kind::Devis | Kind::Facture) && !s.decennale_assureur.is_empty() {
        m.push(s.decennale_mention());
    }
    if !h.professional && matches!(d.kind, Kind::Devis | Kind::Facture) && !s.mediateur_nom.is_empty() {
        m.push(s.mediateur_mention());
    }
    m
}

/// The client's certifications for reduced VAT rates (CGI 279-0 bis, 278-0 bis A; the
/// wording of docs/legal.md, M-TVA-TAUX-REDUIT-10/55): one per reduced rate its lines have,
/// each naming its rate (a 10 % line is not energy renovation).
fn reduced_rate_certifications(h: &Header, d: &DocumentView) -> Vec<String> {
    if h.seller.franchise_tva || d.autoliquidation || !matches!(d.kind, Kind::Devis | Kind::Facture) {
        return Vec::new();
    }
    let name = h.client.first().cloned().unwrap_or_default();
    let text = |energy: bool| {
        format!(
            "Je soussigné(e) {name} certifie, en qualité de preneur de la prestation, que les travaux réalisés concernent des locaux à usage d'habitation achevés depuis plus de deux ans et qu'ils n'ont pas eu pour effet, sur une période de deux ans au plus, de concourir à la production d'un immeuble neuf au sens du 2° du 2 du I de l'article 257 du CGI, ni d'entraîner une augmentation de la surface de plancher des locaux existants supérieure à 10 %{}.",
            if energy { " et qu'ils ont la nature de travaux de rénovation énergétique" } else { "" }
        )
    };
    let has = |bp: i64| d.lines.iter().any(|l| l.vat_bp == bp);
    let mut out = Vec::new();
    if has(1000) {
        out.push(format!("Travaux au taux de 10 % : {}", text(false)));
    }
    if has(550) {
        out.push(format!("Travaux au taux de 5,5 % : {}", text(true)));
    }
    out
}

/// The client's name and address, and a professional's SIREN and VAT number.
fn client_lines(h: &Header) -> Vec<String> {
    let mut client = h.client.clone();
    if h.professional {
        if !h.client_siren.is_empty() {
            client.push(format!("SIREN du client : {}", crate::company::check::group_siren(&h.client_siren)));
        }
        if !h.client_tva.is_empty() {
            client.push(format!("N° TVA intracommunautaire du client : {}", h.client_tva));
        }
    }
    client
}

/// Draws the document. Never fails: a missing font yields an empty page rather than
/// an error page (the fonts are compiled in, so it does not happen).
pub fn render(h: &Header, d: &DocumentView) -> Vec<u8> {
    draw(layout(h, d), None)
}

/// The same pages as [`render`], as a PDF/A-3b with `file` embedded and associated with
/// the document (its electronic form: docs/e-invoicing.md). Empty if krilla refuses
/// (logged).
pub fn render_archival(h: &Header, d: &DocumentView, file: &Embedded) -> Vec<u8> {
    draw(layout(h, d), Some(file))
}

/// A file embedded in a PDF/A-3: its name, type, description, bytes and date
/// ('YYYY-MM-DD', also the document's date in its metadata), and the document's title.
pub struct Embedded<'a> {
    pub name: &'a str,
    pub mime: &'a str,
    pub description: &'a str,
    pub data: &'a [u8],
    pub date: &'a str,
    pub title: &'a str,
}

fn layout(h: &Header, d: &DocumentView) -> Vec<Vec<Op>> {
    let mut l = Layout { pages: Vec::new(), y: 60.0 };
    // No VAT on the document: the company is in franchise, or the client pays it
    // (autoliquidation).
    let franchise = h.seller.franchise_tva || d.autoliquidation;
    letterhead(&mut l, &h.seller, h.logo.as_ref());
    let title = match &d.number {
        Some(n) => format!("{} N° {n}", d.kind.label().to_uppercase()),
        None => format!("{} (BROUILLON)", d.kind.label().to_uppercase()),
    };
    l.down(24.0, 0.0);
    l.text(LEFT, 14.0, true, title);
    let top = l.y;
    l.down(18.0, 0.0);
    l.text(LEFT, 10.0, false, format!("Date d'émission : {}", date_fr(&d.doc_date)));
    if d.kind == Kind::Devis {
        l.down(14.0, 0.0);
        l.text(LEFT, 10.0, false, format!("Devis valable jusqu'au {}", date_fr(&d.due_date)));
    } else if d.kind == Kind::Facture {
        l.down(14.0, 0.0);
        l.text(LEFT, 10.0, false, format!("Date d'échéance : {}", date_fr(&d.due_date)));
    }
    if let Some(src) = &d.source_number {
        l.down(14.0, 0.0);
        let what = if d.kind == Kind::Avoir { "Avoir se rapportant à la facture n°" } else { "D'après le devis n°" };
        let when = if d.source_date.is_empty() { String::new() } else { format!(" du {}", date_fr(&d.source_date)) };
        l.text(LEFT, 10.0, false, format!("{what} {src}{when}"));
    }
    if !d.work_date.is_empty() {
        l.down(14.0, 0.0);
        l.text(LEFT, 10.0, false, format!("Date de réalisation des travaux : {}", date_fr(&d.work_date)));
    }

    // Client block on the right.
    let mut cy = top + 18.0;
    for (i, line) in client_lines(h).iter().enumerate() {
        for part in wrap(line, 10.0, RIGHT - 330.0) {
            l.pages.last_mut().expect("a page").push(Op::Text { x: 330.0, y: cy, size: 10.0, bold: i == 0, text: part });
            cy += 13.0;
        }
    }
    l.y = l.y.max(cy);
    if let Some(site) = &d.site {
        l.down(10.0, 0.0);
        for part in wrap(&format!("Adresse des travaux : {}", site.label()), 10.0, RIGHT - LEFT) {
            l.down(14.0, 0.0);
            l.text(LEFT, 10.0, false, part);
        }
    }
    // Lines.
    let (c_qty, c_unit, c_pu, c_vat, c_total) = (325.0, 332.0, 430.0, 480.0, RIGHT);
    l.down(30.0, 40.0);
    l.text(LEFT, 9.0, true, "Désignation");
    l.right(c_qty, 9.0, true, "Qté");
    l.text(c_unit, 9.0, true, "Unité");
    l.right(c_pu, 9.0, true, "PU HT");
    if !franchise {
        l.right(c_vat, 9.0, true, "TVA");
    }
    l.right(c_total, 9.0, true, "Total HT");
    l.down(5.0, 0.0);
    l.rule();
    for line in &d.lines {
        let wrapped = wrap(&line.designation, 9.0, c_qty - LEFT - 45.0);
        l.down(14.0, 14.0 * wrapped.len() as f32 + if line.discount_bp > 0 { 11.0 } else { 0.0 });
        l.right(c_qty, 9.0, false, milli_fr(line.quantity_milli));
        l.text(c_unit, 9.0, false, line.unit.clone());
        l.right(c_pu, 9.0, false, euros(line.unit_price));
        if !franchise {
            l.right(c_vat, 9.0, false, vat_label(line.vat_bp));
        }
        l.right(c_total, 9.0, false, euros(line.total_ht()));
        for (i, part) in wrapped.iter().enumerate() {
            if i > 0 {
                l.down(12.0, 0.0);
            }
            l.text(LEFT, 9.0, false, part.clone());
        }
        if line.discount_bp > 0 {
            l.down(11.0, 0.0);
            l.text(
                LEFT + 10.0,
                8.0,
                false,
                format!("Remise {} % sur {} : −{}", percent_bp(line.discount_bp), euros(line.gross_ht()), euros(line.discount())),
            );
        }
    }
    l.down(6.0, 0.0);
    l.rule();
    // VAT breakdown and totals.
    l.down(18.0, 120.0);
    let totals_top = l.y;
    if !franchise {
        l.text(LEFT, 9.0, true, "TVA");
        l.right(200.0, 9.0, true, "Base HT");
        l.right(280.0, 9.0, true, "Montant TVA");
        for (bp, base, tva) in &d.totals.by_rate {
            l.down(13.0, 0.0);
            l.text(LEFT, 9.0, false, vat_label(*bp));
            l.right(200.0, 9.0, false, euros(*base));
            l.right(280.0, 9.0, false, euros(*tva));
        }
    }
    let after_rates = l.y;
    l.y = totals_top;
    let rows: Vec<(&str, i64, bool)> = if franchise {
        vec![("Total HT", d.totals.ht, false), ("Net à payer", d.totals.ttc, true)]
    } else {
        vec![("Total HT", d.totals.ht, false), ("Total TVA", d.totals.tva, false), ("Total TTC", d.totals.ttc, true)]
    };
    for (label, amount, bold) in rows {
        l.text(400.0, 10.0, bold, label);
        l.right(RIGHT, 10.0, bold, euros(amount));
        l.down(15.0, 0.0);
    }
    if d.kind == Kind::Facture && (d.paid > 0 || d.credited > 0) {
        l.text(400.0, 10.0, false, "Déjà réglé");
        l.right(RIGHT, 10.0, false, euros(d.paid + d.credited));
        l.down(15.0, 0.0);
        l.text(400.0, 10.0, true, "Reste à payer");
        l.right(RIGHT, 10.0, true, euros(d.remaining()));
        l.down(15.0, 0.0);
    }
    l.y = l.y.max(after_rates);
    // Legal mentions.
    l.down(24.0, 40.0);
    for m in mentions(h, d) {
        for part in wrap(&m, 8.0, RIGHT - LEFT) {
            l.text(LEFT, 8.0, false, part);
            l.down(11.0, 11.0);
        }
    }
    let certifications = reduced_rate_certifications(h, d);
    if d.kind == Kind::Devis || !certifications.is_empty() {
        l.down(12.0, 110.0);
        l.rule();
        l.down(16.0, 0.0);
        if d.kind == Kind::Devis {
            l.text(LEFT, 10.0, true, "Bon pour accord");
            l.down(14.0, 0.0);
            l.text(LEFT, 9.0, false, "Mention manuscrite « Bon pour accord », date et signature du client.");
            l.down(14.0, 0.0);
        }
        for c in certifications {
            for part in wrap(&c, 8.0, RIGHT - LEFT) {
                l.text(LEFT, 8.0, false, part);
                l.down(11.0, 11.0);
            }
            l.down(4.0, 0.0);
        }
        l.down(6.0, 40.0);
        l.text(LEFT, 9.0, false, "Date :");
        l.text(300.0, 9.0, false, "Signature du client :");
        l.down(40.0, 0.0);
    }
    l.pages
}

/// A letter (reminders): the letterhead, the client's address, the place and date, a
/// title, then the text, wrapped, blank lines kept.
pub fn render_letter(h: &Header, title: &str, date_line: &str, text: &str) -> Vec<u8> {
    let mut l = Layout { pages: Vec::new(), y: 60.0 };
    letterhead(&mut l, &h.seller, h.logo.as_ref());
    l.down(30.0, 0.0);
    for (i, line) in client_lines(h).iter().enumerate() {
        for part in wrap(line, 10.0, RIGHT - 330.0) {
            l.text(330.0, 10.0, i == 0, part);
            l.down(13.0, 0.0);
        }
    }
    l.down(20.0, 0.0);
    l.right(RIGHT, 10.0, false, date_line);
    l.down(30.0, 20.0);
    l.text(LEFT, 12.0, true, title);
    l.down(24.0, 14.0);
    for para in text.lines() {
        if para.trim().is_empty() {
            l.down(8.0, 12.0);
            continue;
        }
        for part in wrap(para, 10.0, RIGHT - LEFT) {
            l.text(LEFT, 10.0, false, part);
            l.down(13.0, 13.0);
        }
    }
    draw(l.pages, None)
}

fn draw(pages: Vec<Vec<Op>>, file: Option<&Embedded>) -> Vec<u8> {
    let mut document = match file {
        None => Document::new(),
        Some(file) => match archival(file) {
            Some(d) => d,
            None => return Vec::new(),
        },
    };
    let count = pages.len();
    for (n, ops) in pages.into_iter().enumerate() {
        let Some(settings) = PageSettings::from_wh(W, H) else { break };
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, bold, text } => {
                    let font = if bold { BOLD.clone() } else { REGULAR.clone() };
                    if let Some(font) = font {
                        surface.draw_text(Point::from_xy(x, y), font, size, &text, false, TextDirection::Auto);
                    }
                }
                Op::Logo { x, y, h, image } => {
                    let (iw, ih) = image.size();
                    let w = h * iw as f32 / ih.max(1) as f32;
                    if let Some(size) = PageSize::from_wh(w.min(200.0), h) {
                        surface.push_transform(&Transform::from_translate(x, y));
                        surface.draw_image(image, size);
                        surface.pop();
                    }
                }
                Op::Rule { y } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(LEFT, y);
                    pb.line_to(RIGHT, y);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke { width: 0.5, ..Default::default() }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(Default::default()));
                    }
                }
            }
        }
        if let Some(font) = REGULAR.clone().filter(|_| count > 1) {
            surface.draw_text(Point::from_xy(RIGHT - 40.0, H - 30.0), font, 8.0, &format!("{}/{count}", n + 1), false, TextDirection::Auto);
        }
        surface.finish();
        page.finish();
    }
    document.finish().unwrap_or_else(|e| {
        tracing::error!(error = ?e, "PDF");
        Vec::new()
    })
}

/// A PDF/A-3b document with `file` embedded, associated as the document's alternative
/// form (Factur-X 1.07, § 6.2.2: «Alternative» for the EN 16931 profile), and its metadata
/// (title, date, language) as PDF/A asks.
fn archival(file: &Embedded) -> Option<Document> {
    use krilla::configure::{ConfigurationBuilder, validate::Archival};
    use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
    use krilla::metadata::{DateTime, Metadata};
    let date = {
        let part = |r: std::ops::Range<usize>| file.date.get(r).and_then(|p| p.parse::<u16>().ok());
        let (y, m, d) = (part(0..4)?, part(5..7)?, part(8..10)?);
        DateTime::new(y).month(m as u8).day(d as u8).hour(0).minute(0).second(0).utc_offset_hour(0).utc_offset_minute(0)
    };
    let configuration = match ConfigurationBuilder::new().with_archival_validator(Archival::A3_B).finish() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = ?e, "PDF/A-3");
            return None;
        }
    };
    let mut document = Document::new_with(krilla::SerializeSettings { configuration, ..Default::default() });
    document.set_metadata(
        Metadata::new()
            .title(file.title.to_string())
            .creation_date(date)
            .language("fr-FR".into())
            .producer("Ouvrage".into())
            .creator("Ouvrage".into()),
    );
    document.embed_file(EmbeddedFile {
        path: file.name.to_string(),
        mime_type: MimeType::new(file.mime),
        description: Some(file.description.to_string()),
        association_kind: AssociationKind::Alternative,
        data: file.data.to_vec().into(),
        modification_date: Some(date),
        compress: Some(true),
        location: None,
    })?;
    Some(document)
}
