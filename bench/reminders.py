"""Reminder outbox speed: the dunning sweep over 100k open invoices, and sender throughput against a mock Slack.

    /work/venv/bin/python bench/reminders.py --invoices 100000 --backends sqlite postgresql

For each backend it builds (or reuses) a database seeded like `app.py seed --scale N` through bench/reports.py's
seeding, in its own place (bench/out/reminders-N.db, the PostgreSQL database tally_bench_reminders), then reopens
nine in ten of the paid invoices so that most of the N are open and overdue, and puts every member in UTC.

Sweep: the median of a few `Outbox.sweep()` runs, each on an empty outbox, on a FixedClock at the seed's today.
Send: `ReminderSender.run_once` on the reminders that sweep queued, against MockSlack running in a child process
(as Slack would be: not sharing this process's interpreter), once answering every call and once answering
every Nth chat.postMessage with HTTP 429 and Retry-After: 1, whose rows wait that second and go in a next pass.

Faults (`--faults [--database-url URL]`, PostgreSQL): 10,000 reminders, two senders, 5% lost responses,
2% long 429s, one sender killed mid-run; see bench/reminder_faults.py."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import resource
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, delete, func, make_url, select, text, update  # noqa: E402

from bench.reports import OUT, PG_SERVER, SEED_NOW, invoice_count, seed_into, seed_key  # noqa: E402
from bot.reminders import ReminderSender  # noqa: E402
from bot.slack_app import slack_client  # noqa: E402
from db.models import Invoice, Member, Payment, Reminder  # noqa: E402
from db.session import Database  # noqa: E402
from tools import FixedClock, Rules, Tally  # noqa: E402
from tools.outbox import Outbox  # noqa: E402

PG_DATABASE = "tally_bench_reminders"
REOPEN_ONE_IN = 10  # of the paid invoices, all but one in ten are made open again


# databases ---------------------------------------------------------------------------------------------

PG_URL = f"{PG_SERVER}/{PG_DATABASE}"  # --pg-url replaces it


def database_url(backend: str, n: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{OUT / f'reminders-{n}.db'}"
    return PG_URL


def _schema(url: str) -> str | None:
    """The schema named by `?options=-csearch_path=NAME` in a PostgreSQL URL, if any."""
    options = make_url(url).query.get("options") or ""
    return options.split("search_path=", 1)[1].split(",")[0].strip() if "search_path=" in options else None


def fresh(backend: str, n: int) -> None:
    if backend == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            (OUT / f"reminders-{n}.db{suffix}").unlink(missing_ok=True)
        return
    if (schema := _schema(PG_URL)) is not None:  # a schema of a database someone gave us: only it is replaced
        engine = create_engine(make_url(PG_URL).difference_update_query(["options"]), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        return
    server = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE}"))
        conn.execute(text(f"CREATE DATABASE {PG_DATABASE}"))
    server.dispose()


def ensure_database(backend: str, n: int, rebuild: bool) -> float | None:
    """A seeded database of n invoices, most of them open; the seconds spent seeding, None when reused."""
    url, key = database_url(backend, n), seed_key(n)
    sidecar = OUT / f"reminders-seed-{backend}-{n}.json"
    if not rebuild and sidecar.exists() and json.loads(sidecar.read_text()).get("key") == key \
            and invoice_count(url) == n:
        return None
    fresh(backend, n)
    print(f"seeding {n:,} invoices on {backend}...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # seed_into reports its own stats on stdout
        seed_into(url, n)
    db = Database(url)
    with db.session(write=True) as s:
        reopen = select(Invoice.id).where(Invoice.status == "paid", Invoice.id % REOPEN_ONE_IN != 0)
        s.execute(delete(Payment).where(Payment.invoice_id.in_(reopen)))
        s.execute(update(Invoice).where(Invoice.status == "paid", Invoice.id % REOPEN_ONE_IN != 0)
                  .values(status="open", paid_amount=0, paid_on=None))
        s.execute(update(Member).values(timezone="UTC", tz_checked_at=SEED_NOW))  # users.info not needed
        s.commit()
    db.dispose()
    analyze(url)
    OUT.mkdir(parents=True, exist_ok=True)
    sidecar.write_text(json.dumps({"key": key}))
    return time.perf_counter() - started


def analyze(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))
    engine.dispose()


def empty_outbox(db: Database) -> None:
    with db.session(write=True) as s:
        s.execute(text("TRUNCATE reminders") if db.is_postgres else delete(Reminder))
        s.execute(update(Invoice).where(Invoice.last_contact_at.is_not(None)).values(last_contact_at=None))
        s.commit()


def open_invoices(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Invoice).where(
            Invoice.status.in_(("open", "partially_paid")))) or 0


# the mock Slack, in a child process ----------------------------------------------------------------------

def slack_process(conn: Any) -> None:
    """Runs MockSlack; answers ("every", n) by rate limiting every nth chat.postMessage (0: none),
    ("stats",) with its counts, ("stop",) by stopping."""
    from tests.fakes.slack_api import MockSlack

    class EveryNth(MockSlack):
        every = 0
        posts = 0

        def _handle(self, method: str, params: dict, headers: dict) -> tuple[str, int, dict, dict]:
            if method == "chat.postMessage" and self.every:
                with self._lock:
                    self.posts += 1
                    if self.posts % self.every == 0:
                        self.rate_limit(method, times=1, retry_after=1)
            return super()._handle(method, params, headers)

    with EveryNth() as slack:
        conn.send(slack.base_url)
        while True:
            command = conn.recv()
            if command[0] == "every":
                slack.reset()
                slack.every, slack.posts = command[1], 0
                conn.send(True)
            elif command[0] == "stats":
                posts = slack.calls_to("chat.postMessage")
                ids = {(c.params.get("metadata") or {}).get("event_payload", {}).get("reminder_id") for c in posts}
                conn.send({"posts": len(posts), "distinct": len(ids), "limited": len(slack.rate_limited)})
            else:
                conn.send(True)
                return


def send_rates(db: Database, count: int, every: int) -> list[dict[str, Any]]:
    clock = FixedClock(SEED_NOW)
    tally = Tally(db, Rules(), clock)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=slack_process, args=(theirs,), daemon=True)
    child.start()
    rows = []
    try:
        client = slack_client("xoxb-bench", ours.recv())
        for label, nth in (("no rate limit", 0), (f"429 every {every}th post", every)):
            ours.send(("every", nth))
            ours.recv()
            sender = ReminderSender(tally, Outbox(db, clock), client, worker=f"bench-{nth}")
            started = time.perf_counter()
            report = sender.run_once(limit=count)
            if report.rate_limited:  # as many again, once the refused rows' Retry-After has passed
                clock.at += timedelta(seconds=2)
                report.sent += sender.run_once(limit=report.rate_limited).sent
                clock.at -= timedelta(seconds=2)
            elapsed = time.perf_counter() - started
            ours.send(("stats",))
            stats = ours.recv()
            if not report.sent == stats["posts"] == stats["distinct"]:
                raise AssertionError(f"sent {report} but Slack saw {stats}")
            rows.append({"slack": label, "sent": report.sent, "failed": report.failed, "limited": stats["limited"],
                         "seconds": elapsed, "rate": report.sent / elapsed})
    finally:
        ours.send(("stop",))
        ours.recv()
        child.join(timeout=10)
    return rows


# the run ------------------------------------------------------------------------------------------------

def sweep_times(url: str, runs: int) -> tuple[list[float], Any, float, float]:
    """Run in a child process, so that its peak memory is the sweep's own: the timings, the last
    report, the peak RSS in MB, and the median time of a sender's claim on what the sweep queued."""
    db = Database(url)
    outbox = Outbox(db, FixedClock(SEED_NOW))
    times, report = [], None
    for _ in range(runs):
        empty_outbox(db)
        started = time.perf_counter()
        report = outbox.sweep()
        times.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    claim = claim_ms(db)
    db.dispose()
    return times, report, peak, claim


