"""E-invoices: `python bench/einvoice.py [--invoices 200]`.

What the e-invoice adds to an invoice PDF, per invoice of three lines, on invoices built in memory: the EN 16931
XML (drafthorse, with its XSD check), and the Factur-X PDF (PDF/A-3B render, factur-x's second XSD check and
the embedding) against the plain PDF render. English and Chinese customer names alternate."""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.models import Customer, Invoice  # noqa: E402
from tools.documents.einvoice import e_invoice, factur_x_pdf  # noqa: E402
from tools.documents.invoice import Billed, BilledLine  # noqa: E402
from tools.documents.model import DocumentData, Line, Party, Seller, Table, Total  # noqa: E402
from tools.documents.pdf import render  # noqa: E402

SELLER = Seller("Tally Trading Ltd", "1 Quay Street\nDublin 2", "IE1234567T", "IBAN IE29 AIBK 9311 5212 3456 78",
                country="IE")
NAMES = [("ACME", "Acme Corp"), ("HUAWEI-SH", "上海华为贸易有限公司")]
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
ISSUED = date(2026, 12, 1)


def bill(n: int) -> Billed:
    code, name = NAMES[n % len(NAMES)]
    customer = Customer(code=code, name=name, payment_terms_days=30, billing_address="1 Main St\nSpringfield")
    invoice = Invoice(number=f"INV-2026-{n:05d}", customer=customer, issue_date=ISSUED,
                      due_date=ISSUED + timedelta(30), amount=Decimal("150.00"), tax=Decimal("12.00"),
                      total=Decimal("162.00"), paid_amount=Decimal("0.00"), credited_amount=Decimal("0.00"))
    lines = [BilledLine(f"SKU-{k}", f"Widget model {k}", 4, Decimal("12.50"), Decimal("50.00")) for k in range(3)]
    return Billed(invoice, lines)


def page(b: Billed) -> DocumentData:
    rows = [Line((ln.sku, ln.name, str(ln.quantity), str(ln.unit_price), "8%", str(ln.net))) for ln in b.lines]
    return DocumentData(kind="invoice", title="Invoice / 发票", number=b.invoice.number, date=ISSUED,
                        generated_at=NOW, currency="USD", seller=SELLER,
                        customer=Party(b.invoice.customer.name, b.invoice.customer.code),
                        tables=[Table("Lines", ("SKU", "Description", "Qty", "Unit price", "Tax", "Net"), rows)],
                        totals=[Total("Total", b.invoice.total, True)])


def factur_x(n: int) -> int:
    b = bill(n)
    xml = e_invoice(b, SELLER, "USD").xml
    return len(factur_x_pdf(render(page(b), archival=True), xml, title=b.invoice.number, author=SELLER.name,
                            subject=b.invoice.number))


def timed(label: str, count: int, work) -> None:
    started = time.perf_counter()
    size = sum(work(n) for n in range(count))
    elapsed = time.perf_counter() - started
    print(f"{label:<40} {elapsed:7.2f} s  {elapsed / count * 1000:7.1f} ms each  {size / count / 1024:6.1f} KB each")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200)
    count = parser.parse_args().invoices
    timed("warm-up (font cuts), 4 Factur-X PDFs", 4, factur_x)
    timed(f"{count:,} EN 16931 XMLs (with XSD check)", count, lambda n: len(e_invoice(bill(n), SELLER, "USD").xml))
    timed(f"{count:,} plain invoice PDFs", count, lambda n: len(render(page(bill(n)))))
    timed(f"{count:,} Factur-X PDFs", count, factur_x)
    tracemalloc.start()
    for n in range(20):
        factur_x(n)
    print(f"{'20 Factur-X PDFs, one after another':<40} peak {tracemalloc.get_traced_memory()[1] / 2**20:6.1f} MiB")
    tracemalloc.stop()


if __name__ == "__main__":
    main()
