//! OASIS UBL 2.1 Invoice / CreditNote (EN 16931 syntax binding), on demand beside the
//! Factur-X. Element order is the UBL schema's.

use crate::einvoice::model::{Address, EInvoice, Party, amount, percent, quantity};
use crate::einvoice::xml::Xml;

const EUR: &[(&str, &str)] = &[("currencyID", "EUR")];

/// BT-8 in UBL's codes (UNTDID 2005) from CII's (UNTDID 2475).
fn tax_point_code(cii: &str) -> &'static str {
    match cii {
        "5" => "3",
        "29" => "35",
        _ => "432",
    }
}

fn address(x: &mut Xml, tag: &'static str, a: &Address) {
    x.open(tag);
    if !a.line.is_empty() {
        x.leaf("cbc:StreetName", &a.line);
    }
    if !a.city.is_empty() {
        x.leaf("cbc:CityName", &a.city);
    }
    if !a.postcode.is_empty() {
        x.leaf("cbc:PostalZone", &a.postcode);
    }
    x.open("cac:Country").leaf("cbc:IdentificationCode", a.country).close();
    x.close();
}

fn party(x: &mut Xml, tag: &'static str, p: &Party) {
    x.open(tag).open("cac:Party");
    if let Some((id, scheme)) = &p.endpoint {
        x.leaf_with("cbc:EndpointID", &[("schemeID", scheme)], id);
    }
    if !p.siret.is_empty() {
        x.open("cac:PartyIdentification").leaf_with("cbc:ID", &[("schemeID", "0009")], &p.siret).close();
    }
    address(x, "cac:PostalAddress", &p.address);
    if !p.vat.is_empty() {
        x.open("cac:PartyTaxScheme").leaf("cbc:CompanyID", &p.vat);
        x.open("cac:TaxScheme").leaf("cbc:ID", "VAT").close();
        x.close();
    }
    if !p.tax_registration.is_empty() {
        x.open("cac:PartyTaxScheme").leaf("cbc:CompanyID", &p.tax_registration);
        x.open("cac:TaxScheme").leaf("cbc:ID", "FC").close();
        x.close();
    }
    x.open("cac:PartyLegalEntity").leaf("cbc:RegistrationName", &p.name);
    if !p.siren.is_empty() {
        x.leaf_with("cbc:CompanyID", &[("schemeID", "0002")], &p.siren);
    }
    x.close();
    x.close().close();
}

fn tax_category(x: &mut Xml, tag: &'static str, code: &str, rate_bp: i64, exemption: Option<(&str, &str)>) {
    x.open(tag).leaf("cbc:ID", code).leaf("cbc:Percent", &percent(rate_bp));
    if let Some((reason, reason_code)) = exemption {
        x.leaf("cbc:TaxExemptionReasonCode", reason_code).leaf("cbc:TaxExemptionReason", reason);
    }
    x.open("cac:TaxScheme").leaf("cbc:ID", "VAT").close();
    x.close();
}

