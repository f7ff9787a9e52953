"""A reminder sender as its own OS process, on the system clock, that keeps passing until the outbox has
nothing left to send (as `serve`'s scheduler would), so that it can be killed mid-run. Used by the
integration tests and bench/reminders.py."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import func, select

from db.models import Reminder
from db.session import Database


def outstanding(db: Database) -> int:
    """Rows still to be sent: pending (due now or later) or claimed."""
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Reminder)
                        .where(Reminder.status.in_(("pending", "claimed")))) or 0


def run_sender(url: str, slack_url: str, worker: str, lease_seconds: float, retry_seconds: float,
               deadline_seconds: float = 300, batch: int = 50, stats: object = None, quiet: bool = False) -> dict:
    """Pass after pass until nothing is outstanding (or the deadline); the summed report as a dict.
    `stats`, a multiprocessing queue, receives each pass's report as it ends."""
    if quiet:  # a benchmark's thousands of expected failures are counted, not logged
        logging.getLogger("bot.reminders").setLevel(logging.ERROR)
    from bot.reminders import ReminderSender
    from bot.slack_app import slack_client
    from tools import Rules, SystemClock, Tally
    from tools.outbox import Outbox, Timing

    db = Database(url)
    clock = SystemClock()
    timing = Timing(lease=timedelta(seconds=lease_seconds), retry_after=(timedelta(seconds=retry_seconds),) * 4)
    sender = ReminderSender(Tally(db, Rules(), clock), Outbox(db, clock, timing=timing),
                            slack_client("xoxb-bench", slack_url), worker=worker)
    total: dict[str, int] = {}
    ends = time.monotonic() + deadline_seconds
    while time.monotonic() < ends:
        report = sender.run_once(limit=10 * batch, batch=batch)
        counts = {k: v for k, v in vars(report).items() if isinstance(v, int)}
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
        if stats is not None:
            stats.put((worker, counts))
        if not report.sent and not report.reconciled:
            if not outstanding(db):
                break
            time.sleep(0.2)  # rows wait for a retry, a Retry-After or a dead sender's lease
    db.dispose()
    return total
