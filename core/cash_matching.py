"""Which invoices a bank credit pays. Pure rules over a snapshot of open invoices and known payers.

A line is applied only when the rules are certain: the invoices it names (also mangled: no dashes,
lower case, without the year) belong to the payer when the payer is known, and the amount fits them
(in full, in part, or with the rest left as the customer's credit); or, naming none, a known payer pays
exactly one open balance or the sum of its oldest ones. Everything else with a lead goes to review;
money is never put on an invoice the rules are unsure of."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.bank_statements import StatementLine

ZERO = Decimal("0")
NUMBER = re.compile(r"^([A-Z]+)-(\d{4})-(\d+)$")
SEP = r"[\s\-_/.#:]*"
WITH_PREFIX = re.compile(rf"(INV(?:OICE)?(?:{SEP}NO)?){SEP}((?:\d[\s\-_/.]?){{3,12}})(?!\d)")
YEAR_SEQ = re.compile(r"(?<![\d.,])(20\d{2})[\s\-_/]+(\d{3,6})(?![\d.,])")
BARE_SEQ = re.compile(r"(?<![\d.,\-/])(0\d{4})(?![\d.,\-/])")  # a zero-padded sequence alone: 00042
LEGAL = {"LTD", "LIMITED", "GMBH", "INC", "INCORPORATED", "CORP", "CORPORATION", "CO", "COMPANY", "LLC", "PLC",
         "SA", "SAS", "SARL", "AG", "BV", "NV", "KG", "SRL", "SPA", "AB", "AS", "OY", "PTY", "LLP", "LP", "THE"}


@dataclass
class OpenItem:
    invoice_id: int
    number: str
    customer_id: int
    balance: Decimal
    issue_date: date


@dataclass(frozen=True)
class Payer:
    customer_id: int
    name: str


@dataclass
class Match:
    outcome: str  # applied, review, unmatched, ignored
    reason: str
    customer_id: int | None = None
    allocations: list[tuple[OpenItem, Decimal]] = field(default_factory=list)
    unapplied: Decimal = ZERO  # the rest of an applied line, kept as the customer's credit
    suggestions: list[str] = field(default_factory=list)  # invoice numbers a reviewer is offered
    # a part payment of the invoices named: what each still owes after it, and what they owed before
    rests: list[tuple[str, Decimal]] = field(default_factory=list)
    due: Decimal = ZERO


def normalise_name(name: str) -> str:
    words = re.sub(r"[^A-Z0-9 ]+", " ", name.upper().replace("&", " AND ")).split()
    kept = [w for w in words if w not in LEGAL]
    return " ".join(kept or words)


class Book:
    """Open invoices and known payers, kept up to date as lines are applied."""

    def __init__(self, items: list[OpenItem], payers: list[Payer], ibans: dict[str, int],
                 closed_numbers: set[str] | None = None):
        self.items = {i.number: i for i in items}
        self.closed = {n.upper() for n in closed_numbers or ()}
        self.ibans = {k.replace(" ", "").upper(): v for k, v in ibans.items()}
        self.by_customer: dict[int, list[OpenItem]] = {}
        self.full: dict[tuple[str, int], str] = {}
        self.seq: dict[int, list[str]] = {}
        for item in sorted(items, key=lambda i: (i.issue_date, i.number)):
            self.by_customer.setdefault(item.customer_id, []).append(item)
            if parts := NUMBER.match(item.number.upper()):
                self.full[(parts[2], int(parts[3]))] = item.number
                self.seq.setdefault(int(parts[3]), []).append(item.number)
        self.names: dict[str, list[int]] = {}
        for payer in payers:
            self.names.setdefault(normalise_name(payer.name), []).append(payer.customer_id)

    def open_for(self, customer_id: int) -> list[OpenItem]:
        return [i for i in self.by_customer.get(customer_id, []) if i.balance > ZERO]

    def payer(self, line: StatementLine) -> tuple[int | None, bool]:
        """The customer paying and whether that is certain (a known IBAN or an exact normalised name)."""
        if line.payer_iban and (known := self.ibans.get(line.payer_iban.upper())) is not None:
            return known, True
        name = normalise_name(line.payer_name) if line.payer_name.strip() else ""
        if not name:
            return None, False
        exact = self.names.get(name, [])
        if len(exact) == 1:
            return exact[0], True
        if exact:
            return None, False
        loose = {c for key, ids in self.names.items() if _loosely(name, key) for c in ids}
        return (loose.pop(), False) if len(loose) == 1 else (None, False)

    def references(self, text: str) -> tuple[list[str], list[str], bool]:
        """Open invoice numbers the text names, in its order; numbers of closed invoices; and whether any
        open one was found only by a bare sequence (weaker evidence)."""
        upper, found, closed, weak = text.upper(), [], [], False
        for year, seq, strong in _candidates(upper):
            number = self.full.get((year, seq)) if year else None
            if number is None and not year:
                numbers = self.seq.get(seq, [])
                number = numbers[0] if len(numbers) == 1 else None
                weak = weak or (number is not None and not strong)
            if number and number not in found:
                found.append(number)
            elif number is None and year and f"INV-{year}-{seq:05d}" in self.closed:
                closed.append(f"INV-{year}-{seq:05d}")
        return found, closed, weak


def _loosely(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and (long_.startswith(short + " ") or long_.replace(" ", "") == short.replace(" ", ""))


def _candidates(upper: str) -> list[tuple[str | None, int, bool]]:
    """(year or None, sequence, came with a prefix) for every invoice-looking token, in text order."""
    found: list[tuple[int, str | None, int, bool]] = []
    taken: list[range] = []
    for m in WITH_PREFIX.finditer(upper):
        digits = re.sub(r"\D", "", m[2])
        if len(digits) >= 8 and digits.startswith("20"):
            found.append((m.start(), digits[:4], int(digits[4:]), True))
        else:
            found.append((m.start(), None, int(digits), True))
        taken.append(range(m.start(), m.end()))
    for pattern in (YEAR_SEQ, BARE_SEQ):
        for m in pattern.finditer(upper):
            if any(m.start() in r for r in taken):
                continue
            year = m[1] if pattern is YEAR_SEQ else None
            found.append((m.start(), year, int(m[2] if year else m[1]), bool(year)))
            taken.append(range(m.start(), m.end()))
    return [(y, s, strong) for _, y, s, strong in sorted(found)]


def _fill(items: list[OpenItem], amount: Decimal) -> tuple[list[tuple[OpenItem, Decimal]], Decimal]:
    allocations, left = [], amount
    for item in items:
        if left <= ZERO:
            break
        part = min(item.balance, left)
        allocations.append((item, part))
        left -= part
    return allocations, left


def _oldest_prefix(items: list[OpenItem], amount: Decimal) -> list[OpenItem] | None:
    total = ZERO
    for n, item in enumerate(items, start=1):
        total += item.balance
        if total == amount:
            return items[:n]
        if total > amount:
            return None
    return None


def match_line(line: StatementLine, book: Book) -> Match:
    if not line.credit:
        return Match("ignored", "a debit: not a customer payment")
    if line.amount <= ZERO:
        return Match("ignored", "no amount")
    payer, payer_certain = book.payer(line)
    numbers, closed, weak = book.references(line.remittance)
    if numbers:
        return _by_reference(line, book, [book.items[n] for n in numbers], payer, payer_certain, weak)
    if closed:
        return Match("review", f"names {', '.join(closed)}, already paid: a duplicate payment?", payer)
    if payer is None:
        return Match("unmatched", "no invoice named and the payer is not a known customer")
    open_items = book.open_for(payer)
    if not payer_certain:
        return Match("review", "payer recognised only loosely", payer,
                     suggestions=[i.number for i in open_items[:3]])
    exact = [i for i in open_items if i.balance == line.amount]
    if len(exact) == 1:
        return Match("applied", "the payer's only open balance of this amount", payer, [(exact[0], line.amount)])
    prefix = _oldest_prefix(open_items, line.amount)
    if prefix is not None and not exact:
        return Match("applied", "the payer's oldest open balances, exactly", payer,
                     [(i, i.balance) for i in prefix])
    total = sum((i.balance for i in open_items), ZERO)
    if open_items and line.amount > total:
        return Match("applied", "more than the payer owes: all open invoices paid, the rest kept as credit", payer,
                     [(i, i.balance) for i in open_items], line.amount - total)
    return Match("review", "no invoice named and the amount fits no open balance", payer,
                 suggestions=[i.number for i in (exact or open_items)[:3]])


def _by_reference(line: StatementLine, book: Book, items: list[OpenItem], payer: int | None, payer_certain: bool,
                  weak: bool) -> Match:
    owners = {i.customer_id for i in items}
    numbers = [i.number for i in items]
    if len(owners) > 1:
        return Match("review", "names invoices of different customers", payer, suggestions=numbers)
    owner = owners.pop()
    if payer is not None and payer != owner:
        return Match("review", "names an invoice of another customer than the payer", payer, suggestions=numbers)
    if weak and payer is None:
        return Match("review", "an invoice named only by its sequence number, payer unknown", owner,
                     suggestions=numbers)
    open_items = [i for i in items if i.balance > ZERO]
    if not open_items:
        return Match("review", "the invoices named are already paid", owner, suggestions=numbers)
    due = sum((i.balance for i in open_items), ZERO)
    allocations, rest = _fill(open_items, line.amount)
    if rest > ZERO and payer is None and not line.payer_name.strip() and not line.payer_iban:
        return Match("review", "pays more than the invoices named and says nothing of the payer", owner,
                     suggestions=numbers)
    reason = ("pays the invoices named" if line.amount == due else
              "part payment of the invoices named" if line.amount < due else
              "pays the invoices named; the rest is kept as credit")
    paid = {item.number: part for item, part in allocations}
    rests = [(i.number, i.balance - paid.get(i.number, ZERO)) for i in open_items] if line.amount < due else []
    return Match("applied", reason, owner, allocations, rest, rests=rests, due=due)


def apply_to_book(match: Match) -> None:
    """Later lines see the balances this one leaves."""
    for item, part in match.allocations:
        item.balance -= part
