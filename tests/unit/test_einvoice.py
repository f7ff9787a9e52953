"""The invoice's e-invoice: EN 16931 CII XML (Factur-X EN16931) that passes the profile's XSD and its schematron
(the EN 16931 business rules, run with Saxon-HE), states the totals and balance the books hold, and travels
inside the invoice PDF (a Factur-X PDF) read back with factur-x."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import facturx
import pytest
from facturx import get_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import select

from db.models import Customer, Invoice, Product
from tests.helpers import invoice_of
from tools import Rules, Tally
from tools.documents.einvoice import buyer_country
from tools.documents.model import Seller

SELLER = Seller(name="Tally Trading Ltd", address="1 Quay Street\nDublin 2", tax_id="IE1234567T",
                bank_details="Bank of Ireland, IBAN IE29 AIBK 9311 5212 3456 78", country="IE")
NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"}
SUMS = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"


@pytest.fixture(scope="module")
def en16931_rules():
    """The Factur-X EN16931 schematron (compiled to XSLT 2, shipped with factur-x): the ids of the business
    rules an XML breaks."""
    from saxonche import PySaxonProcessor

    xslt = Path(facturx.__file__).parent / "xsd_and_schematron" / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
    with PySaxonProcessor(license=False) as saxon:
        rules = saxon.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(xslt))

        def broken(xml: bytes) -> list[str]:
            report = rules.transform_to_string(xdm_node=saxon.parse_xml(xml_text=xml.decode()))
            return [f.get("id") for f in etree.fromstring(report.encode()).xpath(
                "//svrl:failed-assert", namespaces={"svrl": "http://purl.oclc.org/dsdl/svrl"})]

        yield broken


def run(tally, actor, tool, args):
    outcome = tally.confirm(actor, tally.propose(actor, tool, args).pending_id)
    assert outcome.status == "done", outcome.error
    return outcome.result


def texts(xml: bytes, path: str) -> list[str]:
    return [node.text for node in etree.fromstring(xml).xpath(path, namespaces=NS)]


def amount(xml: bytes, path: str) -> Decimal:
    (value,) = texts(xml, path)
    return Decimal(value)


def stored(db, number: str) -> Invoice:
    with db.session() as s:
        return s.scalar(select(Invoice).where(Invoice.number == number))


@pytest.fixture
def taxed(db, clock) -> Tally:
    return Tally(db, Rules(seller=SELLER, tax_rate=Decimal("0.08")), clock)


def shipped_invoice(tally, actors, customer: str, lines: list[tuple[str, int]]) -> str:
    """A new order of these lines, shipped whole: its invoice's number."""
    manager = actors["U0MGR1"]
    order = run(tally, manager, "create_order", {
        "customer": customer, "lines": [{"sku": sku, "quantity": q} for sku, q in lines]}).order
    if order.status == "credit_hold":
        run(tally, manager, "approve_credit_hold", {"order_number": order.number, "approve": True,
                                                   "reason": "known customer"})
    shipped = run(tally, manager, "ship_order", {"order_number": order.number, "tracking": "1Z999"})
    return shipped.invoice.number


def skus(db, count: int) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(Product.sku).where(Product.stock_on_hand >= 5).order_by(Product.sku)
                              .limit(count)))


