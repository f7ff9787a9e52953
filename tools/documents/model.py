"""What every document a customer receives is made of: one model, whatever its kind, so that one renderer
draws them all. A new kind (delivery note, credit note) is an adapter from its rows to `DocumentData`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Seller:
    """Who issues the documents, as printed on them (from settings; empty prints nothing)."""

    name: str = ""
    address: str = ""
    tax_id: str = ""
    bank_details: str = ""
    country: str = ""  # ISO 3166 alpha-2: an e-invoice names the seller's country


@dataclass(frozen=True)
class Party:
    name: str
    code: str = ""
    address: str = ""
    tax_id: str = ""
    email: str = ""


@dataclass(frozen=True)
class Line:
    """One row of a document's table: an item sold, an open invoice, a payment, a credit."""

    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    lines: list[Line]
    numeric: frozenset[int] = frozenset()  # columns set right-aligned
    widths: tuple[float, ...] = ()  # shares of the page width; empty: equal
    empty: str = "None."


@dataclass(frozen=True)
class Total:
    label: str
    amount: Decimal
    strong: bool = False


@dataclass(frozen=True)
class DocumentData:
    kind: str  # invoice, receipt, statement (delivery, credit-note when they come)
    title: str  # as printed, e.g. "Invoice / 发票"
    number: str
    date: date
    generated_at: datetime
    currency: str
    seller: Seller
    customer: Party
    tables: list[Table]
    totals: list[Total]
    facts: list[tuple[str, str]] = field(default_factory=list)  # label, value: terms, due date, references
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        """Every character the document prints: the font is cut to these."""
        parts = [self.title, self.number, self.currency, *vars(self.seller).values(), *vars(self.customer).values(),
                 *(f"{k} {v}" for k, v in self.facts), *self.notes]
        for table in self.tables:
            parts += [table.title, *table.headers, table.empty, *(c for line in table.lines for c in line.cells)]
        parts += [t.label for t in self.totals]
        return "".join(parts)
