"""Cash application against known truth: a camt.053 statement of 1,000 lines over 200 customers, imported
into a fresh SQLite database, every applied line checked against what it really paid.

    .venv/bin/python bench/cash.py [--lines 1000] [--customers 200] [--seed 7]

Lines: exact references, mangled references, combined payments, partials, overpayments, payers known only
by name (oldest balances), fees (debits) and receipts from non-customers. Prints the share of customer
payments applied automatically and correctly, wrong applications (money on an invoice or customer it was
not for), the review queue and the time to import. Targets: >= 90% automatic, 0 wrong, < 2 s per 1,000."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from core.roles import Role  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import Customer, CustomerCredit, Invoice, Payment, StatementLine  # noqa: E402
from db.session import Database  # noqa: E402
from tools import Actor, FixedClock, Tally  # noqa: E402
from tools.cash_application import import_statement  # noqa: E402

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
BOOKED = NOW.date() - timedelta(days=1)
ACTOR = Actor("U0COLL1", Role.COLLECTOR, "Bench", "UTC")
CENT = Decimal("0.01")
FIRST = ["Acme", "Blue", "Northern", "Silver", "Granite", "Harbor", "Summit", "Pioneer", "Cedar", "Atlas", "Orion",
         "Falcon", "Maple", "Beacon", "Crescent", "Evergreen", "Iron", "Lakeside", "Redwood", "Sterling"]
SECOND = ["Logistics", "Foods", "Systems", "Textiles", "Analytics", "Motors", "Pharma", "Retail", "Energy",
          "Media", "Robotics", "Outfitters", "Trading", "Labs", "Builders"]
SUFFIX = ["Ltd", "GmbH", "Inc", "Corp", "LLC", "", "S.A.", "plc"]
KINDS = [("exact", 300), ("mangled", 200), ("combined", 100), ("partial", 80), ("over", 50), ("by_name", 120),
         ("fee", 50), ("unrelated", 100)]


@dataclass
class Truth:
    kind: str
    allocations: dict[str, Decimal] = field(default_factory=dict)  # empty: not a customer payment
    credit: Decimal = Decimal("0")


def seed(db: Database, customers: int, rng: random.Random) -> dict[int, list[tuple[str, Decimal, date]]]:
    names = [f"{a} {b}" for a in FIRST for b in SECOND]
    rng.shuffle(names)
    book: dict[int, list[tuple[str, Decimal, date]]] = {}
    with db.session(write=True) as session:
        seq = 0
        for n in range(customers):
            suffix = rng.choice(SUFFIX)
            customer = Customer(code=f"C{n:04d}", name=f"{names[n]} {suffix}".strip(), credit_limit=Decimal("50000"),
                                created_at=NOW)
            session.add(customer)
            session.flush()
            for k in range(8):
                seq += 1
                issued = NOW.date() - timedelta(days=200 - k * 20 - rng.randrange(10))
                total = Decimal(rng.randrange(5000, 900000)) / 100
                number = f"INV-{issued.year}-{seq:05d}"
                session.add(Invoice(number=number, customer_id=customer.id, issue_date=issued,
                                    due_date=issued + timedelta(days=30), amount=total, tax=Decimal("0"),
                                    total=total, cost=Decimal("0"), paid_amount=Decimal("0"), status="open",
                                    created_at=NOW))
                book.setdefault(customer.id, []).append((number, total, issued))
        session.commit()
    return book


def mangle(number: str, rng: random.Random) -> str:
    _, year, seq = number.split("-")
    return rng.choice([f"inv{year} {seq}", f"INV{seq}", f"{year}-{seq}", f"inv{year}{seq}", f"Invoice {year}/{seq}",
                       f"INV {year} {seq}"])


def payer_variant(name: str, rng: random.Random) -> str:
    return rng.choice([name, name.upper(), name.replace(" Ltd", " Limited").replace(" Inc", ""),
                       name.split(" ")[0] + " " + name.split(" ")[1]])


def tx(amount: Decimal, name: str, text: str, ref: str, credit: bool = True) -> str:
    party = (f"<RltdPties><Dbtr><Pty><Nm>{escape(name)}</Nm></Pty></Dbtr></RltdPties>" if name else "")
    return (f'<Ntry><Amt Ccy="USD">{amount}</Amt><CdtDbtInd>{"CRDT" if credit else "DBIT"}</CdtDbtInd>'
            f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{BOOKED}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
            f"<NtryDtls><TxDtls>{party}<RmtInf><Ustrd>{escape(text)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>")


def statement(book: dict, customers: dict[int, str], lines: int, rng: random.Random) -> tuple[str, dict[str, Truth]]:
    free = {cid: list(items) for cid, items in book.items()}  # invoices no line has taken yet, oldest first
    name_only = set(rng.sample(sorted(free), 60))  # these pay by name alone, so their oldest is well defined
    others = [c for c in free if c not in name_only]
    plan = [kind for kind, n in KINDS for _ in range(n * lines // 1000)]
    rng.shuffle(plan)
    entries, truth = [], {}
    for i, kind in enumerate(plan):
        ref = f"B{i:05d}"
        if kind in ("fee", "unrelated"):
            if kind == "fee":
                entries.append(tx(Decimal(rng.randrange(100, 5000)) / 100, "", "ACCOUNT FEE", ref, credit=False))
            else:
                entries.append(tx(Decimal(rng.randrange(1000, 90000)) / 100, rng.choice(
                    ["HM Revenue", "Interest", "Stripe Payouts", "Landlord Deposit Return", "Insurance Claim"]),
                    rng.choice(["VAT refund Q3", "interest", "payout 7781", "deposit return", "claim 55-1"]), ref))
            truth[ref] = Truth(kind)
            continue
        pool = [c for c in (sorted(name_only) if kind == "by_name" else others) if free[c]]
        cid = rng.choice(pool)
        name = payer_variant(customers[cid], rng)
        if kind == "by_name":
            take = free[cid][:rng.choice([1, 1, 2])]
            del free[cid][:len(take)]
            amount = sum((t[1] for t in take), Decimal("0"))
            entries.append(tx(amount, name, rng.choice(["payment", "thank you", "remittance", ""]), ref))
            truth[ref] = Truth(kind, {t[0]: t[1] for t in take})
            continue
        count = rng.choice([2, 3]) if kind == "combined" else 1
        take = [free[cid].pop(rng.randrange(len(free[cid]))) for _ in range(min(count, len(free[cid])))]
        numbers = [t[0] if kind != "mangled" else mangle(t[0], rng) for t in take]
        due = sum((t[1] for t in take), Decimal("0"))
        if kind == "partial":
            amount = (due * Decimal(rng.randrange(20, 90)) / 100).quantize(CENT)
            allocations = {take[0][0]: amount}
        else:
            extra = Decimal(rng.randrange(100, 20000)) / 100 if kind == "over" else Decimal("0")
            amount, allocations = due + extra, {t[0]: t[1] for t in take}
        entries.append(tx(amount, name, " ".join(numbers), ref))
        truth[ref] = Truth(kind, allocations, amount - sum(allocations.values(), Decimal("0")))
    xml = ('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
           "<Stmt><Id>BENCH</Id><Acct><Id><IBAN>GB00BENCH</IBAN></Id></Acct>" + "".join(entries)
           + "</Stmt></BkToCstmrStmt></Document>")
    return xml, truth


def check(db: Database, truth: dict[str, Truth]) -> dict[str, int]:
    with db.session() as session:
        lines = {line.bank_reference: line for line in session.scalars(select(StatementLine))}
        paid: dict[int, dict[str, Decimal]] = {}
        for payment, number in session.execute(select(Payment, Invoice.number).join(Invoice)
                                               .where(Payment.source_line_id.is_not(None))):
            paid.setdefault(payment.source_line_id, {})[number] = payment.amount
        credits = {c.statement_line_id: c.amount for c in session.scalars(select(CustomerCredit))}
    result = {"customer_lines": 0, "auto": 0, "wrong": 0, "review": 0, "unmatched_customer": 0}
    for ref, expected in truth.items():
        line = lines[ref]
        result["review"] += line.status == "review"
        if not expected.allocations:
            result["wrong"] += line.status == "applied"
            continue
        result["customer_lines"] += 1
        if line.status == "applied":
            right = paid.get(line.id, {}) == expected.allocations and credits.get(line.id, Decimal("0")) == \
                expected.credit
            result["auto" if right else "wrong"] += 1
        result["unmatched_customer"] += line.status == "unmatched"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    opts = parser.parse_args()
    rng = random.Random(opts.seed)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'cash.db'}")
        upgrade(db.engine)
        book = seed(db, opts.customers, rng)
        with db.session() as session:
            customers = dict(session.execute(select(Customer.id, Customer.name)).all())
        xml, truth = statement(book, customers, opts.lines, rng)
        tally = Tally(db, clock=FixedClock(NOW))
        started = time.perf_counter()
        report = import_statement(tally, ACTOR, xml.encode(), "bench.xml")
        elapsed = time.perf_counter() - started
        result = check(db, truth)
        db.dispose()
    share = result["auto"] / result["customer_lines"] if result["customer_lines"] else 0
    print(report.summary())
    print(f"lines {len(truth)}, customer payments {result['customer_lines']}: applied automatically and right "
          f"{result['auto']} ({share:.1%}), wrong {result['wrong']}, review queue {result['review']}, "
          f"customer payments left unmatched {result['unmatched_customer']}")
    print(f"time {elapsed:.2f} s for {len(truth)} lines ({elapsed * 1000 / len(truth):.2f} s per 1,000) on SQLite")


if __name__ == "__main__":
    main()
