"""Report speed at scale: each manager report through the real tool path against a hand-written SQL query.

    /work/venv/bin/python bench/reports.py --sizes 10000 100000 1000000 --backends sqlite postgresql

For each backend and size it builds (or reuses) a database seeded like `app.py seed --scale N --reset`,
on a fixed "today" so runs are comparable: SQLite files under bench/out/, and one schema per size in
the PostgreSQL database `tally_bench` (created when missing). Seeding runs in a child process, so its
time and peak memory are its own; a database is reused while its size, the migrations and the seed code
are unchanged. Each report is timed as the median of several runs after a warm-up, the tool
(`Tally.read` as a manager, FixedClock at the seed's today) and the SQL alternating, and their answers
must match. Targets: the tool within 1.5x of the SQL, and under 0.5 s on PostgreSQL at 1M invoices."""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402

from core.periods import month_periods, parse_period  # noqa: E402
from core.roles import Role  # noqa: E402
from db.session import Database  # noqa: E402
from tools import Actor, FixedClock, Rules, Tally  # noqa: E402

OUT = ROOT / "bench" / "out"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DATABASE = "tally_bench"
SEED_NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
TODAY = SEED_NOW.date()
MANAGER = Actor("U0MGR1", Role.MANAGER, "Maya Patel", "America/New_York")
CENT, TENTH = Decimal("0.01"), Decimal("0.1")
# what a seeded database depends on: change any of these and it is built again
SEED_INPUTS = [ROOT / "db" / name for name in ("scale_seed.py", "seed.py", "demo_data.py")] + sorted(
    (ROOT / "db" / "migrations" / "versions").glob("*.py"))


# databases -------------------------------------------------------------------------------------------

def database_url(backend: str, n: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{OUT / f'scale-{n}.db'}"
    return f"{PG_SERVER}/{PG_DATABASE}?options=-csearch_path%3Dscale_{n}"


def seed_key(n: int) -> str:
    digest = hashlib.sha256(f"{n} {SEED_NOW.isoformat()}".encode())
    for path in SEED_INPUTS:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def invoice_count(url: str) -> int | None:
    """Invoices in a bench database; None when it does not exist or has no schema yet."""
    if url.startswith("sqlite") and not Path(make_url(url).database).exists():
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM invoices")).scalar()
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def fresh(backend: str, n: int) -> None:
    """An empty database for one size: a new SQLite file, or a new schema in tally_bench."""
    if backend == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            (OUT / f"scale-{n}.db{suffix}").unlink(missing_ok=True)
        return
    server = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": PG_DATABASE}).scalar():
            conn.execute(text(f"CREATE DATABASE {PG_DATABASE}"))
    server.dispose()
    bench = create_engine(f"{PG_SERVER}/{PG_DATABASE}", isolation_level="AUTOCOMMIT")
    with bench.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS scale_{n} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA scale_{n}"))
    bench.dispose()


def ensure_seeded(backend: str, n: int, rebuild: bool) -> dict[str, Any]:
    """Seed stats of a database of n invoices, seeding it first unless a matching one exists."""
    url, key = database_url(backend, n), seed_key(n)
    sidecar = OUT / f"seed-{backend}-{n}.json"
    if not rebuild and sidecar.exists():
        stats = json.loads(sidecar.read_text())
        if stats.get("key") == key and invoice_count(url) == n:
            return {**stats, "cached": True}
    fresh(backend, n)
    print(f"seeding {n:,} invoices on {backend}...", file=sys.stderr, flush=True)
    child = subprocess.run([sys.executable, __file__, "--seed-into", url, "--invoices", str(n)],
                           check=True, stdout=subprocess.PIPE, text=True)
    stats = {**json.loads(child.stdout.strip().splitlines()[-1]), "key": key}
    OUT.mkdir(parents=True, exist_ok=True)
    sidecar.write_text(json.dumps(stats))
    return {**stats, "cached": False}


def seed_into(url: str, n: int) -> None:
    """Child process: migrate, seed, then VACUUM and ANALYZE; print time and peak memory as JSON."""
    from db.migrate import upgrade
    from db.scale_seed import seed_scale

    db = Database(url)
    upgrade(db.engine)
    started = time.perf_counter()
    with db.session(write=True) as session:
        seed_scale(session, n, TODAY, SEED_NOW)
        session.commit()
    seeded = time.perf_counter()
    db.dispose()
    if url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(url).database, isolation_level=None)
        conn.execute("VACUUM")
        conn.execute("ANALYZE")
        conn.close()
    else:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
        engine.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seed_s": round(seeded - started, 1), "vacuum_s": round(time.perf_counter() - seeded, 1),
                      "peak_mb": round(peak_mb)}))


