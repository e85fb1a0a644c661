//! UN/CEFACT Cross Industry Invoice (D16B, as Factur-X 1.07 / EN 16931 profile uses it):
//! the XML embedded as `factur-x.xml`. Element order is the XSD's.

use crate::einvoice::model::{Address, EInvoice, Party, amount, compact_date, percent, quantity};
use crate::einvoice::xml::Xml;

/// BT-24 of the Factur-X EN 16931 profile.
pub const GUIDELINE: &str = "urn:cen.eu:en16931:2017";

fn date(x: &mut Xml, tag: &'static str, iso: &str) {
    x.open(tag).leaf_with("udt:DateTimeString", &[("format", "102")], &compact_date(iso)).close();
}

fn address(x: &mut Xml, tag: &'static str, a: &Address) {
    x.open(tag);
    if !a.postcode.is_empty() {
        x.leaf("ram:PostcodeCode", &a.postcode);
    }
    if !a.line.is_empty() {
        x.leaf("ram:LineOne", &a.line);
    }
    if !a.city.is_empty() {
        x.leaf("ram:CityName", &a.city);
    }
    x.leaf("ram:CountryID", a.country).close();
}

fn party(x: &mut Xml, tag: &'static str, p: &Party) {
    x.open(tag);
    if !p.siret.is_empty() {
        x.leaf_with("ram:GlobalID", &[("schemeID", "0009")], &p.siret);
    }
    x.leaf("ram:Name", &p.name);
    if !p.siren.is_empty() {
        x.open("ram:SpecifiedLegalOrganization").leaf_with("ram:ID", &[("schemeID", "0002")], &p.siren).close();
    }
    address(x, "ram:PostalTradeAddress", &p.address);
    if let Some((id, scheme)) = &p.endpoint {
        x.open("ram:URIUniversalCommunication").leaf_with("ram:URIID", &[("schemeID", scheme)], id).close();
    }
    if !p.vat.is_empty() {
        x.open("ram:SpecifiedTaxRegistration").leaf_with("ram:ID", &[("schemeID", "VA")], &p.vat).close();
    }
    if !p.tax_registration.is_empty() {
        x.open("ram:SpecifiedTaxRegistration").leaf_with("ram:ID", &[("schemeID", "FC")], &p.tax_registration).close();
    }
    x.close();
}

