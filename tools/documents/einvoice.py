"""The invoice as an e-invoice: EN 16931 Cross Industry Invoice XML (the Factur-X EN16931 profile), built with
drafthorse from the same `Billed` data as the PDF and checked against the profile's XSD as it is written; and
the Factur-X PDF, that XML embedded in the invoice PDF by factur-x (PDF/A-3 attachment and XMP metadata).

EN 16931 needs more than a PDF does: the seller's tax id and country, a single tax rate that yields the
invoice's tax, lines that add up to its net. Where one is missing the invoice is sent as a plain PDF and
`EInvoice.missing` says what to set, rather than emitting XML a receiver's validator would reject."""

from __future__ import annotations

import re
from dataclasses import dataclass

from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem
from stdnum import iban

from core.money import ZERO, money
from tools.documents.invoice import Billed, tax_percent
from tools.documents.model import Seller

PROFILE = "urn:cen.eu:en16931:2017"  # BT-24: the EN 16931 (Factur-X EN16931) profile
SCHEMA = "FACTUR-X_EN16931"  # drafthorse validates against this XSD when serializing
COMMERCIAL_INVOICE = "380"  # UNTDID 1001
PIECE = "H87"  # UN/ECE Recommendation 20 unit code
VAT_ID, TAX_NUMBER = "VA", "FC"  # schemes of a VAT identifier (BT-31, BT-48) and a tax number (BT-32)
EMAIL = "EM"  # scheme of an electronic address (BT-49)
CREDIT_TRANSFER, UNSPECIFIED = "30", "1"  # UNTDID 4461 payment means
COUNTRY_AT_END = re.compile(r"(?:^|[\s,])([A-Z]{2})\s*$")
COUNTRY_PREFIXED = re.compile(r"^[A-Z]{2}[0-9A-Z+*.]{2,}$")  # BR-CO-09: a VAT id starts with its country
IBAN_LIKE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b")


@dataclass(frozen=True)
class EInvoice:
    xml: bytes | None  # None: not sound for EN 16931, see `missing`
    missing: tuple[str, ...] = ()


def settings_missing(seller: Seller) -> list[str]:
    """The seller settings EN 16931 requires that are not set (BR-6, BR-9, BR-S-2 / BR-Z-2)."""
    wanted = (("TALLY_SELLER_NAME", seller.name, "the seller's legal name"),
              ("TALLY_SELLER_TAX_ID", seller.tax_id, "the seller's VAT number"),
              ("TALLY_SELLER_COUNTRY", seller.country, "two-letter country code, e.g. DE"))
    return [f"{name} ({what})" for name, value, what in wanted if not value.strip()]


def invoice_missing(bill: Billed) -> list[str]:
    """What in the invoice itself keeps it from EN 16931's arithmetic (BR-CO-10, BR-CO-17)."""
    invoice, gaps = bill.invoice, []
    if sum((ln.net for ln in bill.lines), ZERO) != invoice.amount:
        gaps.append(f"lines that add up to the invoice's net {invoice.amount}")
    if money(invoice.amount * tax_percent(invoice) / 100) != invoice.tax:
        gaps.append(f"a tax at one rate of the net (this one: {invoice.tax} on {invoice.amount})")
    if invoice.total != invoice.amount + invoice.tax:
        gaps.append(f"a total of net plus tax (this one: {invoice.total})")
    return gaps


def e_invoice(bill: Billed, seller: Seller, currency: str) -> EInvoice:
    gaps = settings_missing(seller) + invoice_missing(bill)
    if gaps:
        return EInvoice(None, tuple(gaps))
    return EInvoice(_document(bill, seller, currency).serialize(schema=SCHEMA))


def factur_x_pdf(pdf: bytes, xml: bytes, *, title: str, author: str, subject: str) -> bytes:
    """The PDF with the XML inside as factur-x.xml (checked against the XSD once more by factur-x)."""
    from facturx import generate_from_binary

    return generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", lang="en",
                                pdf_metadata={"author": author, "keywords": "Factur-X, Invoice",
                                              "title": title, "subject": subject})


def is_vat_id(tax_id: str) -> bool:
    """A VAT identifier in EN 16931's sense starts with its country's code (IE1234567T); other tax numbers,
    such as a Chinese unified social credit code, are written as what they are."""
    return bool(COUNTRY_PREFIXED.match(tax_id.upper()))


def buyer_country(address: str, default: str) -> str:
    """A billing address ending in a two-letter code (`..., 75001 Paris, FR`) names the buyer's country;
    otherwise the buyer is taken to be in the seller's country, the usual domestic case."""
    found = COUNTRY_AT_END.search(address.strip())
    return found.group(1) if found else default


