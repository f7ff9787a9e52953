"""Parallel credit notes through the real service, on PostgreSQL: CN numbers stay gapless and unique, and two
credits on one invoice never take it below zero. Threads start together at a barrier."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from db.models import CreditNote, DocumentCounter, Invoice
from tools import Outcome, Tally

if not os.environ.get("TALLY_TEST_DATABASE_URL"):
    pytest.skip("concurrency is tested on PostgreSQL: set TALLY_TEST_DATABASE_URL", allow_module_level=True)

YEAR = 2026  # the demo's "today" (tests/conftest.py DEMO_NOW)


@pytest.fixture(autouse=True)
def postgresql_only(backend) -> None:
    if backend.name != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")


def confirm_all(tally: Tally, jobs: list) -> list[Outcome]:
    start = threading.Barrier(len(jobs), timeout=30)

    def run(job) -> Outcome:
        start.wait()
        return tally.confirm(*job)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def open_invoices(db) -> list[Invoice]:
    with db.session() as s:
        return list(s.scalars(select(Invoice).where(Invoice.status.in_(("open", "partially_paid")))
                              .order_by(Invoice.id)))


def test_parallel_credit_notes_on_different_invoices_are_numbered_one_to_n(tally, db, actors):
    manager = actors["U0MGR1"]
    invoices = open_invoices(db)[:12]
    assert len(invoices) == 12
    jobs = [(manager, tally.propose(manager, "issue_credit_note", {
        "invoice_number": inv.number, "amount": "1.00", "reason": "goodwill"}).pending_id) for inv in invoices]
    outcomes = confirm_all(tally, jobs)
    assert [o.status for o in outcomes] == ["done"] * 12
    with db.session() as s:
        numbers = sorted(s.scalars(select(CreditNote.number)))
        counter = s.scalar(select(DocumentCounter.last_value).where(DocumentCounter.kind == "CN",
                                                                    DocumentCounter.year == YEAR))
    assert numbers == [f"CN-{YEAR}-{n:05d}" for n in range(1, 13)] and counter == 12
    assert sorted(o.result.credit_note.number for o in outcomes) == numbers


def test_parallel_credits_on_one_invoice_never_take_it_below_zero(tally, db, actors):
    manager = actors["U0MGR1"]
    inv = open_invoices(db)[0]
    more_than_half = str((inv.balance / 2 + 1).quantize(inv.balance))
    jobs = [(manager, tally.propose(manager, "issue_credit_note", {
        "invoice_number": inv.number, "amount": more_than_half, "reason": f"credit {i}"}).pending_id)
        for i in range(6)]
    outcomes = confirm_all(tally, jobs)
    assert sorted(o.status for o in outcomes) == ["done"] + ["failed"] * 5
    assert all("more than the open balance" in o.error for o in outcomes if o.status == "failed")
    with db.session() as s:
        invoice = s.scalar(select(Invoice).where(Invoice.id == inv.id))
        assert invoice.balance == inv.balance - invoice.credited_amount >= 0
        assert s.scalar(select(DocumentCounter.last_value).where(DocumentCounter.kind == "CN")) == 1
