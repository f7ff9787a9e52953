"""What a command is and how each one is written: the usage lines that help and errors quote."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.errors import InvalidInput
from tools.context import Rules

USAGE = {
    "help": "help",
    "order": "order CUSTOMER QTY SKU [@PRICE] ...    e.g. order ACME 10 WIDGET-1 5 GADGET-2 @45.00\n"
             + " " * 39 + "(@PRICE: a quoted unit price for the line before it; default the list price)",
    "credit": "credit CUSTOMER [AMOUNT]               e.g. credit ACME 5000",
    "invoice": "invoice NUMBER [pdf]                   e.g. invoice INV-2026-00042 pdf",
    "invoices": "invoices [CUSTOMER] [overdue|paid|all] [rep @REP] [product SKU] [in PERIOD] [over AMOUNT]\n"
                + " " * 39 + "e.g. invoices ACME overdue, invoices ACME in March over 1000",
    "orders": "orders [CUSTOMER | ORDER]              e.g. orders ACME",
    "fulfil": "fulfil ORDER [TRACKING]                e.g. fulfil SO-2026-00012",
    "ship": "ship ORDER [QTY SKU ...] [tracking TEXT] [carrier TEXT]\n" + " " * 39
            + "e.g. ship SO-2026-00012 1 WIDGET-1 tracking 1Z999 carrier UPS (no lines: all that is left)",
    "delivered": "delivered DN [signed-by NAME] [on DATE]  e.g. delivered DN-2026-00003 signed-by Ann Lee",
    "delivery": "delivery DN | ORDER                    e.g. delivery DN-2026-00003",
    "pay": "pay INVOICE AMOUNT [DATE] [REFERENCE]  e.g. pay INV-2026-00042 1,250.00 2026-11-20 WIRE-889",
    "remind": "remind INVOICE WHEN [@USER]            e.g. remind INV-2026-00042 tomorrow 9am @U0COLL1",
    "promise": "promise INVOICE DATE [AMOUNT]          e.g. promise INV-2026-00042 2026-12-05 500",
    "apply": "apply CREDIT INVOICE [AMOUNT]          e.g. apply CR-12 INV-2026-00042",
    "line": "line ID apply INVOICE | unapplied | not-customer | undo   (a bank statement line)\n" + " " * 39
            + "line ID split [INVOICE AMOUNT ...]  e.g. line 12 split INV-2026-00042 500 INV-2026-00043 700",
    "dispute": "dispute INVOICE REASON                 e.g. dispute INV-2026-00042 wrong quantity",
    "credit-note": "credit-note INVOICE AMOUNT REASON      e.g. credit-note INV-2026-00042 50 price correction",
    "return": "return INVOICE QTY SKU [REASON]        e.g. return INV-2026-00042 2 WIDGET-1 damaged",
    "void": "void INVOICE REASON                    e.g. void INV-2026-00042 issued twice",
    "resolve": "resolve INVOICE [credit AMOUNT] NOTE   e.g. resolve INV-2026-00042 credit 50 agreed discount",
    "approve": "approve ORDER [REASON]                 e.g. approve SO-2026-00077",
    "reject": "reject ORDER REASON                    e.g. reject SO-2026-00077 too much overdue",
    "cancel": "cancel ORDER REASON | cancel reminder ID",
    "ageing": "ageing [by customer|rep] [as of DATE]",
    "dso": "dso [PERIOD]                           e.g. dso last-month",
    "sales": "sales PERIOD [by rep|customer|product|month|order] [margin]   e.g. sales 2026-Q3 by rep",
    "worklist": "worklist [@COLLECTOR | all]",
    "forecast": "forecast [WEEKS]                       e.g. forecast 13",
    "find": "find TEXT                              e.g. find umbrella",
    "customer": "customer new CODE NAME [FIELD VALUE ...] | customer CUSTOMER FIELD VALUE ...\n" + " " * 39
                + "fields: limit, terms, owner, collector, hold on|off, email, tax-id, address, name\n" + " " * 39
                + "e.g. customer ACME limit 80000 terms 45",
    "statement": "statement CUSTOMER [as of DATE]        e.g. statement ACME (a PDF)",
}


@dataclass(frozen=True)
class Command:
    tool: str
    args: dict[str, Any] = field(default_factory=dict)
    verb: str = field(default="", compare=False)  # what was typed, for its usage when the tool refuses


@dataclass(frozen=True)
class Typed:
    """What a parser knows besides the words: the user's today and the books' currency."""

    today: date
    currency: str = Rules.currency


@dataclass(frozen=True)
class Help:
    topic: str | None = None


def help_text(topic: str | None = None) -> str:
    if topic in USAGE:
        return "Usage: " + USAGE[topic]
    return "Commands:\n" + "\n".join("  " + line.replace("\n", "\n  ") for line in USAGE.values())


def usage_error(verb: str, problem: str) -> InvalidInput:
    return InvalidInput(problem, hint="Usage: " + USAGE[verb])
