from datetime import date

import pytest

from bot.command_forms import Command, Help, help_text
from bot.grammar import parse
from core.errors import InvalidInput

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize("text, tool, args", [
    ("order ACME 10 WIDGET-1", "create_order", {"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 10}]}),
    ("order Acme Corp 10 widget-1 5 GADGET-2 @45", "create_order", {"customer": "Acme Corp", "lines": [
        {"sku": "WIDGET-1", "quantity": 10}, {"sku": "GADGET-2", "quantity": 5, "unit_price": "45.00"}]}),
    ("credit Globex", "check_credit", {"customer": "Globex"}),
    ("credit Globex 5,000", "check_credit", {"customer": "Globex", "amount": "5000.00"}),
    ("invoice INV-2026-00042", "invoice_status", {"invoice_number": "INV-2026-00042"}),
    ("invoices ACME overdue", "invoice_status", {"customer": "ACME", "only_overdue": True}),
    ("orders ACME", "order_status", {"customer": "ACME"}),
    ("orders SO-2026-00001", "order_status", {"order_number": "SO-2026-00001"}),
    ("fulfil SO-2026-00001 1Z999", "fulfil_order", {"order_number": "SO-2026-00001", "tracking": "1Z999"}),
    ("pay INV-2026-00042 1,250.50", "record_payment",
     {"invoice_number": "INV-2026-00042", "amount": "1250.50", "received_on": "2026-11-24"}),
    ("pay INV-2026-00042 100 2026-11-20 WIRE-9", "record_payment",
     {"invoice_number": "INV-2026-00042", "amount": "100.00", "received_on": "2026-11-20", "reference": "WIRE-9"}),
    ("pay INV-2026-00042 100 WIRE9", "record_payment",
     {"invoice_number": "INV-2026-00042", "amount": "100.00", "received_on": "2026-11-24", "reference": "WIRE9"}),
    ("remind INV-2026-00042 tomorrow 9am @U0COLL1", "schedule_reminder",
     {"invoice_number": "INV-2026-00042", "remind_at": "tomorrow 9am", "recipient": "@U0COLL1"}),
    ("promise INV-2026-00042 2026-12-05 500", "log_promise_to_pay",
     {"invoice_number": "INV-2026-00042", "promised_on": "2026-12-05", "amount": "500.00"}),
    ("dispute INV-2026-00042 wrong quantity", "mark_dispute",
     {"invoice_number": "INV-2026-00042", "reason": "wrong quantity"}),
    ("approve SO-2026-00077", "approve_credit_hold",
     {"order_number": "SO-2026-00077", "approve": True, "reason": "approved"}),
    ("reject SO-2026-00077 too late", "approve_credit_hold",
     {"order_number": "SO-2026-00077", "approve": False, "reason": "too late"}),
    ("ageing by customer", "ar_ageing", {"group_by": "customer"}),
    ("ageing as of 2026-06-30", "ar_ageing", {"as_of": "2026-06-30"}),
    ("dso", "collections_summary", {}),
    ("sales last-month by rep", "sales_summary", {"period": "last-month", "group_by": "rep"}),
    ("worklist", "collection_worklist", {}),
    ("/tally credit ACME", "check_credit", {"customer": "ACME"}),
    ("cancel reminder 7", "cancel_reminder", {"reminder_id": 7}),
])
def test_commands_map_onto_tools(text, tool, args):
    assert parse(text, TODAY) == Command(tool, args)


def test_help():
    assert parse("help", TODAY) == Help() and parse("", TODAY) == Help()


@pytest.mark.parametrize("text, words", [
    ("order ACME -5 WIDGET-1", "positive whole number"),
    ("order ACME WIDGET-1", "quantity and SKU"),
    ("order ACME 5", "Expected QTY SKU"),
    ("pay INV-2026-00042 lots", "not an amount"),
    ("pay INV-2026-00042 100 2026-13-45", "not a date"),
    ("promise INV-2026-00042 someday", "someday"),
    ("frobnicate ACME", "Unknown command"),
    ("sales this-month by colour", "Group by"),
])
def test_bad_commands_say_what_is_wrong_and_show_usage(text, words):
    with pytest.raises(InvalidInput) as exc:
        parse(text, TODAY)
    assert words in str(exc.value)


@pytest.mark.parametrize("text, message", [
    ("order ACME 1.5 WIDGET-1",
     "1.5 is not a whole quantity; products are sold in whole units, e.g. `order ACME 2 WIDGET-1`."),
    ("order ACME 0 WIDGET-1", "Quantity must be a positive whole number, not 0."),
    ("order ACME 2,000,000 WIDGET-1", "2,000,000 is more than one order line takes (at most 1,000,000)."),
    ("credit ACME 0", "The amount must be more than 0, e.g. `credit ACME 5000`."),
    ("credit Acme Corp -5", "The amount must be more than 0, e.g. `credit Acme Corp 5000`."),
    ("credit ACME " + "9" * 29, "9" * 29 + " is more than the books hold (at most 999,999,999,999.99)."),
    ("pay INV-2026-00042 1000000000000", "1000000000000 is more than the books hold (at most 999,999,999,999.99)."),
    ("pay INV-2026-00042 100.555", "100.555 has more than 2 decimals; amounts are in cents, e.g. 100.56."),
    ("promise INV-2026-00042 2026-12-05 0.001", "0.001 has more than 2 decimals; amounts are in cents, e.g. 0.01."),
    ("order ACME 10 WIDGET-1 @12.001", "12.001 has more than 2 decimals; amounts are in cents, e.g. 12.00."),
    ("order ACME 10 WIDGET-1 @0", "The price must be more than 0, e.g. `order ACME 10 WIDGET-1 @12.00`."),
    ("order ACME @12 10 WIDGET-1",
     "A price goes right after the line it is for, e.g. `order ACME 10 WIDGET-1 @12.00`."),
    ("pay INV-2026-00042 100 EUR", "The books are kept in USD, so 100 EUR cannot be booked as is. "
                                   "Give the amount in USD, e.g. `pay INV-2026-00042 100`."),
    ("credit ACME 5000 GBP", "The books are kept in USD, so 5000 GBP cannot be booked as is. "
                             "Give the amount in USD, e.g. `credit ACME 5000`."),
])
def test_quantities_are_whole_and_amounts_exact_within_the_books(text, message):
    with pytest.raises(InvalidInput) as exc:
        parse(text, TODAY)
    assert exc.value.message == message
    assert exc.value.hint.startswith("Usage: " + text.split()[0])  # and what the command looks like


@pytest.mark.parametrize("text, args", [
    ("pay INV-2026-00042 100 USD", {"invoice_number": "INV-2026-00042", "amount": "100.00",
                                    "received_on": "2026-11-24"}),
    ("pay INV-2026-00042 100 usd 2026-11-20 WIRE-9", {"invoice_number": "INV-2026-00042", "amount": "100.00",
                                                      "received_on": "2026-11-20", "reference": "WIRE-9"}),
    ("pay INV-2026-00042 100 2026-11-20 USD", {"invoice_number": "INV-2026-00042", "amount": "100.00",
                                               "received_on": "2026-11-20"}),
    ("pay INV-2026-00042 100 ACH", {"invoice_number": "INV-2026-00042", "amount": "100.00",
                                    "received_on": "2026-11-24", "reference": "ACH"}),  # not a currency
    ("credit ACME 5000 USD", {"customer": "ACME", "amount": "5000.00"}),
    ("promise INV-2026-00042 dec 5", {"invoice_number": "INV-2026-00042", "promised_on": "2026-12-05"}),
    ("promise INV-2026-00042 dec 5 500 USD", {"invoice_number": "INV-2026-00042", "promised_on": "2026-12-05",
                                              "amount": "500.00"}),
    ("order ACME 3 4711", {"customer": "ACME", "lines": [{"sku": "4711", "quantity": 3}]}),  # a numeric SKU
    ("order ACME 10 WIDGET-1 @ 12.00 USD 1.0 GADGET-2", {"customer": "ACME", "lines": [
        {"sku": "WIDGET-1", "quantity": 10, "unit_price": "12.00"}, {"sku": "GADGET-2", "quantity": 1}]}),
])
def test_a_currency_code_after_an_amount_is_understood_not_stored(text, args):
    assert parse(text, TODAY).args == args


def test_the_books_currency_is_the_one_accepted():
    assert parse("pay INV-2026-00042 100 EUR", TODAY, currency="EUR").args["amount"] == "100.00"
    with pytest.raises(InvalidInput, match="The books are kept in EUR, so 100 USD"):
        parse("pay INV-2026-00042 100 USD", TODAY, currency="EUR")


def test_help_documents_the_price_override():
    text = help_text()
    assert "[@PRICE]" in text and "@45.00" in text and "quoted unit price" in text
    assert "@PRICE" in help_text("order")


def test_a_statement_line_split_over_invoices_or_its_options():
    assert parse("line 12 split INV-2026-00042 1,200 inv2026-00043 50.5", TODAY) == Command(
        "split_statement_line", {"line_id": 12, "parts": [{"invoice_number": "INV-2026-00042", "amount": "1200.00"},
                                                          {"invoice_number": "inv2026-00043", "amount": "50.50"}]})
    assert parse("line 12 split", TODAY) == Command("statement_line_split", {"line_id": 12})
    for bad in ("line 12 split INV-2026-00042", "line 12 split INV-2026-00042 lots"):
        with pytest.raises(InvalidInput, match="each followed by its amount"):
            parse(bad, TODAY)