def test_a_shipped_invoice_with_several_lines_and_tax_passes_the_en16931_xsd(taxed, db, actors, en16931_rules):
    lines = [(sku, n) for n, sku in enumerate(skus(db, 3), start=1)]
    number = shipped_invoice(taxed, actors, "ACME", lines)
    run(taxed, actors["U0COLL1"], "record_payment", {"invoice_number": number, "amount": "10.00",
                                                     "received_on": "today", "method": "bank_transfer"})
    result = taxed.read(actors["U0MGR1"], "invoice_document", {"invoice_number": number})
    xml, invoice = result.e_invoice, stored(db, number)
    assert xml is not None and result.e_invoice_missing == []
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert en16931_rules(xml) == []
    wrong = xml.replace(b"<ram:GrandTotalAmount>", b"<ram:GrandTotalAmount>1")  # the rules can fail
    assert set(en16931_rules(wrong)) == {"BR-CO-15", "BR-CO-16"}
    assert texts(xml, "//rsm:ExchangedDocument/ram:ID") == [number]
    assert texts(xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == ["urn:cen.eu:en16931:2017"]
    # the books' figures, not ones worked out again here
    assert invoice.tax > 0 and invoice.paid_amount == Decimal("10.00")
    assert amount(xml, SUMS + "ram:LineTotalAmount") == invoice.amount
    assert amount(xml, SUMS + "ram:TaxTotalAmount") == invoice.tax
    assert amount(xml, SUMS + "ram:GrandTotalAmount") == invoice.total
    assert amount(xml, SUMS + "ram:DuePayableAmount") == invoice.balance == invoice.total - Decimal("10.00")
    assert texts(xml, "//ram:IncludedSupplyChainTradeLineItem//ram:SellerAssignedID") == [s for s, _ in lines]
    assert [Decimal(q) for q in texts(xml, "//ram:BilledQuantity")] == [q for _, q in lines]
    line_nets = [Decimal(v) for v in texts(xml, "//ram:SpecifiedTradeSettlementLineMonetarySummation/"
                                                "ram:LineTotalAmount")]
    assert sum(line_nets) == invoice.amount
    assert texts(xml, "//ram:ApplicableTradeTax/ram:RateApplicablePercent") == ["8.00"] * (len(lines) + 1)
    assert texts(xml, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString") == [
        invoice.due_date.strftime("%Y%m%d")]
    assert texts(xml, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == ["IE1234567T"]
    assert texts(xml, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == ["IE29AIBK93115212345678"]
    assert texts(xml, "//ram:SellerOrderReferencedDocument/ram:IssuerAssignedID")[0].startswith("SO-")
    assert texts(xml, "//ram:DespatchAdviceReferencedDocument/ram:IssuerAssignedID")[0].startswith("DN-")

    # the same XML is inside the PDF, which still reads as the invoice
    name, inside = get_xml_from_pdf(result.content, check_xsd=True)
    assert name == "factur-x.xml" and inside == xml
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(result.content)).pages)
    assert number in text and "Balance due" in text
    assert "Factur-X PDF" in result.describe(done=True)


def test_a_chinese_customers_e_invoice_keeps_its_name_in_utf8(taxed, db, actors, clock, en16931_rules):
    name, address = "上海华为贸易有限公司", "上海市浦东新区世纪大道100号\n200120 上海, CN"
    with db.session(write=True) as s:
        acme = s.scalar(select(Customer).where(Customer.code == "ACME"))
        s.add(Customer(code="HUAWEI-SH", name=name, owner_rep=acme.owner_rep, collector=acme.collector,
                       credit_limit=Decimal("500000.00"), payment_terms_days=45, tax_id="91310000MA1FL0000X",
                       billing_address=address, email="ap@example.cn", created_at=clock.now()))
        s.commit()
    number = shipped_invoice(taxed, actors, "HUAWEI-SH", [(sku, 2) for sku in skus(db, 2)])
    xml = taxed.read(actors["U0MGR1"], "invoice_document", {"invoice_number": number}).e_invoice
    assert etree.parse(io.BytesIO(xml)).docinfo.encoding.upper() == "UTF-8"
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") and en16931_rules(xml) == []
    assert name.encode() in xml
    assert texts(xml, "//ram:BuyerTradeParty/ram:Name") == [name]
    assert texts(xml, "//ram:BuyerTradeParty//ram:CountryID") == ["CN"]
    assert texts(xml, "//ram:BuyerTradeParty//ram:LineOne") == ["上海市浦东新区世纪大道100号"]
    # a tax number with no country prefix is no VAT id (BR-CO-09): the buyer's legal registration instead
    assert texts(xml, "//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID") == ["91310000MA1FL0000X"]
    assert texts(xml, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == []
    assert texts(xml, "//ram:SpecifiedTradePaymentTerms/ram:Description") == ["45 days net"]
    assert amount(xml, SUMS + "ram:DuePayableAmount") == stored(db, number).balance


def test_a_credit_note_lowers_the_amount_due_the_e_invoice_states(taxed, db, actors, en16931_rules):
    invoice = invoice_of(db, "ACME")
    run(taxed, actors["U0MGR1"], "issue_credit_note", {"invoice_number": invoice.number, "amount": "12.50",
                                                       "reason": "damaged box"})
    xml = taxed.read(actors["U0MGR1"], "invoice_document", {"invoice_number": invoice.number}).e_invoice
    after = stored(db, invoice.number)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") and en16931_rules(xml) == []
    assert amount(xml, SUMS + "ram:GrandTotalAmount") == after.total
    assert amount(xml, SUMS + "ram:DuePayableAmount") == after.balance == invoice.balance - Decimal("12.50")


def test_without_the_sellers_tax_id_and_country_the_invoice_is_a_plain_pdf_saying_what_to_set(db, clock, actors):
    books = Tally(db, Rules(seller=Seller(name="Tally Trading Ltd")), clock)
    number = invoice_of(db, "ACME").number
    result = books.read(actors["U0MGR1"], "invoice_document", {"invoice_number": number})
    assert result.e_invoice is None
    assert [m.split(" ")[0] for m in result.e_invoice_missing] == ["TALLY_SELLER_TAX_ID", "TALLY_SELLER_COUNTRY"]
    assert PdfReader(io.BytesIO(result.content)).attachments == {}
    assert number in PdfReader(io.BytesIO(result.content)).pages[0].extract_text()


def test_an_invoice_whose_tax_is_no_single_rate_gets_no_e_invoice(taxed, db, actors):
    number = invoice_of(db, "ACME").number
    with db.session(write=True) as s:  # as an import may bring it: 0.05 on 1,000.00 is no rate to 0.01%
        invoice = s.scalar(select(Invoice).where(Invoice.number == number))
        invoice.amount, invoice.tax, invoice.total = Decimal("1000.00"), Decimal("0.05"), Decimal("1000.05")
        s.commit()
    result = taxed.read(actors["U0MGR1"], "invoice_document", {"invoice_number": number})
    assert result.e_invoice is None and any("one rate" in m for m in result.e_invoice_missing)


@pytest.mark.parametrize(("address", "country"), [("12 Rue X\n75001 Paris, FR", "FR"), ("1 Main St, Springfield", "IE"),
                                                  ("", "IE"), ("Unit 4; Hamburg DE", "DE")])
def test_the_buyers_country_is_a_two_letter_code_ending_the_address(address, country):
    assert buyer_country(address, "IE") == country


def test_a_partial_shipments_invoice_bills_only_what_that_shipment_carried(taxed, db, actors, en16931_rules):
    first, second = skus(db, 2)
    manager = actors["U0MGR1"]
    order = run(taxed, manager, "create_order", {"customer": "ACME", "lines": [
        {"sku": first, "quantity": 4}, {"sku": second, "quantity": 2}]}).order
    if order.status == "credit_hold":
        run(taxed, manager, "approve_credit_hold", {"order_number": order.number, "approve": True, "reason": "ok"})
    shipped = run(taxed, manager, "ship_order", {"order_number": order.number,
                                                 "lines": [{"sku": first, "quantity": 1}]})
    result = taxed.read(manager, "invoice_document", {"invoice_number": shipped.invoice.number})
    xml, invoice = result.e_invoice, stored(db, shipped.invoice.number)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") and en16931_rules(xml) == []
    assert texts(xml, "//ram:IncludedSupplyChainTradeLineItem//ram:SellerAssignedID") == [first]
    assert texts(xml, "//ram:BilledQuantity") == ["1"]
    assert amount(xml, SUMS + "ram:LineTotalAmount") == invoice.amount
    assert texts(xml, "//ram:DespatchAdviceReferencedDocument/ram:IssuerAssignedID") == [shipped.shipment.number]
    text = PdfReader(io.BytesIO(result.content)).pages[0].extract_text()
    assert first in text and second not in text and shipped.shipment.number in text
