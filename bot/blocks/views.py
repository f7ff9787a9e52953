"""Which view renders which tool result, and the one-line text that goes with it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from bot.blocks import collections, credit, customers, invoices, orders, reports
from bot.blocks.elements import MAX_SECTION_TEXT, escape, escape_keeping, people_in, section
from tools.collections import InvoiceUpdate, ReminderResult, Worklist
from tools.credit import CreditDecisionView, CreditReport
from tools.customers import CustomerMatches
from tools.invoices import InvoiceDetail, InvoiceList, InvoiceStatusResult
from tools.orders import OrderList, OrderResult, OrderView
from tools.payments import PaymentResult
from tools.reports import AgeingReport, CollectionsSummary, SalesSummary


@dataclass(frozen=True)
class View:
    blocks: Callable[[BaseModel, int], list[dict]]  # (result, page)
    text: Callable[[BaseModel], str]


def _done(result: BaseModel) -> str:
    return result.describe(done=True)


VIEWS: dict[type, View] = {
    CreditReport: View(lambda r, p: credit.credit_blocks(r), credit.credit_text),
    CreditDecisionView: View(lambda r, p: credit.decision_blocks(r), credit.decision_text),
    OrderResult: View(lambda r, p: orders.order_result_blocks(r), _done),
    OrderList: View(orders.order_list_blocks, orders.order_list_text),
    OrderView: View(lambda r, p: orders.order_blocks(r), orders.order_text),
    InvoiceStatusResult: View(invoices.invoice_status_blocks, invoices.invoice_status_text),
    InvoiceDetail: View(lambda r, p: invoices.invoice_blocks(r), invoices.invoice_text),
    InvoiceList: View(invoices.invoice_list_blocks, invoices.invoice_list_text),
    PaymentResult: View(lambda r, p: invoices.payment_blocks(r), _done),
    InvoiceUpdate: View(lambda r, p: invoices.invoice_update_blocks(r), _done),
    ReminderResult: View(lambda r, p: collections.reminder_blocks(r), _done),
    Worklist: View(collections.worklist_blocks, collections.worklist_text),
    AgeingReport: View(reports.ageing_blocks, reports.ageing_text),
    CollectionsSummary: View(lambda r, p: reports.collections_blocks(r), reports.collections_text),
    SalesSummary: View(reports.sales_blocks, reports.sales_text),
    CustomerMatches: View(customers.customers_blocks, customers.customers_text),
}


def result_blocks(result: BaseModel, page: int = 0) -> list[dict]:
    view = VIEWS.get(type(result))
    if view is not None:
        return view.blocks(result, page)
    # A result without a view of its own (a tool added later): its own words, or its data.
    if hasattr(result, "describe"):
        return [section(escape_keeping(result.describe(done=True), people_in(result)))]
    data = escape(result.model_dump_json(indent=1))
    return [section(f"```\n{data[:MAX_SECTION_TEXT - 20]}\n```")]


def result_text(result: BaseModel) -> str:
    view = VIEWS.get(type(result))
    if view is not None:
        return view.text(result)
    if hasattr(result, "describe"):
        return result.describe(done=True)
    return type(result).__name__
