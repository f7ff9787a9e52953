"""Receivables ageing buckets, as reports and views name them. The rule that puts a balance in a
bucket runs in SQL (db/reports.py `ageing`), so it is written once, there."""

from __future__ import annotations

BUCKETS = ("current", "1-30", "31-60", "61-90", "91+")
BUCKET_LABELS = {
    "current": "Current",
    "1-30": "1–30",
    "31-60": "31–60",
    "61-90": "61–90",
    "91+": "91+",
}