pub fn write(inv: &EInvoice) -> String {
    let credit = inv.type_code == "381";
    let (root, ns) = if credit {
        ("CreditNote", "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2")
    } else {
        ("Invoice", "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2")
    };
    let mut x = Xml::new(
        root,
        &[
            ("", ns),
            ("cac", "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"),
            ("cbc", "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"),
        ],
    );
    x.leaf("cbc:CustomizationID", crate::einvoice::cii::GUIDELINE);
    x.leaf("cbc:ProfileID", inv.process);
    x.leaf("cbc:ID", &inv.number);
    x.leaf("cbc:IssueDate", &inv.issue_date);
    if !credit {
        if let Some(due) = &inv.due_date {
            x.leaf("cbc:DueDate", due);
        }
        x.leaf("cbc:InvoiceTypeCode", inv.type_code);
    } else {
        x.leaf("cbc:CreditNoteTypeCode", inv.type_code);
    }
    for (code, text) in &inv.notes {
        x.leaf("cbc:Note", &format!("#{code}#{text}"));
    }
    x.leaf("cbc:DocumentCurrencyCode", "EUR");
    x.open("cac:InvoicePeriod").leaf("cbc:DescriptionCode", tax_point_code(inv.vat_due_code)).close();
    if let Some((number, on)) = &inv.preceding {
        x.open("cac:BillingReference").open("cac:InvoiceDocumentReference").leaf("cbc:ID", number);
        if !on.is_empty() {
            x.leaf("cbc:IssueDate", on);
        }
        x.close().close();
    }
    party(&mut x, "cac:AccountingSupplierParty", &inv.seller);
    party(&mut x, "cac:AccountingCustomerParty", &inv.buyer);
    x.open("cac:Delivery").leaf("cbc:ActualDeliveryDate", &inv.delivery_date);
    if let Some(site) = &inv.deliver_to {
        x.open("cac:DeliveryLocation");
        address(&mut x, "cac:Address", site);
        x.close();
    }
    x.close();
    if let Some((iban, bic)) = &inv.account {
        x.open("cac:PaymentMeans").leaf("cbc:PaymentMeansCode", "58");
        x.open("cac:PayeeFinancialAccount").leaf("cbc:ID", iban);
        if !bic.is_empty() {
            x.open("cac:FinancialInstitutionBranch").leaf("cbc:ID", bic).close();
        }
        x.close().close();
    }
    x.open("cac:PaymentTerms").leaf("cbc:Note", &inv.terms).close();
    x.open("cac:TaxTotal").leaf_with("cbc:TaxAmount", EUR, &amount(inv.tax_total));
    for (cat, base, tax) in &inv.breakdown {
        x.open("cac:TaxSubtotal").leaf_with("cbc:TaxableAmount", EUR, &amount(*base)).leaf_with("cbc:TaxAmount", EUR, &amount(*tax));
        tax_category(&mut x, "cac:TaxCategory", cat.code, cat.rate_bp, cat.exemption);
        x.close();
    }
    x.close();
    x.open("cac:LegalMonetaryTotal");
    x.leaf_with("cbc:LineExtensionAmount", EUR, &amount(inv.net_total));
    x.leaf_with("cbc:TaxExclusiveAmount", EUR, &amount(inv.net_total));
    x.leaf_with("cbc:TaxInclusiveAmount", EUR, &amount(inv.grand_total));
    x.leaf_with("cbc:PayableAmount", EUR, &amount(inv.due_payable));
    x.close();
    let (line_tag, qty_tag) =
        if credit { ("cac:CreditNoteLine", "cbc:CreditedQuantity") } else { ("cac:InvoiceLine", "cbc:InvoicedQuantity") };
    for l in &inv.lines {
        x.open(line_tag).leaf("cbc:ID", &l.id.to_string());
        x.leaf_with(qty_tag, &[("unitCode", l.unit)], &quantity(l.quantity_milli));
        x.leaf_with("cbc:LineExtensionAmount", EUR, &amount(l.net));
        if let Some((bp, base, cut)) = l.discount {
            x.open("cac:AllowanceCharge").leaf("cbc:ChargeIndicator", "false").leaf("cbc:AllowanceChargeReasonCode", "95");
            x.leaf("cbc:AllowanceChargeReason", "Remise").leaf("cbc:MultiplierFactorNumeric", &percent(bp));
            x.leaf_with("cbc:Amount", EUR, &amount(cut)).leaf_with("cbc:BaseAmount", EUR, &amount(base)).close();
        }
        x.open("cac:Item").leaf("cbc:Name", &l.name);
        tax_category(&mut x, "cac:ClassifiedTaxCategory", l.vat.code, l.vat.rate_bp, None);
        x.close();
        x.open("cac:Price").leaf_with("cbc:PriceAmount", EUR, &amount(l.price)).close();
        x.close();
    }
    x.finish()
}