def _document(bill: Billed, seller: Seller, currency: str) -> Document:
    invoice, customer = bill.invoice, bill.invoice.customer
    rate = tax_percent(invoice)
    category = "S" if rate > 0 else "Z"  # standard rate, or zero-rated goods
    doc = Document()
    doc.context.guideline_parameter.id = PROFILE
    doc.header.id = invoice.number
    doc.header.type_code = COMMERCIAL_INVOICE
    doc.header.issue_date_time = invoice.issue_date

    trade = doc.trade
    sold = trade.agreement.seller
    sold.name = seller.name
    _address(sold.address, seller.address, seller.country)
    seller_tax = seller.tax_id.strip().replace(" ", "")
    sold.tax_registrations.add(TaxRegistration(id=(VAT_ID if is_vat_id(seller_tax) else TAX_NUMBER, seller_tax)))
    buyer = trade.agreement.buyer
    buyer.id = customer.code
    buyer.name = customer.name
    _address(buyer.address, customer.billing_address or "",
             buyer_country(customer.billing_address or "", seller.country))
    if customer.email:
        buyer.electronic_address.uri_ID = (EMAIL, customer.email)
    buyer_tax = (customer.tax_id or "").strip().replace(" ", "")
    if is_vat_id(buyer_tax):
        buyer.tax_registrations.add(TaxRegistration(id=(VAT_ID, buyer_tax)))
    elif buyer_tax:  # e.g. a Chinese unified social credit code: the buyer's legal registration (BT-47)
        buyer.legal_organization.id = buyer_tax
    if bill.order is not None:
        trade.agreement.seller_order.issuer_assigned_id = bill.order.number  # BT-14
    if bill.shipment is not None:
        trade.delivery.despatch_advice.issuer_assigned_id = bill.shipment.number  # BT-16
        trade.delivery.event.occurrence = bill.shipment.delivered_on or bill.shipment.shipped_on  # BT-72
    elif bill.order is not None and bill.order.shipped_on:
        trade.delivery.event.occurrence = bill.order.shipped_on

    for number, line in enumerate(bill.lines, start=1):
        item = LineItem()
        item.document.line_id = str(number)
        if line.sku:
            item.product.seller_assigned_id = line.sku
        item.product.name = line.name or line.sku
        item.agreement.net.amount = line.unit_price
        item.delivery.billed_quantity = (line.quantity, PIECE)
        item.settlement.trade_tax.type_code = "VAT"
        item.settlement.trade_tax.category_code = category
        item.settlement.trade_tax.rate_applicable_percent = rate
        item.settlement.monetary_summation.total_amount = line.net
        trade.items.add(item)

    settlement = trade.settlement
    settlement.currency_code = currency
    settlement.payment_reference = invoice.number  # BT-83: what the customer quotes when paying
    settlement.payment_means.add(_payment_means(seller.bank_details))
    tax = ApplicableTradeTax()
    tax.calculated_amount = invoice.tax
    tax.basis_amount = invoice.amount
    tax.type_code = "VAT"
    tax.category_code = category
    tax.rate_applicable_percent = rate
    settlement.trade_tax.add(tax)
    terms = PaymentTerms()
    terms.description = f"{customer.payment_terms_days} days net"
    terms.due = invoice.due_date  # BT-9
    settlement.terms.add(terms)

    # What credit notes took off counts as settled, like a payment, so the amount due is the balance owed.
    settled = invoice.paid_amount + invoice.credited_amount
    sums = settlement.monetary_summation
    sums.line_total = invoice.amount
    sums.charge_total = ZERO
    sums.allowance_total = ZERO
    sums.tax_basis_total = invoice.amount
    sums.tax_total = (invoice.tax, currency)
    sums.grand_total = invoice.total
    sums.prepaid_total = settled
    sums.due_amount = invoice.total - settled
    return doc


def _address(node, text: str, country: str) -> None:
    """Free-text address lines as printed (a parsed street, postcode and city would need a form for each)."""
    lines = [ln.strip() for ln in re.split(r"[\n;]", text) if ln.strip()]
    if lines:
        node.line_one = lines[0]
    if len(lines) > 1:
        node.line_two = lines[1]
    if len(lines) > 2:
        node.line_three = ", ".join(lines[2:])
    node.country_id = country


def _payment_means(bank_details: str) -> PaymentMeans:
    """A credit transfer to the IBAN in the bank details when there is a valid one; otherwise the details as
    text, since a transfer code without an account would break BR-61."""
    means = PaymentMeans()
    found = next((m.replace(" ", "") for m in IBAN_LIKE.findall(bank_details.upper())
                  if iban.is_valid(m.replace(" ", ""))), None)
    if found:
        means.type_code = CREDIT_TRANSFER
        means.payee_account.iban = found
    else:
        means.type_code = UNSPECIFIED
    if bank_details.strip():
        means.information.add(bank_details.strip())
    return means
