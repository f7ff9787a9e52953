"""Two payments with one bank reference at the same moment, on PostgreSQL: the unique index lets one in,
and the other person is told why theirs was not recorded (not an unhandled IntegrityError)."""

from __future__ import annotations

import io
import os
import threading
import time

import pytest
from sqlalchemy import func, select, text

from bot.console import Console
from db.models import Payment
from tests.helpers import invoice_of
from tools import ToolContext
from tools.payments import RecordPaymentArgs, record_payment

if not os.environ.get("TALLY_TEST_DATABASE_URL"):
    pytest.skip("the race is run on PostgreSQL: set TALLY_TEST_DATABASE_URL", allow_module_level=True)


@pytest.fixture(autouse=True)
def postgresql_only(backend) -> None:
    if backend.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time: the reference check sees the first payment")


def waiting_on_a_lock(db) -> bool:
    with db.engine.connect() as conn:
        return bool(conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")))


def test_the_second_payment_with_a_reference_in_flight_gets_a_conflict(tally, db, actors):
    """The second one is typed in the console: `pay ...`, then `y` while the first is being written."""
    coll, reference = actors["U0COLL1"], "BANK-2026-7731"
    acme, initech = invoice_of(db, "ACME").number, invoice_of(db, "INITECH").number
    out = io.StringIO()
    second = Console(tally, coll, out)
    second.handle(f"pay {initech} 10.00 2026-11-23 {reference}")
    assert "Confirm? [y/N]" in out.getvalue()
    with db.session(write=True) as first:  # the first payment is written, not yet committed
        ctx = ToolContext(actor=coll, session=first, clock=tally.clock, rules=tally.rules)
        record_payment(ctx, RecordPaymentArgs(invoice_number=acme, amount="10.00", received_on="2026-11-23",
                                              reference=reference))
        racer = threading.Thread(target=second.handle, args=("y",))
        racer.start()
        for _ in range(600):  # the second insert now waits on the unique index
            if waiting_on_a_lock(db):
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the second payment never reached the unique index")
        first.commit()
    racer.join(timeout=60)
    answer = out.getvalue().split("Confirm? [y/N]", 1)[1]
    assert f"Sorry: A payment with reference {reference!r} was recorded by someone else a moment ago" in answer
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Payment).where(Payment.reference == reference)) == 1
