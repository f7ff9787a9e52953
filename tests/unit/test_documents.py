"""Documents as PDF, read back with a PDF text extractor: what a customer receives states what the books say."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.errors import NotFound
from core.money import fmt
from db.models import Customer, Invoice, OrderLine, Payment
from tests.helpers import invoice_of
from tools import Rules, Tally
from tools.documents.model import Seller

SELLER = Seller(name="Tally Trading Ltd", address="1 Quay Street, Dublin", tax_id="IE1234567T",
                bank_details="Bank of Ireland, IBAN IE29 AIBK 9311 5212 3456 78")


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def books(db, clock) -> Tally:
    return Tally(db, Rules(seller=SELLER), clock)


def test_the_statement_states_the_total_that_invoices_shows(books, actors):
    shown = books.read(actors["U0COLL1"], "invoice_status", {"customer": "ACME"}).listing.total_balance
    statement = books.read(actors["U0COLL1"], "customer_statement", {"customer": "ACME"})
    text = pdf_text(statement.content)
    assert statement.amount == shown and shown > 0
    assert f"Total outstanding {fmt(shown, 'USD')}" in text
    assert "Acme Corp" in text and "Tally Trading Ltd" in text and "IE1234567T" in text
    assert "Generated at" in text and statement.number in text


def test_a_chinese_customers_statement_carries_its_chinese_name(books, db, actors, clock):
    name = "上海华为贸易有限公司"
    with db.session(write=True) as s:
        acme = s.scalar(select(Customer).where(Customer.code == "ACME"))
        s.add(Customer(code="HUAWEI-SH", name=name, owner_rep=acme.owner_rep, collector=acme.collector,
                       credit_limit=Decimal("50000.00"), payment_terms_days=30, created_at=clock.now()))
        s.commit()
    statement = books.read(actors["U0MGR1"], "customer_statement", {"customer": "HUAWEI-SH"})
    text = pdf_text(statement.content)
    assert name in text and "对账单" in text and "Total outstanding 0.00 USD" in text


def test_a_past_statement_matches_the_ageing_of_that_day(books, actors):
    report = books.read(actors["U0MGR1"], "ar_ageing", {"as_of": "2026-10-31", "group_by": "customer"})
    (acme,) = [row for row in report.rows if row.key == "ACME"]
    statement = books.read(actors["U0MGR1"], "customer_statement", {"customer": "ACME", "as_of": "2026-10-31"})
    assert statement.amount == acme.total
    assert f"Total outstanding {fmt(acme.total, 'USD')}" in pdf_text(statement.content)


def test_an_invoice_pdf_carries_its_number_lines_and_total(books, db, actors):
    invoice = invoice_of(db, "ACME")
    document = books.read(actors["U0SALES1"], "invoice_document", {"invoice_number": invoice.number})
    text = pdf_text(document.content)
    with db.session() as s:
        lines = s.scalars(select(OrderLine).where(OrderLine.order_id == invoice.order_id)).all()
    assert invoice.number in text and f"Total {fmt(invoice.total, 'USD')}" in text
    assert f"Due date {invoice.due_date}" in text
    for line in lines:
        assert line.sku in text and fmt(line.line_total) in text


def test_a_receipt_is_numbered_by_its_payment(books, db, actors):
    with db.session() as s:
        payment, number = s.execute(select(Payment, Invoice.number).join(Invoice, Invoice.id == Payment.invoice_id)
                                    .order_by(Payment.id)).first()
    receipt = books.read(actors["U0COLL1"], "payment_receipt", {"receipt_number": f"RCPT-{payment.id}"})
    text = pdf_text(receipt.content)
    assert f"RCPT-{payment.id}" in text and "收据" in text and number in text
    assert f"Amount received {fmt(payment.amount, 'USD')}" in text


def test_sales_get_the_documents_of_their_own_customers_only(books, db, actors):
    with db.session() as s:
        other = s.scalar(select(Customer).where(Customer.owner_rep != "U0SALES1"))
        theirs = s.scalar(select(Invoice).where(Invoice.customer_id == other.id))
    with pytest.raises(NotFound):
        books.read(actors["U0SALES1"], "customer_statement", {"customer": other.code})
    with pytest.raises(NotFound):
        books.read(actors["U0SALES1"], "invoice_document", {"invoice_number": theirs.number})


def test_the_pdf_bytes_stay_out_of_serialised_results(books, actors):
    statement = books.read(actors["U0MGR1"], "customer_statement", {"customer": "ACME"})
    assert "content" not in statement.model_dump(mode="json")
    assert statement.describe(done=True).startswith(f"Statement of account {statement.number} for Acme Corp")


@pytest.mark.parametrize("as_of", [None, "2026-11-23"])
def test_unapplied_credit_is_on_the_statement_with_the_net_outstanding(books, db, actors, clock, as_of):
    from db.models import CustomerCredit

    with db.session(write=True) as s:
        acme = s.scalar(select(Customer).where(Customer.code == "ACME"))
        for received, amount, left in (("2026-11-20", "1500.00", "1200.00"), ("2026-11-24", "30.00", "30.00"),
                                       ("2026-11-21", "80.00", "0.00")):  # today's, and one used up
            s.add(CustomerCredit(customer_id=acme.id, amount=Decimal(amount), remaining=Decimal(left),
                                 received_on=date.fromisoformat(received), created_by="test", created_at=clock.now()))
        s.commit()
        ids = dict(s.execute(select(CustomerCredit.amount, CustomerCredit.id)).tuples().all())
    first, today, used = ids[Decimal("1500.00")], ids[Decimal("30.00")], ids[Decimal("80.00")]
    args = {"customer": "ACME"} | ({"as_of": as_of} if as_of else {})
    statement = books.read(actors["U0COLL1"], "customer_statement", args)
    text = pdf_text(statement.content)
    unapplied = Decimal("1200.00") + (0 if as_of else Decimal("30.00"))  # a credit counts from the day it came
    assert "Unapplied credit" in text and f"CR-{first} 2026-11-20 1,500.00 1,200.00" in text
    assert (f"CR-{today} 2026-11-24 30.00 30.00" in text) == (as_of is None) and f"CR-{used} " not in text
    assert f"Unapplied credit -{fmt(unapplied, 'USD')}" in text
    assert f"Total outstanding {fmt(statement.amount, 'USD')}" in text
    assert f"Net outstanding {fmt(statement.amount - unapplied, 'USD')}" in text


def test_a_statement_without_unapplied_credit_shows_no_such_section(books, actors):
    text = pdf_text(books.read(actors["U0COLL1"], "customer_statement", {"customer": "ACME"}).content)
    assert "Unapplied credit" not in text and "Net outstanding" not in text
