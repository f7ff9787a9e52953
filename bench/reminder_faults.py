"""The reminder outbox under Slack's faults: `python bench/reminders.py --faults`.

10,000 reminders due now on PostgreSQL; two sender processes on the system clock; a mock Slack in its
own process that loses the response of 5% of posts after storing them (the client sees the connection
drop) and answers 2% with a 429 whose Retry-After outlives the lease; one sender killed (SIGKILL) in
the middle of the run, the other finishing. Times are scaled down so the run takes a minute, not
hours: a 5 s lease, an 8 s Retry-After, a 1 s backoff before a failed row is tried again.

Printed: sent (rows marked sent), duplicates (posts beyond one per reminder, counted at the mock by
the outbox id in each message's metadata), lost (reminders never in Slack), the row statuses and the
throughput. The target is 0 duplicates and 0 lost."""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text, update  # noqa: E402

from db.migrate import upgrade  # noqa: E402
from db.models import Invoice, Member, Reminder  # noqa: E402
from db.seed import seed_demo  # noqa: E402
from db.session import Database  # noqa: E402
from tests.integration.sender_process import run_sender  # noqa: E402

LEASE, RETRY_AFTER_429, BACKOFF = 5, 8, 1  # seconds


def prepare(url: str, n: int, now: Any) -> None:
    """A fresh schema with the demo company and `n` reminders due now, spread over every member."""
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(db.engine)
    with db.session(write=True) as s:
        seed_demo(s, now.date(), now)
        s.execute(update(Member).values(timezone="UTC", tz_checked_at=now))  # users.info not needed
        invoices = s.scalars(select(Invoice.id).where(Invoice.status.in_(("open", "partially_paid")))
                             .order_by(Invoice.id)).all()
        people = s.scalars(select(Member.slack_user_id).where(Member.active.is_(True))
                           .order_by(Member.slack_user_id)).all()
        # Reminders people scheduled ("at:" stages) go out at any hour: the run does not wait for office hours.
        s.execute(insert(Reminder), [
            {"invoice_id": invoices[i % len(invoices)], "stage": f"at:bench{i}", "recipient": people[i % len(people)],
             "due_at": now, "status": "pending", "attempts": 0, "created_by": "bench", "created_at": now}
            for i in range(n)])
        s.commit()
    db.dispose()


def slack_process(conn: Any) -> None:
    """MockSlack with random faults on chat.postMessage; answers ("posts",) and ("stats",), stops on ("stop",)."""
    from tests.fakes.slack_api import MockSlack

    with MockSlack() as slack:
        slack.random_faults("chat.postMessage", seed=8, lost=0.05, ratelimit=(0.02, RETRY_AFTER_429))
        conn.send(slack.base_url)
        while True:
            command = conn.recv()
            if command[0] == "posts":
                conn.send(len(slack.calls_to("chat.postMessage")))
            elif command[0] == "stats":
                ids = Counter(m["metadata"]["event_payload"]["reminder_id"] for m in slack.messages()
                              if m.get("metadata"))
                conn.send({"ids": ids, "lost_responses": len(slack.lost), "rate_limited": len(slack.rate_limited),
                           "history_calls": len(slack.calls_to("conversations.history"))})
            else:
                conn.send(True)
                return


def run(url: str, n: int = 10_000, kill_after: int = 3_000) -> dict[str, Any]:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    prepare(url, n, now)
    spawn = multiprocessing.get_context("spawn")
    ours, theirs = spawn.Pipe()
    slack = spawn.Process(target=slack_process, args=(theirs,), daemon=True)
    slack.start()
    slack_url = ours.recv()
    reports = spawn.Queue()
    senders = [spawn.Process(target=run_sender,
                             args=(url, slack_url, f"bench-{i}", LEASE, BACKOFF, 900, 50, reports, True))
               for i in range(2)]
    started = time.perf_counter()
    for p in senders:
        p.start()
    killed_at = None
    while senders[1].is_alive():
        if killed_at is None:
            ours.send(("posts",))
            if ours.recv() >= kill_after:
                os.kill(senders[0].pid, signal.SIGKILL)
                killed_at = time.perf_counter() - started
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    senders[0].join(timeout=10)
    ours.send(("stats",))
    stats = ours.recv()
    ours.send(("stop",))
    ours.recv()
    slack.join(timeout=10)
    passes: Counter = Counter()
    while True:
        try:
            worker, counts = reports.get(timeout=1)
        except queue.Empty:
            break
        passes.update({f"{worker} {k}": v for k, v in counts.items() if v})
    db = Database(url)
    with db.session() as s:
        statuses = dict(s.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all())
        expected = set(s.scalars(select(Reminder.id)))
    db.dispose()
    ids: Counter = stats["ids"]
    return {"reminders": n, "sent": statuses.get("sent", 0), "statuses": statuses,
            "duplicates": sum(c - 1 for c in ids.values()), "lost": len(expected - set(ids)),
            "seconds": elapsed, "killed_at": killed_at, "lost_responses": stats["lost_responses"],
            "rate_limited": stats["rate_limited"], "history_calls": stats["history_calls"],
            "exit codes": [p.exitcode for p in senders], "by sender": dict(passes)}


def report(result: dict[str, Any]) -> None:
    print(f"Fault run: {result['reminders']:,} reminders, two senders on PostgreSQL, mock Slack losing 5% of "
          f"post responses and answering 2% with 429 Retry-After {RETRY_AFTER_429} s (lease {LEASE} s), "
          f"sender bench-0 killed at {result['killed_at'] or 0:.1f} s")
    print(f"{'sent':>6} {'duplicates':>10} {'lost':>5} {'seconds':>8} {'reminders/s':>12} {'lost answers':>12} "
          f"{'429s':>5} {'history calls':>13}")
    print(f"{result['sent']:>6,} {result['duplicates']:>10} {result['lost']:>5} {result['seconds']:>8.1f} "
          f"{result['sent'] / result['seconds']:>12.0f} {result['lost_responses']:>12} {result['rate_limited']:>5} "
          f"{result['history_calls']:>13}")
    print(f"row statuses {result['statuses']}; sender exit codes {result['exit codes']}")
    print("per sender:", ", ".join(f"{k} {v}" for k, v in sorted(result["by sender"].items())))
