"""The document commands of the grammar: `statement CUSTOMER [as of DATE]` and `invoice NUMBER pdf`."""

from datetime import date

import pytest

from bot.command_forms import Command, help_text
from bot.grammar import parse
from core.errors import InvalidInput

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize("text, expected", [
    ("statement ACME", Command("customer_statement", {"customer": "ACME"})),
    ("statement for Acme Corp", Command("customer_statement", {"customer": "Acme Corp"})),
    ("/tally statement ACME as of 2026-10-31", Command("customer_statement",
                                                       {"customer": "ACME", "as_of": "2026-10-31"})),
    ("invoice INV-2026-00042 pdf", Command("invoice_document", {"invoice_number": "INV-2026-00042"})),
    ("invoice INV-2026-00042", Command("invoice_status", {"invoice_number": "INV-2026-00042"})),
])
def test_document_commands(text, expected):
    assert parse(text, TODAY) == expected


def test_a_statement_needs_a_customer_and_says_how():
    with pytest.raises(InvalidInput) as refused:
        parse("statement", TODAY)
    assert "statement CUSTOMER [as of DATE]" in refused.value.hint
    assert "statement CUSTOMER" in help_text() and "invoice NUMBER [pdf]" in help_text()


def test_invoice_with_a_word_that_is_not_pdf_is_refused():
    with pytest.raises(InvalidInput):
        parse("invoice INV-2026-00042 please", TODAY)