# the hand-written queries ------------------------------------------------------------------------------

def boundaries(today: date) -> dict[str, str]:
    """Ageing buckets as due-date bounds: Current is due today or later, 1-30 days past due is
    due on or after today-30, and so on."""
    return {"today": today.isoformat(), **{f"b{d}": (today - timedelta(days=d)).isoformat() for d in (30, 60, 90)}}


BUCKET = """CASE WHEN due_date >= :today THEN 0 WHEN due_date >= :b30 THEN 1 WHEN due_date >= :b60 THEN 2
                 WHEN due_date >= :b90 THEN 3 ELSE 4 END"""

AGEING_SQL = f"""
SELECT {BUCKET} AS bucket, SUM(total - paid_amount)
FROM invoices WHERE status IN ('open', 'partially_paid')
GROUP BY 1"""

AGEING_BY_CUSTOMER_SQL = f"""
SELECT c.code, a.bucket, a.balance
FROM (SELECT customer_id, {BUCKET} AS bucket, SUM(total - paid_amount) AS balance
      FROM invoices WHERE status IN ('open', 'partially_paid')
      GROUP BY 1, 2) a
JOIN customers c ON c.id = a.customer_id"""

SALES_BY_REP_SQL = """
SELECT COALESCE(rep, 'unassigned'), SUM(amount), SUM(cost)
FROM invoices
WHERE status <> 'void' AND issue_date BETWEEN :start AND :end
GROUP BY 1"""

# AR at the end of the day before the period: what is open now on invoices issued by then, plus what
# was paid on them since (all payments since, less those on later or void invoices). Countback walks
# the twelve months newest first.
COLLECTIONS_SQL = """
WITH now_ar AS (
    SELECT COALESCE(SUM(total - paid_amount), 0) AS ending,
           COALESCE(SUM(CASE WHEN due_date >= :today THEN total - paid_amount ELSE 0 END), 0) AS current_ar
    FROM invoices WHERE status IN ('open', 'partially_paid')),
opening AS (
    SELECT (SELECT COALESCE(SUM(total - paid_amount), 0) FROM invoices
            WHERE status IN ('open', 'partially_paid') AND issue_date <= :opening_day)
         + (SELECT COALESCE(SUM(amount), 0) FROM payments WHERE received_on > :opening_day)
         - (SELECT COALESCE(SUM(p.amount), 0) FROM payments p JOIN invoices i ON i.id = p.invoice_id
            WHERE p.received_on > :opening_day AND i.issue_date > :opening_day)
         - (SELECT COALESCE(SUM(p.amount), 0) FROM payments p JOIN invoices i ON i.id = p.invoice_id
            WHERE p.received_on > :opening_day AND i.issue_date <= :opening_day AND i.status = 'void')
           AS opening_ar),
months (k, first_day, last_day, days) AS (VALUES {months}),
sold AS (
    SELECT m.k, m.days, COALESCE(SUM(i.total), 0) AS sales,
           COALESCE(SUM(CASE WHEN i.issue_date >= :start THEN i.total END), 0) AS in_period
    FROM months m LEFT JOIN invoices i
      ON i.issue_date BETWEEN m.first_day AND m.last_day AND i.status <> 'void'
    GROUP BY m.k, m.days),
walk AS (
    SELECT k, days, sales, in_period,
           COALESCE(SUM(sales) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS sold_before
    FROM sold)
SELECT r.ending, r.current_ar, o.opening_ar, SUM(w.in_period),
       SUM(CASE WHEN r.ending - w.sold_before <= 0 THEN 0
                WHEN r.ending - w.sold_before > w.sales THEN w.days
                ELSE (r.ending - w.sold_before) * w.days / w.sales END)
FROM walk w CROSS JOIN now_ar r CROSS JOIN opening o
GROUP BY r.ending, r.current_ar, o.opening_ar"""


