from datetime import date

import pytest

from bot.grammar import Command, Help, parse
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
