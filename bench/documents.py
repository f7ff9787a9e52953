"""Rendering documents: `python bench/documents.py [--invoices 1000] [--lines 200]`.

Times and memory (tracemalloc peak) of the renderer alone, on documents built in memory: the font cut for a
new set of characters (once per process and set), a statement of 200 open items, and 1,000 invoices of
three lines each, with English and Chinese customer names."""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.money import fmt  # noqa: E402
from tools.documents.model import DocumentData, Line, Party, Seller, Table, Total  # noqa: E402
from tools.documents.pdf import render  # noqa: E402

SELLER = Seller("Tally Trading Ltd", "1 Quay Street, Dublin", "IE1234567T", "IBAN IE29 AIBK 9311 5212 3456 78")
CUSTOMERS = [Party("Acme Corp", "ACME"), Party("上海华为贸易有限公司", "HUAWEI-SH"), Party("Globex", "GLOBEX")]
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def statement(lines: int) -> DocumentData:
    rows = [Line((f"INV-2026-{i:05d}", "2026-09-01", "2026-10-01", str(i % 90), fmt(Decimal("1250.00")),
                  fmt(Decimal("250.00")), fmt(Decimal("1000.00")))) for i in range(lines)]
    return DocumentData(
        kind="statement", title="Statement of account / 对账单", number="ST-ACME-20261202", date=NOW.date(),
        generated_at=NOW, currency="USD", seller=SELLER, customer=CUSTOMERS[0],
        tables=[Table("Open items", ("Invoice", "Issued", "Due", "Days late", "Total", "Paid", "Balance"), rows,
                      numeric=frozenset({3, 4, 5, 6}))],
        totals=[Total("Total outstanding", Decimal("1000.00") * lines, True)])


def invoice(n: int) -> DocumentData:
    lines = [Line((f"SKU-{k}", f"Widget model {k}", "4", fmt(Decimal("12.50")), "8%", fmt(Decimal("50.00"))))
             for k in range(3)]
    return DocumentData(
        kind="invoice", title="Invoice / 发票", number=f"INV-2026-{n:05d}", date=date(2026, 12, 1),
        generated_at=NOW, currency="USD", seller=SELLER, customer=CUSTOMERS[n % len(CUSTOMERS)],
        facts=[("Payment terms", "30 days net"), ("Due date", (date(2026, 12, 1) + timedelta(30)).isoformat())],
        tables=[Table("Lines", ("SKU", "Description", "Qty", "Unit price", "Tax", "Amount (net)"), lines,
                      numeric=frozenset({2, 3, 4, 5}))],
        totals=[Total("Net", Decimal("150.00")), Total("Tax 8%", Decimal("12.00")), Total("Total", Decimal("162.00"))])


def timed(label: str, work) -> None:
    started = time.perf_counter()
    size = work()
    print(f"{label:<44} {time.perf_counter() - started:8.2f} s   {size / 1024:9.0f} KB of PDF")


def peak(label: str, work) -> None:
    """Measured apart: tracemalloc slows allocation-heavy code (fontTools) several times over."""
    tracemalloc.start()
    work()
    print(f"{label:<44} peak {tracemalloc.get_traced_memory()[1] / 2**20:7.1f} MiB (tracemalloc)")
    tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=200)
    args = parser.parse_args()
    timed("font cuts, 3 invoices (cold)", lambda: sum(len(render(invoice(n))) for n in range(3)))
    timed("font cut, statement (cold)", lambda: len(render(statement(1))))
    timed(f"statement of {args.lines} lines", lambda: len(render(statement(args.lines))))
    timed(f"{args.invoices:,} invoices", lambda: sum(len(render(invoice(n))) for n in range(args.invoices)))
    peak(f"statement of {args.lines} lines", lambda: render(statement(args.lines)))
    peak("20 invoices, one after another", lambda: [render(invoice(n)) for n in range(20)])


if __name__ == "__main__":
    main()
