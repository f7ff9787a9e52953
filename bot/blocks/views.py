"""One presenter per tool result, found by the result's type: its Block Kit blocks, the one-line text that
goes with them, and the console's text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from bot.blocks import collections, credit, credit_notes, customers, forecast, invoices, orders, reports, shipments
from bot.blocks import console_text as console
from bot.blocks.elements import MAX_SECTION_TEXT, escape, escape_keeping, people_in, section
from bot.blocks.tables import MONOSPACE, Layout, table_last
from tools.collections import InvoiceUpdate, ReminderResult, Worklist
from tools.corrections import InvoiceCorrection
from tools.credit import CreditDecisionView, CreditReport
from tools.credit_notes import CreditNoteResult
from tools.customer_records import CustomerRecord
from tools.customers import CustomerMatches
from tools.documents.files import DocumentFile
from tools.forecast import CashForecast
from tools.invoices import CreditNoteView, InvoiceDetail, InvoiceList, InvoiceStatusResult
from tools.orders import OrderList, OrderResult, OrderView
from tools.payments import PaymentResult
from tools.reports import AgeingReport, CollectionsSummary, SalesSummary
from tools.shipment_views import DeliveryNotes, ShipmentResult


@dataclass(frozen=True)
class Presenter:
    blocks: Callable[[BaseModel, int, Layout], list[dict]]  # (result, page, how tables are drawn), for Slack
    text: Callable[[BaseModel], str]  # one line: Slack's notification and screen-reader text
    console: Callable[[BaseModel], str]  # the whole result as terminal text


def _done(result: BaseModel) -> str:
    return result.describe(done=True)


def _paged(blocks: Callable[[BaseModel, int], list[dict]]) -> Callable[[BaseModel, int, Layout], list[dict]]:
    """A paged view whose table stays monospace in every layout (not one of the lists Slack's table fits)."""
    return lambda result, page, layout: blocks(result, page)


PRESENTERS: dict[type, Presenter] = {
    CreditReport: Presenter(lambda r, p, t: credit.credit_blocks(r), credit.credit_text, console.credit),
    CreditDecisionView: Presenter(lambda r, p, t: credit.decision_blocks(r), credit.decision_text,
                                  credit.decision_text),
    OrderResult: Presenter(lambda r, p, t: orders.order_result_blocks(r), _done,
                           lambda r: r.describe(done=True) + "\n" + console.order(r.order)),
    OrderList: Presenter(orders.order_list_blocks, orders.order_list_text, console.orders),
    OrderView: Presenter(lambda r, p, t: orders.order_blocks(r), orders.order_text, console.order),
    InvoiceStatusResult: Presenter(invoices.invoice_status_blocks, invoices.invoice_status_text,
                                   console.invoice_status),
    InvoiceDetail: Presenter(lambda r, p, t: invoices.invoice_blocks(r), invoices.invoice_text,
                             console.invoice_detail),
    InvoiceList: Presenter(invoices.invoice_list_blocks, invoices.invoice_list_text, console.invoice_list),
    PaymentResult: Presenter(lambda r, p, t: invoices.payment_blocks(r), _done, _done),
    InvoiceUpdate: Presenter(lambda r, p, t: invoices.invoice_update_blocks(r), _done, _done),
    CreditNoteResult: Presenter(lambda r, p, t: credit_notes.result_blocks(r), _done, credit_notes.result_console),
    InvoiceCorrection: Presenter(lambda r, p, t: credit_notes.result_blocks(r), _done, credit_notes.result_console),
    CreditNoteView: Presenter(lambda r, p, t: credit_notes.credit_note_blocks(r), credit_notes.credit_note_text,
                              credit_notes.credit_note_console),
    ReminderResult: Presenter(lambda r, p, t: collections.reminder_blocks(r), _done, _done),
    Worklist: Presenter(collections.worklist_blocks, collections.worklist_text, console.worklist),
    AgeingReport: Presenter(reports.ageing_blocks, reports.ageing_text, console.ageing),
    CollectionsSummary: Presenter(lambda r, p, t: reports.collections_blocks(r), reports.collections_text,
                                  console.collections),
    SalesSummary: Presenter(reports.sales_blocks, reports.sales_text, console.sales),
    CustomerMatches: Presenter(customers.customers_blocks, customers.customers_text, console.customers),
    CustomerRecord: Presenter(lambda r, p, t: [section(escape(r.describe(done=True)))], _done, _done),
    CashForecast: Presenter(_paged(forecast.forecast_blocks), forecast.forecast_text, forecast.forecast_console),
    DocumentFile: Presenter(lambda r, p, t: [section(escape(r.describe(done=True)
                                                             + " The PDF follows in this thread."))], _done, _done),
    ShipmentResult: Presenter(lambda r, p, t: shipments.shipment_result_blocks(r), _done,
                              shipments.result_console),
    DeliveryNotes: Presenter(_paged(shipments.notes_blocks), shipments.notes_text, shipments.notes_console),
}


def render(result: BaseModel) -> str:
    """The console's text of a result; one without a view of its own says it in its own words, as on Slack."""
    presenter = PRESENTERS.get(type(result))
    if presenter is not None:
        return presenter.console(result)
    return result.describe(done=True) if hasattr(result, "describe") else result.model_dump_json(indent=2)


def result_blocks(result: BaseModel, page: int = 0, layout: Layout = MONOSPACE) -> list[dict]:
    """The blocks of a result; with `layout.tables`, a list's table is Slack's table block, last."""
    view = PRESENTERS.get(type(result))
    if view is not None:
        return table_last(view.blocks(result, page, layout))
    # A result without a view of its own (a tool added later): its own words, or its data.
    if hasattr(result, "describe"):
        return [section(escape_keeping(result.describe(done=True), people_in(result)))]
    data = escape(result.model_dump_json(indent=1))
    return [section(f"```\n{data[:MAX_SECTION_TEXT - 20]}\n```")]


def result_text(result: BaseModel) -> str:
    view = PRESENTERS.get(type(result))
    if view is not None:
        return view.text(result)
    if hasattr(result, "describe"):
        return result.describe(done=True)
    return type(result).__name__
