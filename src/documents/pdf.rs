//! The PDF of a devis, facture or avoir (krilla; DejaVu Sans shipped in `public/fonts`,
//! embedded and subset: no network, no system font). A4, laid out as a list of drawing
//! operations per page, then drawn.

use std::sync::LazyLock;

use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

use crate::documents::model::{DocumentView, Kind, vat_label};
use crate::documents::store::Header;
use crate::fmt::{date_fr, euros, milli_fr};

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
    Text { x: f32, y: f32, size: f32, bold: bool, text: String },
    Rule { y: f32 },
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

/// Draws the document. Never fails: a missing font yields an empty page rather than
/// an error page (the fonts are compiled in, so it does not happen).
pub fn render(h: &Header, d: &DocumentView) -> Vec<u8> {
    let mut l = Layout { pages: Vec::new(), y: 60.0 };
    // Company (left) and document (right).
    l.text(LEFT, 14.0, true, h.company_name.clone());
    let title = match &d.number {
        Some(n) => format!("{} {n}", d.kind.label().to_uppercase()),
        None => format!("{} (BROUILLON)", d.kind.label().to_uppercase()),
    };
    l.right(RIGHT, 14.0, true, title);
    for line in &h.company {
        l.down(14.0, 0.0);
        l.text(LEFT, 9.0, false, line.clone());
    }
    l.down(28.0, 0.0);
    l.text(LEFT, 10.0, false, format!("Date : {}", date_fr(&d.doc_date)));
    if d.kind != Kind::Devis {
        l.down(14.0, 0.0);
        l.text(LEFT, 10.0, false, format!("Échéance : {}", date_fr(&d.due_date)));
    } else {
        l.down(14.0, 0.0);
        l.text(LEFT, 10.0, false, format!("Validité : jusqu'au {}", date_fr(&d.due_date)));
    }
    if let Some(src) = &d.source_number {
        l.down(14.0, 0.0);
        let what = if d.kind == Kind::Avoir { "Avoir sur la facture" } else { "D'après le devis" };
        l.text(LEFT, 10.0, false, format!("{what} {src}"));
    }
    // Client block on the right.
    let mut cy = l.y - 14.0 * (1.0 + f32::from(d.source_number.is_some()));
    for (i, line) in h.client.iter().enumerate() {
        l.pages.last_mut().expect("a page").push(Op::Text { x: 330.0, y: cy, size: 10.0, bold: i == 0, text: line.clone() });
        cy += 13.0;
    }
    l.y = l.y.max(cy);
    // Lines.
    let (c_qty, c_pu, c_vat, c_total) = (360.0, 430.0, 480.0, RIGHT);
    l.down(30.0, 40.0);
    l.text(LEFT, 9.0, true, "Désignation");
    l.right(c_qty, 9.0, true, "Qté");
    l.right(c_pu, 9.0, true, "PU HT");
    l.right(c_vat, 9.0, true, "TVA");
    l.right(c_total, 9.0, true, "Total HT");
    l.down(5.0, 0.0);
    l.rule();
    for line in &d.lines {
        let wrapped = wrap(&line.designation, 9.0, c_qty - LEFT - 50.0);
        l.down(14.0, 14.0 * wrapped.len() as f32);
        l.right(c_qty, 9.0, false, milli_fr(line.quantity_milli));
        l.right(c_pu, 9.0, false, euros(line.unit_price));
        l.right(c_vat, 9.0, false, vat_label(line.vat_bp));
        l.right(c_total, 9.0, false, euros(line.total_ht()));
        for (i, part) in wrapped.iter().enumerate() {
            if i > 0 {
                l.down(12.0, 0.0);
            }
            l.text(LEFT, 9.0, false, part.clone());
        }
    }
    l.down(6.0, 0.0);
    l.rule();
    // VAT breakdown and totals.
    l.down(18.0, 120.0);
    l.text(LEFT, 9.0, true, "TVA");
    l.right(200.0, 9.0, true, "Base HT");
    l.right(280.0, 9.0, true, "Montant TVA");
    let totals_top = l.y;
    for (bp, base, tva) in &d.totals.by_rate {
        l.down(13.0, 0.0);
        l.text(LEFT, 9.0, false, vat_label(*bp));
        l.right(200.0, 9.0, false, euros(*base));
        l.right(280.0, 9.0, false, euros(*tva));
    }
    let after_rates = l.y;
    l.y = totals_top;
    for (label, amount, bold) in [("Total HT", d.totals.ht, false), ("Total TVA", d.totals.tva, false), ("Total TTC", d.totals.ttc, true)] {
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
    if d.kind == Kind::Facture {
        l.down(24.0, 60.0);
        let mut mentions =
            vec![format!("Paiement à régler au plus tard le {}. Pas d'escompte pour paiement anticipé.", date_fr(&d.due_date))];
        if h.business_client {
            mentions.push(
                "En cas de retard de paiement, des pénalités de retard sont exigibles au taux de trois fois le taux d'intérêt légal, \
                 ainsi qu'une indemnité forfaitaire pour frais de recouvrement de 40 € (articles L441-10 et D441-5 du Code de commerce)."
                    .to_string(),
            );
        }
        for m in mentions {
            for part in wrap(&m, 8.0, RIGHT - LEFT) {
                l.text(LEFT, 8.0, false, part);
                l.down(11.0, 11.0);
            }
        }
    }
    draw(l.pages)
}

/// A letter (reminders): the letterhead, the client's address, the place and date, a
/// title, then the text, wrapped, blank lines kept.
pub fn render_letter(h: &Header, title: &str, date_line: &str, text: &str) -> Vec<u8> {
    let mut l = Layout { pages: Vec::new(), y: 60.0 };
    l.text(LEFT, 14.0, true, h.company_name.clone());
    for line in &h.company {
        l.down(14.0, 0.0);
        l.text(LEFT, 9.0, false, line.clone());
    }
    l.down(30.0, 0.0);
    for (i, line) in h.client.iter().filter(|c| !c.is_empty()).enumerate() {
        l.text(330.0, 10.0, i == 0, line.clone());
        l.down(13.0, 0.0);
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
    draw(l.pages)
}

fn draw(pages: Vec<Vec<Op>>) -> Vec<u8> {
    let mut document = Document::new();
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
