"""The matching rules alone: mangled invoice numbers, payers by name or account, combined, partial and
over-payments, and every doubt sent to review rather than applied."""

from datetime import date
from decimal import Decimal

import pytest

from core.bank_statements import StatementLine, detect_format, read_csv
from core.cash_matching import Book, OpenItem, Payer, match_line, normalise_name

D = Decimal
ACME, GLOBEX, STARK = 1, 2, 3


def book() -> Book:
    items = [
        OpenItem(1, "INV-2026-00042", ACME, D("100.00"), date(2026, 1, 5)),
        OpenItem(2, "INV-2026-00043", ACME, D("50.00"), date(2026, 2, 5)),
        OpenItem(3, "INV-2026-00077", ACME, D("80.00"), date(2026, 3, 5)),
        OpenItem(4, "INV-2025-00042", GLOBEX, D("300.00"), date(2025, 12, 1)),
        OpenItem(5, "INV-2026-00100", STARK, D("900.00"), date(2026, 2, 1)),
    ]
    payers = [Payer(ACME, "Acme Corp"), Payer(GLOBEX, "Globex GmbH"), Payer(STARK, "Stark Industries Inc.")]
    return Book(items, payers, {"DE44500105175407324931": STARK})


def line(amount: str, text: str = "", name: str = "", iban: str = "", credit: bool = True) -> StatementLine:
    return StatementLine(date(2026, 3, 1), D(amount), credit, payer_name=name, payer_iban=iban, remittance=text)


@pytest.mark.parametrize("text", ["INV-2026-00043", "inv2026 00043", "INV00043", "2026-00043", "invoice 2026/00043",
                                  "Rechnung INV202600043 danke"])
def test_mangled_numbers_are_read(text):
    assert book().references(text)[0] == ["INV-2026-00043"]


def test_a_sequence_shared_by_two_years_is_not_guessed():
    assert book().references("INV00042")[0] == []  # INV-2026-00042 and INV-2025-00042 are both open
    assert book().references("INV 2025 00042")[0] == ["INV-2025-00042"]


@pytest.mark.parametrize(("name", "normal"), [("ACME CORP.", "ACME"), ("Acme Corporation Ltd", "ACME"),
                                               ("Globex G.m.b.H", "GLOBEX G M B H"), ("The Globex GmbH", "GLOBEX")])
def test_names_lose_case_punctuation_and_legal_suffixes(name, normal):
    assert normalise_name(name) == normal


def test_one_payment_for_the_invoices_the_text_names():
    match = match_line(line("150.00", "INV-2026-00042 / INV-2026-00043", "ACME CORP"), book())
    assert match.outcome == "applied" and [(i.number, a) for i, a in match.allocations] == [
        ("INV-2026-00042", D("100.00")), ("INV-2026-00043", D("50.00"))]


def test_a_part_payment_fills_the_named_invoices_in_the_order_named():
    match = match_line(line("120.00", "INV-2026-00043 INV-2026-00042", "Acme"), book())
    assert [(i.number, a) for i, a in match.allocations] == [("INV-2026-00043", D("50.00")),
                                                              ("INV-2026-00042", D("70.00"))]


def test_an_overpayment_keeps_the_rest_as_credit():
    match = match_line(line("130.00", "INV-2026-00042", "Acme Corp"), book())
    assert match.outcome == "applied" and match.unapplied == D("30.00")


def test_a_known_payer_without_a_number_pays_its_oldest_balances_when_the_sum_is_exact():
    match = match_line(line("150.00", "thanks", "ACME CORPORATION"), book())
    assert match.outcome == "applied" and [i.number for i, _ in match.allocations] == ["INV-2026-00042",
                                                                                       "INV-2026-00043"]
    assert match_line(line("140.00", "thanks", "Acme"), book()).outcome == "review"


def test_a_payer_known_by_iban_only():
    match = match_line(line("900.00", "", "", "DE44 5001 0517 5407 3249 31".replace(" ", "")), book())
    assert match.outcome == "applied" and match.customer_id == STARK


def test_another_customers_invoice_is_never_applied():
    match = match_line(line("900.00", "INV-2026-00042", "Stark Industries"), book())
    assert match.outcome == "review" and match.allocations == []


def test_a_bare_sequence_from_an_unknown_payer_goes_to_review():
    assert match_line(line("80.00", "ref 00077", "Somebody Else"), book()).outcome == "review"


def test_debits_and_unknown_receipts_are_left_alone():
    assert match_line(line("12.50", "fee", credit=False), book()).outcome == "ignored"
    assert match_line(line("42.00", "tax refund", "Internal Revenue"), book()).outcome == "unmatched"


def test_a_bank_csv_with_its_own_column_names():
    data = "Booking date;Amount;Counterparty;Description\n23.11.2026;1.234,50;Acme Corp;INV-2026-00042\n" \
           "23.11.2026;-3,20;Bank;Fee\n"
    assert detect_format(data.encode()) == "csv"
    lines = read_csv(data.encode(), {"date": "Booking date"}).lines
    assert lines[0].amount == D("1234.50") and lines[0].credit and lines[0].payer_name == "Acme Corp"
    assert not lines[1].credit and lines[1].amount == D("3.20")
    assert lines[0].dedupe_key != lines[1].dedupe_key and lines[0].dedupe_key.startswith("fp:")