pub fn write(inv: &EInvoice) -> String {
    let mut x = Xml::new(
        "rsm:CrossIndustryInvoice",
        &[
            ("rsm", "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"),
            ("ram", "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"),
            ("qdt", "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"),
            ("udt", "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"),
        ],
    );
    x.open("rsm:ExchangedDocumentContext");
    x.open("ram:BusinessProcessSpecifiedDocumentContextParameter").leaf("ram:ID", inv.process).close();
    x.open("ram:GuidelineSpecifiedDocumentContextParameter").leaf("ram:ID", GUIDELINE).close();
    x.close();

    x.open("rsm:ExchangedDocument");
    x.leaf("ram:ID", &inv.number).leaf("ram:TypeCode", inv.type_code);
    date(&mut x, "ram:IssueDateTime", &inv.issue_date);
    for (code, text) in &inv.notes {
        x.open("ram:IncludedNote").leaf("ram:Content", text).leaf("ram:SubjectCode", code).close();
    }
    x.close();

    x.open("rsm:SupplyChainTradeTransaction");
    for l in &inv.lines {
        x.open("ram:IncludedSupplyChainTradeLineItem");
        x.open("ram:AssociatedDocumentLineDocument").leaf("ram:LineID", &l.id.to_string()).close();
        x.open("ram:SpecifiedTradeProduct").leaf("ram:Name", &l.name).close();
        x.open("ram:SpecifiedLineTradeAgreement");
        x.open("ram:NetPriceProductTradePrice").leaf("ram:ChargeAmount", &amount(l.price)).close();
        x.close();
        x.open("ram:SpecifiedLineTradeDelivery")
            .leaf_with("ram:BilledQuantity", &[("unitCode", l.unit)], &quantity(l.quantity_milli))
            .close();
        x.open("ram:SpecifiedLineTradeSettlement");
        x.open("ram:ApplicableTradeTax").leaf("ram:TypeCode", "VAT").leaf("ram:CategoryCode", l.vat.code);
        x.leaf("ram:RateApplicablePercent", &percent(l.vat.rate_bp)).close();
        if let Some((bp, base, cut)) = l.discount {
            x.open("ram:SpecifiedTradeAllowanceCharge");
            x.open("ram:ChargeIndicator").leaf("udt:Indicator", "false").close();
            x.leaf("ram:CalculationPercent", &percent(bp)).leaf("ram:BasisAmount", &amount(base)).leaf("ram:ActualAmount", &amount(cut));
            x.leaf("ram:ReasonCode", "95").leaf("ram:Reason", "Remise").close();
        }
        x.open("ram:SpecifiedTradeSettlementLineMonetarySummation").leaf("ram:LineTotalAmount", &amount(l.net)).close();
        x.close();
        x.close();
    }

    x.open("ram:ApplicableHeaderTradeAgreement");
    party(&mut x, "ram:SellerTradeParty", &inv.seller);
    party(&mut x, "ram:BuyerTradeParty", &inv.buyer);
    x.close();

    x.open("ram:ApplicableHeaderTradeDelivery");
    if let Some(site) = &inv.deliver_to {
        x.open("ram:ShipToTradeParty");
        address(&mut x, "ram:PostalTradeAddress", site);
        x.close();
    }
    x.open("ram:ActualDeliverySupplyChainEvent");
    date(&mut x, "ram:OccurrenceDateTime", &inv.delivery_date);
    x.close();
    x.close();

    x.open("ram:ApplicableHeaderTradeSettlement");
    x.leaf("ram:InvoiceCurrencyCode", "EUR");
    if let Some((iban, bic)) = &inv.account {
        x.open("ram:SpecifiedTradeSettlementPaymentMeans").leaf("ram:TypeCode", "58");
        x.open("ram:PayeePartyCreditorFinancialAccount").leaf("ram:IBANID", iban).close();
        if !bic.is_empty() {
            x.open("ram:PayeeSpecifiedCreditorFinancialInstitution").leaf("ram:BICID", bic).close();
        }
        x.close();
    }
    for (i, (cat, base, tax)) in inv.breakdown.iter().enumerate() {
        x.open("ram:ApplicableTradeTax").leaf("ram:CalculatedAmount", &amount(*tax)).leaf("ram:TypeCode", "VAT");
        if let Some((reason, _)) = cat.exemption {
            x.leaf("ram:ExemptionReason", reason);
        }
        x.leaf("ram:BasisAmount", &amount(*base)).leaf("ram:CategoryCode", cat.code);
        if let Some((_, code)) = cat.exemption {
            x.leaf("ram:ExemptionReasonCode", code);
        }
        if i == 0 {
            x.leaf("ram:DueDateTypeCode", inv.vat_due_code);
        }
        x.leaf("ram:RateApplicablePercent", &percent(cat.rate_bp)).close();
    }
    x.open("ram:SpecifiedTradePaymentTerms").leaf("ram:Description", &inv.terms);
    if let Some(due) = &inv.due_date {
        date(&mut x, "ram:DueDateDateTime", due);
    }
    x.close();
    x.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
    x.leaf("ram:LineTotalAmount", &amount(inv.net_total));
    x.leaf("ram:TaxBasisTotalAmount", &amount(inv.net_total));
    x.leaf_with("ram:TaxTotalAmount", &[("currencyID", "EUR")], &amount(inv.tax_total));
    x.leaf("ram:GrandTotalAmount", &amount(inv.grand_total));
    x.leaf("ram:DuePayableAmount", &amount(inv.due_payable));
    x.close();
    if let Some((number, on)) = &inv.preceding {
        x.open("ram:InvoiceReferencedDocument").leaf("ram:IssuerAssignedID", number);
        if !on.is_empty() {
            x.open("ram:FormattedIssueDateTime").leaf_with("qdt:DateTimeString", &[("format", "102")], &compact_date(on)).close();
        }
        x.close();
    }
    x.close();
    x.finish()
}