# The definition, forward through all history: too slow to time, run once to check the answer above.
OPENING_BY_DEFINITION_SQL = """
SELECT (SELECT COALESCE(SUM(total), 0) FROM invoices WHERE status <> 'void' AND issue_date <= :day)
     - (SELECT COALESCE(SUM(p.amount), 0) FROM payments p JOIN invoices i ON i.id = p.invoice_id
        WHERE i.status <> 'void' AND i.issue_date <= :day AND p.received_on <= :day)"""


def cents(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


class Reports:
    """The four measured reports: each a tool call and a SQL call whose answers compare equal."""

    def __init__(self, db: Database):
        self.db = db
        self.tally = Tally(db, Rules(), FixedClock(SEED_NOW))
        self.pg = db.is_postgres

    def sql(self, query: str, params: dict[str, Any]) -> list[Any]:
        with self.db.engine.connect() as conn:
            return conn.execute(text(query), params).all()

    def date_param(self, day: date) -> Any:
        return day if self.pg else day.isoformat()

    # ar_ageing, all customers
    def ageing_tool(self) -> Any:
        report = self.tally.read(MANAGER, "ar_ageing", {})
        return list(report.total.buckets.values())

    def ageing_sql(self) -> Any:
        buckets = dict(self.sql(AGEING_SQL, boundaries(TODAY)))
        return [cents(buckets.get(b)) for b in range(5)]

    # ar_ageing by customer
    def ageing_by_customer_tool(self) -> Any:
        report = self.tally.read(MANAGER, "ar_ageing", {"group_by": "customer"})
        return {line.key: list(line.buckets.values()) for line in report.rows}

    def ageing_by_customer_sql(self) -> Any:
        rows: dict[str, list[Decimal]] = {}
        for code, bucket, balance in self.sql(AGEING_BY_CUSTOMER_SQL, boundaries(TODAY)):
            rows.setdefault(code, [Decimal("0.00")] * 5)[bucket] = cents(balance)
        return {code: buckets for code, buckets in rows.items() if any(buckets)}

    # collections_summary, default period (last 90 days): the countback DSO and the figures it stands on
    def collections_tool(self) -> Any:
        s = self.tally.read(MANAGER, "collections_summary", {})
        return s.ending_ar, s.current_ar, s.opening_ar, s.credit_sales, s.countback_dso

    def collections_sql(self) -> Any:
        period = parse_period("last-90-days", TODAY)
        months = month_periods(TODAY, 12)
        cast = "CAST({} AS DATE)" if self.pg else "{}"
        values = ", ".join(f"({k}, {cast.format(f':m{k}a')}, {cast.format(f':m{k}b')}, {m.days})"
                           for k, m in enumerate(months))
        params = {"today": self.date_param(TODAY), "start": self.date_param(period.start),
                  "opening_day": self.date_param(period.start - timedelta(days=1))}
        for k, m in enumerate(months):
            params[f"m{k}a"], params[f"m{k}b"] = self.date_param(m.start), self.date_param(m.end)
        ending, current, opening, sales, countback = self.sql(COLLECTIONS_SQL.format(months=values), params)[0]
        days = Decimal(str(countback)).quantize(TENTH, rounding=ROUND_HALF_UP)
        return cents(ending), cents(current), cents(opening), cents(sales), days

    # sales_summary by rep, last 12 months
    def sales_tool(self) -> Any:
        s = self.tally.read(MANAGER, "sales_summary", {"period": "last-12-months", "group_by": "rep"})
        return {line.key: (line.revenue, line.cost) for line in s.rows}

    def sales_sql(self) -> Any:
        period = parse_period("last-12-months", TODAY)
        rows = self.sql(SALES_BY_REP_SQL, {"start": self.date_param(period.start), "end": self.date_param(period.end)})
        return {rep: (cents(revenue), cents(cost)) for rep, revenue, cost in rows}

    def check_opening_ar(self) -> None:
        """The tool's opening AR against the definition (invoiced by then less paid by then)."""
        day = parse_period("last-90-days", TODAY).start - timedelta(days=1)
        expected = cents(self.sql(OPENING_BY_DEFINITION_SQL, {"day": self.date_param(day)})[0][0])
        opening = self.collections_tool()[2]
        if opening != expected:
            raise AssertionError(f"opening AR {opening} differs from the definition {expected}")

    def pairs(self) -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
        return [("ar_ageing", self.ageing_tool, self.ageing_sql),
                ("ar_ageing by customer", self.ageing_by_customer_tool, self.ageing_by_customer_sql),
                ("collections countback DSO", self.collections_tool, self.collections_sql),
                ("sales_summary by rep 12m", self.sales_tool, self.sales_sql)]


# timing ---------------------------------------------------------------------------------------------

def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def measure(tool: Callable[[], Any], sql: Callable[[], Any], repeats: int) -> tuple[float, float]:
    _, tool_answer = timed(tool)  # warm-up: caches, pool, statistics; and the answers must agree
    _, sql_answer = timed(sql)
    if tool_answer != sql_answer:
        raise AssertionError(f"tool and SQL disagree:\n tool {tool_answer}\n sql  {sql_answer}")
    tool_ms, sql_ms = [], []
    for _ in range(repeats):  # alternate, so drift in the machine's load hits both alike
        tool_ms.append(timed(tool)[0])
        sql_ms.append(timed(sql)[0])
    return statistics.median(tool_ms), statistics.median(sql_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--backends", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per report, after one warm-up")
    parser.add_argument("--rebuild", action="store_true", help="seed again even when a matching database exists")
    parser.add_argument("--seed-into", help=argparse.SUPPRESS)
    parser.add_argument("--invoices", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_into:
        seed_into(args.seed_into, args.invoices)
        return

    seeds, results = [], []
    for backend in args.backends:
        for n in args.sizes:
            seeds.append((backend, n, ensure_seeded(backend, n, args.rebuild)))
            db = Database(database_url(backend, n))
            reports = Reports(db)
            reports.check_opening_ar()
            for name, tool, sql in reports.pairs():
                tool_ms, sql_ms = measure(tool, sql, args.repeats)
                results.append((backend, n, name, tool_ms, sql_ms))
                print(f"  {backend} {n:,} {name}: tool {tool_ms:.1f} ms, SQL {sql_ms:.1f} ms",
                      file=sys.stderr, flush=True)
            db.dispose()

    print(f"{'backend':<11} {'invoices':>10}  {'seed s':>7} {'vacuum s':>8} {'peak MB':>7}")
    for backend, n, s in seeds:
        cached = "  (cached)" if s["cached"] else ""
        print(f"{backend:<11} {n:>10,}  {s['seed_s']:>7.1f} {s['vacuum_s']:>8.1f} {s['peak_mb']:>7}{cached}")
    print()
    print(f"{'backend':<11} {'invoices':>10}  {'report':<26} {'tool ms':>9} {'SQL ms':>9} {'ratio':>6}")
    for backend, n, name, tool_ms, sql_ms in results:
        ratio = tool_ms / sql_ms
        missed = []
        if ratio > 1.5:
            missed.append(">1.5x")
        if backend == "postgresql" and n >= 1_000_000 and tool_ms >= 500:
            missed.append(">=0.5 s")
        flag = f"  missed: {', '.join(missed)}" if missed else ""
        print(f"{backend:<11} {n:>10,}  {name:<26} {tool_ms:>9.1f} {sql_ms:>9.1f} {ratio:>6.2f}{flag}")


if __name__ == "__main__":
    main()