def claim_ms(db: Database, batches: int = 30, size: int = 50) -> float:
    """A sender's claim of `size` due rows with the whole sweep's rows pending (after ANALYZE, as autovacuum
    would have run by then), median ms; each batch is released again so the backlog stays as it was."""
    analyze(db.url)
    outbox = Outbox(db, FixedClock(SEED_NOW + timedelta(hours=1)))
    samples = []
    for _ in range(batches):
        started = time.perf_counter()
        claimed = outbox.claim("bench-claim", limit=size)
        samples.append(time.perf_counter() - started)
        outbox.release("bench-claim", [c.reminder_id for c in claimed])
    return statistics.median(samples) * 1000


def main() -> None:
    global PG_URL
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=3, help="sweeps timed, each on an empty outbox")
    parser.add_argument("--send", type=int, default=2_000, help="reminders sent per Slack behaviour")
    parser.add_argument("--every", type=int, default=50, help="the mock answers every Nth post with HTTP 429")
    parser.add_argument("--rebuild", action="store_true", help="seed again even when a matching database exists")
    parser.add_argument("--pg-url", default=PG_URL,
                        help="the PostgreSQL database of the sweep and send runs (dropped and created again), or "
                             "one schema of it with ?options=-csearch_path%%3DNAME (only that schema is replaced)")
    parser.add_argument("--faults", action="store_true", help="the fault run instead (PostgreSQL, see --database-url)")
    parser.add_argument("--database-url", default=f"{PG_SERVER}/{PG_DATABASE}",
                        help="the fault run's PostgreSQL database; its public schema is replaced")
    parser.add_argument("--reminders", type=int, default=10_000, help="reminders in the fault run")
    args = parser.parse_args()
    if args.faults:
        from bench.reminder_faults import report, run

        report(run(args.database_url, args.reminders, kill_after=args.reminders * 3 // 10))
        return

    PG_URL = args.pg_url
    sweeps, sends = [], []
    for backend in args.backends:
        seeded = ensure_database(backend, args.invoices, args.rebuild)
        url = database_url(backend, args.invoices)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            times, report, peak, claim = pool.apply(sweep_times, (url, args.runs))
        db = Database(url)
        sweeps.append((backend, open_invoices(db), seeded, times, report, peak, claim))
        print(f"  {backend} sweep {[round(t, 2) for t in times]} s: {report}; claim of 50 {claim:.1f} ms",
              file=sys.stderr, flush=True)
        for row in send_rates(db, args.send, args.every):
            sends.append((backend, row))
            print(f"  {backend} send {row}", file=sys.stderr, flush=True)
        db.dispose()

    print(f"Sweep over {args.invoices:,} invoices, median of {args.runs} runs, each on an empty outbox")
    print(f"{'backend':<11} {'open':>8} {'sweep s':>8} {'runs s':<20} {'scanned':>8} {'created':>8} "
          f"{'skipped':>8} {'passed over':>11} {'peak MB':>8} {'seeded':>8} {'claim ms':>9}")
    for backend, open_count, seeded, times, r, peak, claim in sweeps:
        runs = " ".join(f"{t:.2f}" for t in times)
        seed = f"{seeded:.0f} s" if seeded is not None else "reused"
        print(f"{backend:<11} {open_count:>8,} {statistics.median(times):>8.2f} {runs:<20} {r.invoices:>8,} "
              f"{r.created:>8,} {r.skipped:>8,} {r.passed_over:>11,} {peak:>8.0f} {seed:>8} {claim:>9.1f}")
    print("claim ms: one sender's claim of 50 due rows with all the rows the sweep queued pending (median)")
    print()
    print("Sender against MockSlack in its own process, one sender, batches of 50")
    print(f"{'backend':<11} {'slack':<22} {'sent':>6} {'failed':>6} {'429s':>5} {'seconds':>8} {'reminders/s':>12}")
    for backend, r in sends:
        print(f"{backend:<11} {r['slack']:<22} {r['sent']:>6,} {r['failed']:>6} {r['limited']:>5} "
              f"{r['seconds']:>8.1f} {r['rate']:>12.0f}")


if __name__ == "__main__":
    main()
