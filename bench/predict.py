"""How well pay dates are predicted, on generated invoice histories whose behaviour is known.

    .venv/bin/python bench/predict.py [--customers 400] [--seed 7]

Customers of six kinds pay monthly invoices over three years: steady early payers, chronic late payers,
customers drifting worse, seasonal ones (slow in December and August), new customers with 0-2 invoices,
and customers with occasional disputes. Each invoice is predicted on its issue date from the customer's
earlier settled invoices only, three ways: the due date itself, the old method (due date plus the average
lateness, early payments counted as 0, never before the day of prediction), and core.risk.expected_pay_date.
Prints the mean absolute error in days and the share within ±7 days, per method and per kind."""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.risk import expected_pay_date, payment_stats  # noqa: E402

START = date(2024, 1, 1)
KINDS = ("early", "late", "drifting", "seasonal", "new", "disputes")


def lateness(kind: str, i: int, due: date, rng: random.Random) -> int:
    if kind == "early":
        return round(rng.gauss(-6, 2))
    if kind == "late":
        return round(rng.gauss(28, 6))
    if kind == "drifting":
        return round(rng.gauss(1.2 * i, 4))
    if kind == "seasonal":
        return round(rng.gauss(35 if due.month in (12, 8) else 2, 3))
    if kind == "disputes":
        return round(rng.gauss(60, 10)) if rng.random() < 0.12 else round(rng.gauss(3, 3))
    return round(rng.gauss(8, 10))  # new customers pay like the portfolio


def customer(kind: str, rng: random.Random) -> list[tuple[date, date, date, Decimal, bool]]:
    count = rng.randint(1, 3) if kind == "new" else 36
    first = START + timedelta(days=rng.randint(0, 700 if kind == "new" else 20))
    usual = rng.choice([500, 2000, 8000])
    rows = []
    for i in range(count):
        issued = first + timedelta(days=30 * i + rng.randint(0, 5))
        due = issued + timedelta(days=rng.choice([30, 30, 45]))
        late = lateness(kind, i, due, rng)
        amount = Decimal(str(round(usual * rng.uniform(0.5, 1.6) * (4 if rng.random() < 0.05 else 1), 2)))
        paid = max(issued, due + timedelta(days=late))
        disputed = kind == "disputes" and late > 30
        rows.append((issued, due, paid, amount, disputed))
    return rows


def old_method(history: list[tuple], due: date, today: date) -> date:
    stats = payment_stats((d, p) for _, d, p, _ in history)
    return max(due + timedelta(days=int(stats.avg_days_late.to_integral_value())), today)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    errors: dict[str, dict[str, list[int]]] = {m: defaultdict(list) for m in ("due date", "old", "new")}
    for n in range(args.customers):
        kind = KINDS[n % len(KINDS)]
        rows = customer(kind, rng)
        for issued, due, paid, amount, disputed in rows:
            history = [(i, d, p, a) for i, d, p, a, _ in rows if p <= issued]  # settled when it is issued
            guesses = {"due date": due, "old": old_method(history, due, issued),
                       "new": expected_pay_date(history, issue_date=issued, due_date=due, amount=amount,
                                                today=issued, disputed=disputed)}
            for method, guess in guesses.items():
                errors[method][kind].append(abs((guess - paid).days))
                errors[method]["all"].append(abs((guess - paid).days))
    print(f"{'method':<9} {'kind':<9} {'invoices':>8} {'MAE days':>9} {'within ±7':>10}")
    for kind in ("all", *KINDS):
        for method in errors:
            e = errors[method][kind]
            within = sum(x <= 7 for x in e) / len(e)
            print(f"{method:<9} {kind:<9} {len(e):>8} {statistics.fmean(e):>9.1f} {within:>10.1%}")
    due_mae, new_mae = (statistics.fmean(errors[m]["all"]) for m in ("due date", "new"))
    print(f"new MAE / due-date MAE = {new_mae / due_mae:.2f} (target ≤ 0.50); "
          f"within ±7: {sum(x <= 7 for x in errors['new']['all']) / len(errors['new']['all']):.1%} (target ≥ 70%)")


if __name__ == "__main__":
    main()
