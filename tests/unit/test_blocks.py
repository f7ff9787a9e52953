"""Block Kit views built from real tool results on the demo database, checked against Slack's limits."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from slack_sdk.models.blocks import Block
from sqlalchemy import select

from bot.blocks import (
    approval_card,
    blocks_for,
    confirmation_card,
    error_card,
    fallback_text,
    outcome_card,
    refusal_card,
)
from bot.blocks.elements import escape, escape_keeping, mention
from bot.blocks.monospace import table_section, width
from bot.blocks.paging import PAGE_SIZE
from bot.blocks.views import PRESENTERS
from core.money import fmt
from db.models import OrderLine, Product
from tests.conftest import DEMO_NOW
from tests.fakes import block_kit
from tests.helpers import invoice_of, order_of
from tools import Outcome, Proposal, Tally
from tools.collections import InvoiceUpdate, ReminderResult, Worklist
from tools.credit import CreditDecisionView, CreditReport
from tools.customers import CustomerMatches
from tools.invoices import InvoiceDetail, InvoiceList, InvoiceStatusResult
from tools.orders import OrderList, OrderResult, OrderView
from tools.payments import PaymentResult
from tools.reports import AgeingReport, CollectionsSummary, SalesSummary

TODAY = DEMO_NOW.date()
MARKUP = re.compile(r"<@[UW][A-Z0-9]+>|<!date\^\d+\^[^|>]+\|[^>]*>")


def check_limits(blocks: list[dict]) -> list[dict]:
    """Slack's documented Block Kit limits, and slack_sdk's own validation of each block."""
    assert 0 < len(blocks) <= 50
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))
    texts = []
    for block in blocks:
        kind = block["type"]
        if kind == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert block["text"]["type"] == "mrkdwn" and 0 < len(block["text"]["text"]) <= 3000
                texts.append(block["text"]["text"])
            assert len(block.get("fields", [])) <= 10
            for field in block.get("fields", []):
                assert 0 < len(field["text"]) <= 2000
                texts.append(field["text"])
        elif kind == "header":
            assert block["text"]["type"] == "plain_text" and 0 < len(block["text"]["text"]) <= 150
        elif kind == "context":
            assert 0 < len(block["elements"]) <= 10
            for element in block["elements"]:
                assert 0 < len(element["text"]) <= 3000
                texts.append(element["text"])
        elif kind == "actions":
            assert 0 < len(block["elements"]) <= 25
            action_ids = [e["action_id"] for e in block["elements"]]
            assert len(action_ids) == len(set(action_ids))
            for element in block["elements"]:
                assert element["type"] == "button" and element.get("style") in (None, "primary", "danger")
                assert 0 < len(element["text"]["text"]) <= 75 and len(element["action_id"]) <= 255
                assert 0 < len(element["value"]) <= 2000
        else:
            assert kind in ("divider", "table"), kind
        Block.parse(block).to_dict()  # raises SlackObjectFormationError past a limit
    assert block_kit.problems("chat.postMessage", {"blocks": blocks, "text": "fallback"}) is None
    for text in texts:
        assert text.count("```") % 2 == 0, text
        bare = MARKUP.sub("", text)
        assert "<" not in bare and not re.search(r"&(?!amp;|lt;|gt;)", bare), text  # user data is escaped
    json.dumps(blocks)
    return blocks


def all_text(blocks: list[dict]) -> str:
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [f["text"] for f in block.get("fields", [])]
        out += [e["text"] if isinstance(e["text"], str) else e["text"]["text"] for e in block.get("elements", [])]
    return "\n".join(out)


def buttons(blocks: list[dict]) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def code_lines(blocks: list[dict]) -> list[str]:
    """The lines of the first code block, unescaped as Slack shows them."""
    text = all_text(blocks)
    body = text.split("```\n", 1)[1].split("\n```", 1)[0]
    return body.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").split("\n")


def run(tally, actor, tool, args):
    outcome = tally.confirm(actor, tally.propose(actor, tool, args).pending_id)
    assert outcome.status == "done", outcome.error
    return outcome


def next_page(tally, actor, blocks):
    (button,) = [b for b in buttons(blocks) if b["action_id"] == "tally_page"]
    value = json.loads(button["value"])
    return blocks_for(tally.read(actor, value["tool"], value["args"]), page=value["page"]), value


def test_every_result_type_has_a_view():
    assert set(PRESENTERS) >= {CreditReport, CreditDecisionView, OrderResult, OrderList, OrderView, InvoiceStatusResult,
                          InvoiceDetail, InvoiceList, PaymentResult, ReminderResult, InvoiceUpdate, Worklist,
                          AgeingReport, CollectionsSummary, SalesSummary, CustomerMatches}


def test_every_view_of_realistic_results_stays_within_slack_limits(tally, db, actors):
    mgr, sales, coll = actors["U0MGR1"], actors["U0SALES1"], actors["U0COLL1"]
    reads = [(mgr, "ar_ageing", {}), (mgr, "ar_ageing", {"group_by": "customer"}),
             (mgr, "ar_ageing", {"group_by": "rep"}), (sales, "ar_ageing", {"group_by": "customer"}),
             (mgr, "collections_summary", {}),
             (sales, "collections_summary", {"period": "this-month"}), (mgr, "collection_worklist", {}),
             (coll, "collection_worklist", {}), (mgr, "invoice_status", {"only_overdue": True}),
             (mgr, "invoice_status", {"customer": "SOYLENT"}), (mgr, "invoice_status", {"customer": "WONKA"}),
             (mgr, "invoice_status", {"invoice_number": invoice_of(db, "GLOBEX", disputed=True).number}),
             (mgr, "check_credit", {"customer": "SOYLENT", "amount": "90000"}),
             (mgr, "check_credit", {"customer": "ACME"}),
             (mgr, "order_status", {"customer": "GLOBEX"}), (sales, "order_status", {}),
             (mgr, "order_status", {"order_number": order_of(db, "GLOBEX", "credit_hold").number}),
             (mgr, "find_customer", {"query": "a"}), (sales, "find_customer", {"query": "zzz"}),
             (mgr, "cash_forecast", {}), (mgr, "cash_forecast", {"weeks": 26}),
             (coll, "customer_statement", {"customer": "ACME"})]
    reads += [(mgr, "sales_summary", {"period": p, "group_by": g}) for p in ("this-year", "last-month", "2026-Q3")
              for g in ("rep", "customer", "product", "month")]
    results = [tally.read(actor, tool, args) for actor, tool, args in reads]
    proposal = tally.propose(sales, "create_order", {"customer": "ACME", "lines": [
        {"sku": "WIDGET-1", "quantity": 2}, {"sku": "GADGET-2", "quantity": 1}], "note": "rush <urgent> & boxed"})
    done = tally.confirm(sales, proposal.pending_id)
    overdue = invoice_of(db, "INITECH")
    writes = [done, run(tally, coll, "record_payment", {"invoice_number": overdue.number, "amount": "10",
                                                         "received_on": "today", "reference": "R&D <1>"}),
              run(tally, coll, "mark_dispute", {"invoice_number": overdue.number, "reason": "wrong <qty> & price"}),
              run(tally, coll, "log_promise_to_pay", {"invoice_number": invoice_of(db, "HOOLI").number,
                                                      "promised_on": "next friday"}),
              run(tally, sales, "schedule_reminder", {"invoice_number": invoice_of(db, "ACME").number,
                                                      "remind_at": "tomorrow 9am", "note": "call Bob"}),
              run(tally, mgr, "update_customer", {"customer": "ACME", "billing_address": "1 <Main> St & Co",
                                                  "collector": "U0COLL2", "payment_terms_days": 45})]
    corrections = _corrections(tally, db, mgr, coll)
    writes += corrections
    number = done.result.order.number
    shipped = [run(tally, sales, "ship_order", {"order_number": number, "lines": [{"sku": "WIDGET-1", "quantity": 1}],
                                                "carrier": "<DHL> & co", "tracking": "1Z <9>"}),
               run(tally, sales, "ship_order", {"order_number": number})]
    writes += shipped + [run(tally, sales, "confirm_delivery", {"delivery_number": shipped[0].result.shipment.number,
                                                                "signed_by": "Ann <b>Lee</b>"})]
    results += [tally.read(sales, "delivery_status", {"order_number": number}),
                tally.read(sales, "delivery_status", {"delivery_number": shipped[1].result.shipment.number})]
    results += [o.result for o in writes] + [done.result.order, done.result.order.credit]
    note = corrections[0].result.credit_note.number
    results.append(tally.read(mgr, "credit_note_status", {"credit_note_number": note}))
    results += [r.detail for r in results if isinstance(r, InvoiceStatusResult) and r.detail]
    results += [r.listing for r in results if isinstance(r, InvoiceStatusResult) and r.listing]
    assert {type(r) for r in results} >= set(PRESENTERS)
    for result in results:
        rows = max(len(getattr(result, name, None) or []) for name in ("rows", "items", "invoices", "orders"))
        for page in range(rows // 10 + 2):  # every page, and one past the end
            check_limits(blocks_for(result, page=page, tz="Asia/Shanghai"))
            check_limits(blocks_for(result, page=page, tz="Asia/Shanghai", tables=True))
        text = fallback_text(result)
        assert text and "\n" not in text and len(text) <= 300
    check_limits(blocks_for(proposal))
    check_limits(blocks_for(done, tz="America/New_York"))
    held = tally.read(mgr, "order_status", {"order_number": order_of(db, "GLOBEX", "credit_hold").number})
    check_limits(approval_card(held.orders[0], "U0SALES2"))
    check_limits(error_card("No customer matches 'A & <B>'.", "Try a code like ACME."))
    check_limits(refusal_card())


def _corrections(tally, db, mgr, coll) -> list[Outcome]:
    """A credit note, a return, a void and a closed dispute, with text that needs escaping."""
    hooli, wonka = invoice_of(db, "HOOLI"), invoice_of(db, "ACME", status=("open",))
    with db.session() as session:
        sku = session.scalar(select(OrderLine.sku).where(OrderLine.order_id == hooli.order_id))
    return [run(tally, coll, "issue_credit_note", {"invoice_number": hooli.number, "amount": "5",
                                                   "reason": "<goodwill> & thanks"}),
            run(tally, mgr, "return_goods", {"invoice_number": hooli.number, "quantity": 1, "sku": sku,
                                             "reason": "box <crushed>"}),
            run(tally, mgr, "void_invoice", {"invoice_number": wonka.number, "reason": "issued <twice>"}),
            run(tally, coll, "resolve_dispute", {"invoice_number": invoice_of(db, "GLOBEX", disputed=True).number,
                                                 "credit": "5", "note": "agreed & settled"})]


def test_an_order_of_every_product_fits_one_card(tally, db, actors):
    with db.session() as session:
        skus = session.scalars(select(Product.sku).where(Product.active, Product.stock_on_hand > 0)).all()
    lines = [{"sku": sku, "quantity": 1} for sku in skus]
    outcome = run(tally, actors["U0MGR1"], "create_order", {"customer": "STARK", "lines": lines})
    blocks = check_limits(outcome_card(outcome, "UTC", at=DEMO_NOW))
    assert len(skus) > 20 and all(sku in all_text(blocks) for sku in skus)


def test_tables_too_long_for_a_section_are_cut_and_counted():
    rows = [[f"INV-2026-{n:05}", "Massive Dynamic", fmt(Decimal(n * 1000))] for n in range(200)]
    block = check_limits([table_section("*Invoices*", ["invoice", "customer", "balance"], rows, {2},
                                        totals=[["Total", "", "1.00"]])])[0]
    text = block["text"]["text"]
    assert len(text) <= 3000 and re.search(r"… \d+ more", text) and text.rstrip("`\n").endswith("1.00")


def test_ageing_by_customer_pages_ten_rows_with_aligned_amounts(tally, actors):
    mgr = actors["U0MGR1"]
    report = tally.read(mgr, "ar_ageing", {"group_by": "customer"})
    first = blocks_for(report)
    text = all_text(first)
    assert "AR ageing as of 2026-11-24" in text and "USD" in text
    assert fmt(report.total.total, "USD") in text  # outstanding, as a field
    lines = code_lines(first)
    assert len(lines) == 2 + 10 + 1  # header, rule, ten customers, total
    acme = next(ln for ln in lines if ln.startswith("Acme Corp"))
    assert acme.endswith(fmt(report.rows[0].total)) and lines[-1].endswith(fmt(report.total.total))
    assert len({width(ln) for ln in lines}) == 1  # every amount column ends at the same place

    second, value = next_page(tally, mgr, first)
    assert value == {"tool": "ar_ageing", "args": {"as_of": "2026-11-24", "group_by": "customer"}, "page": 1}
    lines = code_lines(second)
    zhonghua = next(ln for ln in lines if "Zhonghua" in ln)
    assert zhonghua.startswith("中华贸易") and len({width(ln) for ln in lines}) == 1  # CJK is two columns wide
    assert lines[-1].startswith("Total") and "tally_page" not in json.dumps(second)
    assert "Page 2 of 2" in all_text(second)


def test_ageing_without_grouping_is_one_total_row(tally, actors):
    report = tally.read(actors["U0SALES1"], "ar_ageing", {})
    blocks = check_limits(blocks_for(report))
    assert code_lines(blocks)[-1].split()[-1] == fmt(report.total.total)
    assert "your customers" in all_text(blocks) and not buttons(blocks)


def test_sales_pages_re_run_the_same_period(tally, actors):
    mgr = actors["U0MGR1"]
    summary = tally.read(mgr, "sales_summary", {"period": "this-year", "group_by": "product"})
    first = blocks_for(summary)
    assert "revenue" in code_lines(first)[0] and "qty" in code_lines(first)[0]
    assert fmt(summary.total.revenue, "USD") in all_text(first)
    second, value = next_page(tally, mgr, first)
    assert value["args"] == {"period": "this-year", "group_by": "product", "metric": "revenue"}
    again = tally.read(mgr, value["tool"], value["args"])
    assert (again.start, again.end) == (summary.start, summary.end)
    row = summary.rows[10]
    assert any(ln.startswith(row.label) and fmt(row.revenue) in ln for ln in code_lines(second))
    assert "Page 2 of 3" in all_text(second)


@pytest.mark.parametrize("period", ["this-month", "this-quarter", "last-month", "2026-Q2", "last-90-days", "2025"])
def test_sales_next_page_keeps_the_period(tally, actors, period):
    summary = tally.read(actors["U0MGR1"], "sales_summary", {"period": period, "group_by": "product"})
    (button,) = buttons(blocks_for(summary))
    again = tally.read(actors["U0MGR1"], "sales_summary", json.loads(button["value"])["args"])
    assert (again.start, again.end, again.period) == (summary.start, summary.end, summary.period)


def test_credit_hold_lists_every_reason(tally, actors):
    report = tally.read(actors["U0MGR1"], "check_credit", {"customer": "SOYLENT", "amount": "5000"})
    text = all_text(check_limits(blocks_for(report)))
    assert "Soylent Foods" in text and "on credit hold" in text
    assert "⛔" in text and "would be *held*" in text
    assert len(report.decision.reasons) == 3
    for reason in report.decision.reasons:
        assert f"• {reason}" in text
    for amount in (report.credit_limit, report.available, report.overdue_amount):
        assert fmt(amount, "USD") in text
    assert f"*{report.risk_grade}*" in text and report.forecast[0].number in text


def test_credit_approval_shows_available_after(tally, actors):
    report = tally.read(actors["U0SALES1"], "check_credit", {"customer": "ACME", "amount": "100"})
    text = all_text(blocks_for(report))
    assert "✅" in text and "would be *approved*" in text and fmt(report.decision.available_after, "USD") in text
    assert "⛔" not in text
    assert fallback_text(report).startswith("Credit for Acme Corp")


def test_order_view_and_approval_card(tally, db, actors):
    held = order_of(db, "GLOBEX", "credit_hold")
    order = tally.read(actors["U0MGR1"], "order_status", {"order_number": held.number}).orders[0]
    blocks = check_limits(approval_card(order, "U0SALES2"))
    text = all_text(blocks)
    assert "<@U0SALES2>" in text and order.number in text and "Globex" in text and fmt(order.total, "USD") in text
    assert all(ln.sku in text for ln in order.lines) and "Credit hold" in text
    assert order.credit.reasons and all(reason in text for reason in order.credit.reasons)
    approve, reject = buttons(blocks)
    assert (approve["action_id"], approve["value"], approve["style"]) == ("tally_approve", order.number, "primary")
    assert (reject["action_id"], reject["value"]) == ("tally_reject", order.number)


def test_order_list_marks_holds(tally, actors):
    orders = tally.read(actors["U0MGR1"], "order_status", {"customer": "GLOBEX"})
    blocks = check_limits(blocks_for(orders))
    text = all_text(blocks)
    assert "Recent orders of Globex" in text and len(code_lines(blocks)) == 2 + min(len(orders.orders), PAGE_SIZE)
    held = [o.number for o in orders.orders[:PAGE_SIZE] if o.status == "credit_hold"]
    assert held and all(f"*{n}*" in text for n in held)


def test_confirmation_card_and_outcomes(tally, actors):
    sales = actors["U0SALES1"]
    proposal = tally.propose(sales, "create_order",
                             {"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 10}]})
    blocks = check_limits(confirmation_card(proposal))
    assert blocks == blocks_for(proposal) and "Acme Corp" in all_text(blocks)
    confirm, cancel = buttons(blocks)
    assert (confirm["action_id"], confirm["value"], confirm["style"]) == ("tally_confirm", proposal.pending_id,
                                                                          "primary")
    assert (cancel["action_id"], cancel["value"]) == ("tally_cancel", proposal.pending_id)
    assert fallback_text(proposal).startswith("Please confirm: Create an order for Acme Corp")

    outcome = tally.confirm(sales, proposal.pending_id)
    card = check_limits(outcome_card(outcome, "America/New_York", at=DEMO_NOW))
    text = all_text(card)
    assert outcome.result.order.number in text and "WIDGET-1" in text and not buttons(card)
    assert card[-1]["elements"][0]["text"] == "Confirmed by <@U0SALES1> at 10:00 (America/New_York)"
    again = tally.confirm(sales, proposal.pending_id)
    assert "Already confirmed by <@U0SALES1>" in all_text(outcome_card(again, "UTC"))

    other = tally.propose(sales, "create_order", {"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 1}]})
    cancelled = check_limits(outcome_card(tally.cancel(sales, other.pending_id), "UTC", at=DEMO_NOW))
    assert "*Cancelled*: nothing was changed" in all_text(cancelled)
    assert "Cancelled by <@U0SALES1> at 15:00 (UTC)" in all_text(cancelled)


def test_expired_and_failed_outcomes_say_why(tally, db, actors):
    coll = actors["U0COLL1"]
    stale = Tally(tally.db, tally.rules, tally.clock, pending_ttl=timedelta(0))
    p = stale.propose(coll, "mark_dispute", {"invoice_number": invoice_of(db, "HOOLI").number, "reason": "short"})
    expired = stale.confirm(coll, p.pending_id)
    assert expired.status == "expired"
    text = all_text(check_limits(outcome_card(expired, "UTC")))
    assert "*Expired*" in text and "ask again" in text and "nothing was changed" in text
    assert fallback_text(expired).startswith("Expired: Mark")

    inv = invoice_of(db, "INITECH")
    args = {"invoice_number": inv.number, "amount": str(inv.total - inv.paid_amount), "received_on": "today"}
    first, second = tally.propose(coll, "record_payment", args), tally.propose(coll, "record_payment", args)
    tally.confirm(coll, first.pending_id)
    failed = tally.confirm(coll, second.pending_id)
    assert failed.status == "failed"
    text = all_text(check_limits(outcome_card(failed, "UTC")))
    assert "*Not done*" in text and "paid" in text and "Nothing was changed" in text


def test_invoice_detail_shows_dispute_promise_and_payments(tally, db, actors):
    mgr, coll = actors["U0MGR1"], actors["U0COLL1"]
    disputed = tally.read(mgr, "invoice_status", {"invoice_number": invoice_of(db, "GLOBEX", disputed=True).number})
    text = all_text(check_limits(blocks_for(disputed)))
    assert "⚠️ *Disputed*: Damaged goods on delivery" in text and "12 days overdue" in text

    promised = invoice_of(db, "OSCORP", promised=True)
    text = all_text(blocks_for(tally.read(mgr, "invoice_status", {"invoice_number": promised.number})))
    assert f"on {promised.promised_on}" in text and "Promise to pay" in text

    paid = run(tally, coll, "record_payment", {"invoice_number": invoice_of(db, "INITECH").number, "amount": "100",
                                               "received_on": "today", "reference": "BANK-7"}).result
    text = all_text(check_limits(blocks_for(paid)))
    assert f"Payment of {fmt(paid.amount, 'USD')} recorded" in text and "Partially paid" in text
    assert f"• 100.00 USD on {TODAY} (bank transfer, BANK-7)" in text
    assert fmt(paid.invoice.invoice.balance, "USD") in text


def test_user_text_is_escaped(tally, db, actors):
    inv = invoice_of(db, "HOOLI")
    update = run(tally, actors["U0COLL1"], "mark_dispute", {"invoice_number": inv.number,
                                                            "reason": "<!channel> wrong qty & price"}).result
    text = all_text(check_limits(blocks_for(update)))
    assert "&lt;!channel&gt; wrong qty &amp; price" in text and "<!channel>" not in text


def test_overdue_invoice_list_pages(tally, actors):
    mgr = actors["U0MGR1"]
    listing = tally.read(mgr, "invoice_status", {"only_overdue": True})
    first = blocks_for(listing)
    assert fmt(listing.listing.total_balance, "USD") in all_text(first)
    assert len(code_lines(first)) == 12 and code_lines(first)[2].startswith(listing.listing.invoices[0].number)
    page, value = next_page(tally, mgr, first)
    assert value == {"tool": "invoice_status", "args": {"only_overdue": True}, "page": 1}
    assert code_lines(page)[2].startswith(listing.listing.invoices[10].number)
    last = blocks_for(listing, page=99)  # past the end: the last page
    assert "Page 5 of 5" in all_text(last) and not buttons(last)
    notes = "\n".join(code_lines(blocks_for(listing, page=3)))
    assert "disputed" in notes and "promised 2026-11-29" in notes


def test_worklist_ranks_and_flags_broken_promises(tally, actors):
    mgr = actors["U0MGR1"]
    worklist = tally.read(mgr, "collection_worklist", {})
    first = check_limits(blocks_for(worklist))
    lines = code_lines(first)
    top = worklist.items[0]
    assert top.broken_promise and lines[2].split()[:2] == ["1", top.invoice.number] and "BROKEN PROMISE" in lines[2]
    text = all_text(first)
    assert f"• *{top.invoice.number}* {top.invoice.customer.name}: promised {top.invoice.promised_on}" in text
    assert str(len(worklist.items) + worklist.more) in text and fmt(worklist.total_overdue, "USD") in text
    second, value = next_page(tally, mgr, first)
    assert value["args"] == {"collector": "all"}
    assert code_lines(second)[2].split()[:2] == ["11", worklist.items[10].invoice.number]
    last = blocks_for(worklist, page=2)
    assert f"… and {worklist.more} more overdue invoices" in all_text(last)
    assert "broken promise" in fallback_text(worklist)


def test_collections_summary_as_fields(tally, actors):
    s = tally.read(actors["U0MGR1"], "collections_summary", {"period": "last-90-days"})
    blocks = check_limits(blocks_for(s))
    fields = [f["text"] for b in blocks for f in b.get("fields", [])]
    assert f"*DSO (simple)*\n{s.simple_dso} days" in fields and f"*Receivables*\n{fmt(s.ending_ar, 'USD')}" in fields
    assert any(f.startswith("*CEI*") and f"{s.cei}%" in f for f in fields)
    assert fallback_text(s) == (f"Collections Last 90 days: DSO {s.simple_dso} days (countback {s.countback_dso}), "
                                f"CEI {s.cei}%, {fmt(s.overdue_ar, 'USD')} overdue.")


def test_customer_matches_hide_limits_a_rep_may_not_see(tally, actors):
    matches = tally.read(actors["U0SALES1"], "find_customer", {"query": "o"})
    lines = code_lines(check_limits(blocks_for(matches)))
    acme = next(ln for ln in lines if ln.startswith("ACME "))
    globex = next(ln for ln in lines if ln.startswith("GLOBEX "))
    assert "60,000.00" in acme and "yours" in acme and "—" in globex
    assert "No customer matches" in all_text(blocks_for(tally.read(actors["U0SALES1"], "find_customer",
                                                                   {"query": "nobody"})))


def test_reminder_shows_local_time_for_each_reader(tally, db, actors):
    sales = actors["U0SALES1"]
    outcome = run(tally, sales, "schedule_reminder", {"invoice_number": invoice_of(db, "ACME").number,
                                                      "remind_at": "tomorrow 9am"})
    text = all_text(check_limits(blocks_for(outcome.result)))
    stamp = int(outcome.result.remind_at.timestamp())
    assert f"<!date^{stamp}^" in text and "|Wed 25 Nov 2026 09:00 America/New_York>" in text
    assert "<@U0SALES1>" in text


def test_error_and_refusal_cards():
    text = all_text(check_limits(error_card("No customer matches 'A & B'.", "Did you mean ACME-01 Acme Corp?")))
    assert "Sorry: No customer matches 'A &amp; B'." in text and "Did you mean ACME-01" in text
    assert len(error_card("Nope.", None)) == 1
    assert "ask a Tally admin to add you" in all_text(refusal_card())


def test_outcome_and_proposal_types_dispatch(tally, actors):
    sales = actors["U0SALES1"]
    p = tally.propose(sales, "create_order", {"customer": "ACME", "lines": [{"sku": "WIDGET-1", "quantity": 1}]})
    assert isinstance(p, Proposal) and buttons(blocks_for(p))[0]["action_id"] == "tally_confirm"
    outcome = tally.cancel(sales, p.pending_id)
    assert isinstance(outcome, Outcome) and "*Cancelled*" in all_text(blocks_for(outcome))
    assert fallback_text(outcome).startswith("Cancelled: Create an order")


def test_escaping_is_idempotent_and_keeps_mentions_only_of_the_people_named():
    once = escape("A & B <!here> &amp; <https://evil.example|x>")
    assert once == "A &amp; B &lt;!here&gt; &amp; &lt;https://evil.example|x&gt;" and escape(once) == once
    summary = "Remind <@U0COLL1> about INV-1 (<@U0MGR1> & Co)"
    assert escape_keeping(summary, {"U0COLL1"}) == "Remind <@U0COLL1> about INV-1 (&lt;@U0MGR1&gt; &amp; Co)"
    assert escape_keeping(summary, ()) == escape(summary)
    assert mention("U0SALES1") == "<@U0SALES1>" and mention("U1|x> <!here") == "U1|x&gt; &lt;!here"
