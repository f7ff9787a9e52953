"""`python app.py document invoice NUMBER --out FILE.pdf [--xml FILE.xml]`: with the seller's details set, the PDF
is a Factur-X PDF carrying the EN 16931 XML, and --xml writes that XML alone; without them, a plain PDF and a
note of what to set."""

from __future__ import annotations

from decimal import Decimal

from facturx import get_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

from tests.e2e.app_runner import run_app
from tests.helpers import invoice_of

SELLER = {"TALLY_SELLER_NAME": "Tally Trading Ltd", "TALLY_SELLER_ADDRESS": "1 Quay Street, Dublin 2",
          "TALLY_SELLER_TAX_ID": "IE1234567T", "TALLY_SELLER_COUNTRY": "ie", "TALLY_SELLER_BANK": "AIB, BIC AIBKIE2D"}
RAM = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


def due(xml: bytes) -> Decimal:
    (value,) = etree.fromstring(xml).xpath("//ram:DuePayableAmount/text()", namespaces=RAM)
    return Decimal(value)


def test_the_invoice_pdf_carries_its_e_invoice_and_xml_writes_it_alone(db, backend, tmp_path):
    invoice = invoice_of(db, "ACME")
    pdf, xml = tmp_path / "out" / "invoice.pdf", tmp_path / "out" / "invoice.xml"
    ran = run_app(tmp_path, ["document", "invoice", invoice.number, "--out", str(pdf), "--xml", str(xml)],
                  {"DATABASE_URL": backend.url, **SELLER})
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "Factur-X PDF with its EN 16931 e-invoice inside" in ran.stdout and "No e-invoice" not in ran.stdout
    name, inside = get_xml_from_pdf(pdf.read_bytes())
    assert name == "factur-x.xml" and inside == xml.read_bytes()
    assert xml_check_xsd(inside, flavor="factur-x", level="en16931")
    assert invoice.number.encode() in inside and b"<ram:CountryID>IE</ram:CountryID>" in inside
    assert due(inside) == invoice.balance
    assert invoice.number in PdfReader(pdf).pages[0].extract_text()


def test_without_the_sellers_details_a_plain_pdf_and_what_to_set(db, backend, tmp_path):
    number = invoice_of(db, "ACME").number
    env = {"DATABASE_URL": backend.url, "TALLY_SELLER_NAME": "Tally Trading Ltd"}
    ran = run_app(tmp_path, ["document", "invoice", number, "--out", "plain.pdf"], env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "No e-invoice inside, a plain PDF: EN 16931 needs TALLY_SELLER_TAX_ID" in ran.stdout
    assert "TALLY_SELLER_COUNTRY" in ran.stdout
    assert PdfReader(tmp_path / "plain.pdf").attachments == {}

    refused = run_app(tmp_path, ["document", "invoice", number, "--out", "again.pdf", "--xml", "inv.xml"], env)
    assert refused.returncode == 1 and "Nothing was written" in refused.stdout
    assert "TALLY_SELLER_TAX_ID" in refused.stdout
    assert not (tmp_path / "inv.xml").exists() and not (tmp_path / "again.pdf").exists()
    wrong = run_app(tmp_path, ["document", "receipt", "RCPT-1", "--xml", "r.xml"], env)
    assert wrong.returncode == 1 and "--xml is for an invoice only" in wrong.stdout
