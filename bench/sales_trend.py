"""Speed of the sales trend: every product's twelve months in one query, and `sales … by product` with it.

    .venv/bin/python bench/sales_trend.py --sizes 10000 100000 [--url postgresql+psycopg://...]

Builds a database seeded like `app.py seed --scale N` (SQLite under bench/out/ unless --url is given,
which is wiped and seeded again), then prints the median of several timed runs after a warm-up."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.roles import Role  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.scale_seed import load_data  # noqa: E402
from db.session import Database  # noqa: E402
from tools import Actor, FixedClock, Rules, Tally  # noqa: E402
from tools.sales_trend import product_trends  # noqa: E402

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
MANAGER = Actor("U0MGR1", Role.MANAGER, "Maya Patel", "America/New_York")
RUNS = 5


def median_seconds(run) -> float:
    run()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--url", help="a database to wipe and seed; default: a SQLite file per size")
    args = parser.parse_args()
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        bench(args.url or f"sqlite:///{ROOT / 'bench' / 'out' / f'trend-{n}.db'}", n)


def bench(url: str, n: int) -> None:
    db = Database(url)
    upgrade(db.engine)
    load_data(db, NOW, scale=n, reset=True)
    tally = Tally(db, Rules(), FixedClock(NOW))

    def trends() -> int:
        with db.session() as session:
            return len(product_trends(session, NOW.date()))

    def summary() -> int:
        return len(tally.read(MANAGER, "sales_summary", {"period": "this-year", "group_by": "product"}).rows)

    products = trends()
    print(f"{db.engine.dialect.name} {n:>9,} invoices, {products} products: "
          f"product_trends {median_seconds(trends) * 1000:.0f} ms, "
          f"sales this-year by product {median_seconds(summary) * 1000:.0f} ms")
    db.dispose()

if __name__ == "__main__":
    main()
