"""Backup, restore and CSV export. Backups are gzipped JSON lines: portable between SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Date, Numeric, delete, insert, select, text
from sqlalchemy.orm import Session

from db.models import Base, Customer, Invoice, OrderLine, Payment, Product, SalesOrder, UTCDateTime
from db.session import Database

FORMAT = "tally-backup/1"


def _tables() -> list:
    return list(Base.metadata.sorted_tables)  # parents before children


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _typed(column: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, Numeric):
        return Decimal(value)
    if isinstance(column.type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    return value


def backup(db: Database, file: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with db.session() as session, gzip.open(file, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"format": FORMAT, "taken_at": datetime.now().isoformat()}) + "\n")
        for table in _tables():
            counts[table.name] = 0
            for row in session.execute(select(table)).mappings():
                fh.write(json.dumps({"t": table.name, "r": {k: _plain(v) for k, v in row.items()}}) + "\n")
                counts[table.name] += 1
    return counts


def wipe(session: Session) -> None:
    for table in reversed(_tables()):
        session.execute(delete(table))


def snapshot(session: Session) -> dict[str, list[dict]]:
    """Every row of every table, in memory (tests reset to a seeded state with it)."""
    return {t.name: [dict(r) for r in session.execute(select(t)).mappings()] for t in _tables()}


def load(session: Session, data: dict[str, list[dict]]) -> None:
    """Replace all rows with `data` (typed values), parents first; move serial sequences past the ids."""
    wipe(session)
    for table in _tables():
        if data.get(table.name):
            session.execute(insert(table), data[table.name])
    if session.bind.dialect.name == "postgresql":
        for table in _tables():
            if "id" in table.c and table.c.id.type.python_type is int:
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                     f"coalesce((SELECT max(id) FROM {table.name}), 1))"))


def restore(db: Database, file: Path) -> dict[str, int]:
    """All or nothing: in one transaction, the current data is replaced by the backup's."""
    tables = {t.name: t for t in _tables()}
    data: dict[str, list[dict]] = {name: [] for name in tables}
    with gzip.open(file, "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline() or "{}")
        if header.get("format") != FORMAT:
            raise ValueError(f"{file} is not a Tally backup.")
        for line in fh:
            item = json.loads(line)
            table = tables[item["t"]]
            data[table.name].append({k: _typed(table.c[k], v) for k, v in item["r"].items()})
    with db.session(write=True) as session:
        load(session, data)
        session.commit()
    return {name: len(rows) for name, rows in data.items()}


EXPORTS = {"customers": Customer, "products": Product, "orders": SalesOrder, "order_lines": OrderLine,
           "invoices": Invoice, "payments": Payment}


def _rows(session: Session, model: Any) -> Iterator[dict]:
    for row in session.execute(select(model.__table__)).mappings():
        yield {k: _plain(v) for k, v in row.items()}


def export_csv(db: Database, out_dir: Path) -> list[tuple[Path, int]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with db.session() as session:
        for name, model in EXPORTS.items():
            path = out_dir / f"{name}.csv"
            count = 0
            with path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, fieldnames=[c.name for c in model.__table__.columns])
                writer.writeheader()
                for row in _rows(session, model):
                    writer.writerow({k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()})
                    count += 1
            written.append((path, count))
    return written
