//! The Factur-X PDF (1.07, profile EN 16931): the document's pages as a PDF/A-3b (krilla:
//! fonts embedded, sRGB output intent, XMP metadata), the CII XML embedded as
//! `factur-x.xml` and associated as its «Alternative», and the Factur-X extension schema
//! in the XMP metadata, which krilla does not write: the metadata stream is rewritten
//! here and the cross-reference table moved with it.

use crate::documents::model::DocumentView;
use crate::documents::pdf::{Embedded, render_archival};
use crate::documents::store::Header;

pub const FILE_NAME: &str = "factur-x.xml";
const FX_NS: &str = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";

/// The Factur-X PDF of an issued document whose CII is `cii`; empty if it cannot be made
/// (logged).
pub fn render(h: &Header, d: &DocumentView, cii: &str) -> Vec<u8> {
    let title = d.title();
    let file = Embedded {
        name: FILE_NAME,
        mime: "text/xml",
        description: "Factur-X (EN 16931)",
        data: cii.as_bytes(),
        date: &d.doc_date,
        title: &title,
    };
    let pdf = render_archival(h, d, &file);
    if pdf.is_empty() {
        return pdf;
    }
    add_facturx_xmp(&pdf).unwrap_or_else(|why| {
        tracing::error!(why, "Factur-X: XMP");
        Vec::new()
    })
}

/// The Factur-X schema's description (PDF/A extension schema) and its four properties.
fn schema_description() -> String {
    let prop = |name: &str, description: &str| {
        format!(
            "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>{name}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>"
        )
    };
    format!(
        "<rdf:li rdf:parseType=\"Resource\"><pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema><pdfaSchema:namespaceURI>{FX_NS}</pdfaSchema:namespaceURI><pdfaSchema:prefix>fx</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>{}{}{}{}</rdf:Seq></pdfaSchema:property></rdf:li>",
        prop("DocumentFileName", "name of the embedded XML invoice file"),
        prop("DocumentType", "INVOICE"),
        prop("Version", "The actual version of the Factur-X XML schema"),
        prop("ConformanceLevel", "The conformance level of the embedded Factur-X data"),
    )
}

/// krilla's XMP with the Factur-X schema described and its properties set.
fn facturx_xmp(xmp: &str) -> Result<String, &'static str> {
    const BAG: &str = "<pdfaExtension:schemas><rdf:Bag>";
    let at = xmp.find(BAG).ok_or("no extension schemas")? + BAG.len();
    let mut out = String::with_capacity(xmp.len() + 2048);
    out.push_str(&xmp[..at]);
    out.push_str(&schema_description());
    let rest = &xmp[at..];
    let end = rest.rfind("</rdf:RDF>").ok_or("no rdf:RDF")?;
    out.push_str(&rest[..end]);
    out.push_str(&format!(
        "<rdf:Description rdf:about=\"\" xmlns:fx=\"{FX_NS}\"><fx:DocumentType>INVOICE</fx:DocumentType><fx:DocumentFileName>{FILE_NAME}</fx:DocumentFileName><fx:Version>1.0</fx:Version><fx:ConformanceLevel>EN 16931</fx:ConformanceLevel></rdf:Description>"
    ));
    out.push_str(&rest[end..]);
    Ok(out)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn rfind(hay: &[u8], needle: &[u8], before: usize) -> Option<usize> {
    hay.get(..before)?.windows(needle.len()).rposition(|w| w == needle)
}

/// Rewrites the PDF's metadata stream (uncompressed, as krilla writes it for PDF/A) with
/// the Factur-X XMP; the objects after it move, so the classic cross-reference table and
/// `startxref` are shifted by the difference.
pub fn add_facturx_xmp(pdf: &[u8]) -> Result<Vec<u8>, &'static str> {
    let meta = find(pdf, b"/Type /Metadata", 0).or_else(|| find(pdf, b"/Type/Metadata", 0)).ok_or("no metadata")?;
    let dict_start = rfind(pdf, b"<<", meta).ok_or("no dictionary")?;
    let stream_kw = find(pdf, b"stream", meta).ok_or("no stream")?;
    let data_start = stream_kw + b"stream".len() + if pdf.get(stream_kw + 6) == Some(&b'\r') { 2 } else { 1 };
    let data_end = find(pdf, b"endstream", data_start).ok_or("no endstream")?;
    // The data ends with the stream's own bytes; pdf-writer puts one newline before
    // `endstream`.
    let eol = if pdf.get(data_end - 1) == Some(&b'\n') { 1 } else { 0 };
    let old_xmp = std::str::from_utf8(&pdf[data_start..data_end - eol]).map_err(|_| "metadata not UTF-8")?;
    let xmp = facturx_xmp(old_xmp)?;
    let mut out = Vec::with_capacity(pdf.len() + 4096);
    out.extend_from_slice(&pdf[..dict_start]);
    out.extend_from_slice(format!("<<\n  /Length {}\n  /Type /Metadata\n  /Subtype /XML\n>>\nstream\n", xmp.len()).as_bytes());
    out.extend_from_slice(xmp.as_bytes());
    out.extend_from_slice(b"\n");
    let moved_from = data_end; // "endstream…" and everything after keep their bytes
    let new_pos = out.len();
    out.extend_from_slice(&pdf[moved_from..]);
    let delta = new_pos as i64 - moved_from as i64;
    // The cross-reference table: the one `startxref` names (the last).
    let sx = rfind(&out, b"startxref", out.len()).ok_or("no startxref")?;
    let sx_val_start = sx + b"startxref".len();
    let sx_text = std::str::from_utf8(&out[sx_val_start..]).map_err(|_| "bad startxref")?;
    let old_xref: i64 = sx_text.split_whitespace().next().and_then(|v| v.parse().ok()).ok_or("bad startxref")?;
    let xref = (old_xref + if old_xref as usize >= moved_from { delta } else { 0 }) as usize;
    if out.get(xref..xref + 4) != Some(b"xref") {
        return Err("xref not where startxref says");
    }
    let header_end = find(&out, b"\n", xref + 5).ok_or("bad xref")?;
    let subsection = std::str::from_utf8(&out[xref + 5..header_end]).map_err(|_| "bad xref")?;
    let count: usize = subsection.split_whitespace().nth(1).and_then(|v| v.parse().ok()).ok_or("bad xref")?;
    let mut at = header_end + 1;
    for _ in 0..count {
        let entry = out.get(at..at + 20).ok_or("short xref")?;
        if entry[17] == b'n' {
            let offset: usize = std::str::from_utf8(&entry[..10]).ok().and_then(|v| v.parse().ok()).ok_or("bad xref entry")?;
            if offset >= moved_from {
                let moved = format!("{:010}", offset as i64 + delta);
                out[at..at + 10].copy_from_slice(moved.as_bytes());
            }
        }
        at += 20;
    }
    out.truncate(sx_val_start);
    out.extend_from_slice(format!("\n{xref}\n%%EOF").as_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xmp_gets_the_facturx_schema_and_properties() {
        let krilla = "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\"><pdfaExtension:schemas><rdf:Bag><rdf:li>x</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"r\"?>";
        let xmp = facturx_xmp(krilla).unwrap();
        assert!(xmp.contains("<rdf:Bag><rdf:li rdf:parseType=\"Resource\"><pdfaSchema:schema>Factur-X PDFA Extension Schema"));
        assert!(xmp.contains("<rdf:li>x</rdf:li></rdf:Bag>"));
        assert!(
            xmp.ends_with(
                "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"r\"?>"
            )
        );
        assert!(facturx_xmp("<rdf:RDF></rdf:RDF>").is_err());
    }
}
