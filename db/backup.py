"""Backup, restore and CSV export. Backups are gzipped JSON lines: portable between SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Numeric, delete, insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.migrate import current_revision
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
    if isinstance(column.type, UTCDateTime | DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    return value


class BackupError(ValueError):
    """The file cannot be restored; the database was not changed."""


def backup(db: Database, file: Path) -> dict[str, int]:
    """Every table as of one moment (one read transaction), written to a side file and then moved into
    place, so an interrupted backup never leaves a file that looks whole."""
    counts: dict[str, int] = {}
    partial = file.with_name(file.name + ".partial")
    try:
        with db.engine.connect() as conn:
            if db.is_postgres:  # one snapshot for all tables; read committed would see later commits
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin(), gzip.open(partial, "wt", encoding="utf-8") as fh:
                header = {"format": FORMAT, "taken_at": datetime.now(UTC).isoformat(),
                          "revision": current_revision(db.engine), "dialect": db.engine.dialect.name}
                fh.write(json.dumps(header) + "\n")
                for table in _tables():
                    counts[table.name] = 0
                    for row in conn.execute(select(table)).mappings():
                        fh.write(json.dumps({"t": table.name, "r": {k: _plain(v) for k, v in row.items()}}) + "\n")
                        counts[table.name] += 1
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(file)
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


def read_backup(file: Path) -> tuple[dict, dict[str, list[dict]]]:
    """The header and typed rows of a backup file; BackupError says what is wrong with it."""
    tables = {t.name: t for t in _tables()}
    data: dict[str, list[dict]] = {name: [] for name in tables}
    number = 1
    try:
        with gzip.open(file, "rt", encoding="utf-8") as fh:
            try:
                header = json.loads(fh.readline() or "{}")
            except ValueError:
                header = None
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise BackupError(f"{file} is not a Tally backup (made by `python app.py backup FILE`).")
            for number, line in enumerate(fh, start=2):
                item = json.loads(line)
                table = tables.get(item["t"])
                if table is None:
                    raise BackupError(f"{file} line {number}: unknown table {item['t']!r}.")
                unknown = set(item["r"]) - set(table.c.keys())
                if unknown:
                    raise BackupError(f"{file} line {number}: table {table.name} has no column "
                                      f"{', '.join(sorted(unknown))}.")
                data[table.name].append({k: _typed(table.c[k], v) for k, v in item["r"].items()})
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        if number == 1:
            raise BackupError(f"{file} is not a Tally backup (made by `python app.py backup FILE`).") from None
        raise BackupError(f"{file} is damaged at line {number}: {exc}") from None
    except BackupError:
        raise
    except (ValueError, ArithmeticError, LookupError, TypeError, AttributeError) as exc:
        raise BackupError(f"{file} is damaged at line {number}: {exc!r}") from None
    return header, data


def restore(db: Database, file: Path) -> dict[str, int]:
    """All or nothing: the file is read and checked first, then in one transaction the current data is
    replaced by the backup's."""
    header, data = read_backup(file)
    try:
        with db.session(write=True) as session:
            load(session, data)
            session.commit()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise BackupError(f"{file} could not be loaded (backup of revision {header.get('revision', '?')}, "
                          f"database at {current_revision(db.engine)}): {reason}.") from None
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
