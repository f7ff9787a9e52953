"""Backup and restore. Backups are gzipped JSON lines: portable between SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Numeric, delete, func, insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.migrate import current_revision
from db.models import AuditEvent, Base, UTCDateTime
from db.session import Database

FORMAT = "tally-backup/1"


AUDIT = AuditEvent.__tablename__


def _tables() -> list:
    return list(Base.metadata.sorted_tables)  # parents before children


def _replaceable() -> list:
    return [t for t in _tables() if t.name != AUDIT]


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
    """The file cannot be written or restored; the database was not changed."""


def backup(db: Database, file: Path) -> dict[str, int]:
    """Every table as of one moment (one read transaction), written to a side file and then moved into
    place, so an interrupted or failed backup never leaves a file that looks whole, nor a side file."""
    if file.is_dir():
        raise BackupError(f"{file} is a folder; name a file in it, e.g. {file / 'tally-backup.jsonl.gz'}.")
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
        partial.replace(file)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return counts


def wipe(session: Session) -> None:
    """Delete every row except the audit log's, which is append-only (the database refuses)."""
    for table in reversed(_replaceable()):
        session.execute(delete(table))


def snapshot(session: Session) -> dict[str, list[dict]]:
    """Every row of every table, in memory (tests reset to a seeded state with it)."""
    return {t.name: [dict(r) for r in session.execute(select(t)).mappings()] for t in _tables()}


def row_counts(session: Session) -> dict[str, int]:
    """Rows per table, the audit log left out: what a restore would replace."""
    return {t.name: session.scalar(select(func.count()).select_from(t)) for t in _replaceable()}


def _audit_key(row: dict) -> tuple:
    content = (json.dumps(row[k], sort_keys=True, default=str) for k in ("before", "after"))
    return (row["at"], row["actor"], row["action"], row["entity"], row["entity_id"], *content)


def _merge_audit(session: Session, rows: list[dict]) -> int:
    """Add the audit events of `rows` that the log lacks; never change or remove one. Into an empty log
    they go with their ids; otherwise they get new ids, since the same id may name another event."""
    table = AuditEvent.__table__
    existing = {_audit_key(r) for r in session.execute(select(table)).mappings()}
    if existing:
        rows = [{k: v for k, v in r.items() if k != "id"}
                for r in sorted(rows, key=lambda r: r["id"]) if _audit_key(r) not in existing]
    if rows:
        session.execute(insert(table), rows)
    return len(rows)


def load(session: Session, data: dict[str, list[dict]]) -> int:
    """Replace all rows but the audit log's with `data` (typed values), parents first; add the audit events
    of `data` that are missing; move serial sequences past the ids. Returns the audit events added."""
    wipe(session)
    for table in _replaceable():
        if data.get(table.name):
            session.execute(insert(table), data[table.name])
    added = _merge_audit(session, data.get(AUDIT, []))
    if session.bind.dialect.name == "postgresql":
        for table in _tables():
            if "id" in table.c and table.c.id.type.python_type is int:
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                     f"coalesce((SELECT max(id) FROM {table.name}), 1))"))
    return added


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


@dataclass
class Restored:
    rows: dict[str, int]  # per table, from the file
    replaced: dict[str, int]  # per table, what the database held before (the audit log is never replaced)
    audit_added: int


def restore(db: Database, file: Path, *, replace: bool = False, actor: str = "cli") -> Restored:
    """All or nothing: the file is read and checked first, then in one transaction the current data
    (never the audit log) is replaced by the backup's, the backup's missing audit events are added, and
    the restore itself is audited. A database with data is replaced only when `replace` says so."""
    header, data = read_backup(file)
    revision, ours = header.get("revision"), current_revision(db.engine)
    if revision != ours:
        raise BackupError(
            f"{file} is a backup of schema revision {revision}, and this database is at revision {ours}. "
            f"Restore it with the Tally version that made it (schema revision {revision}) into an empty "
            f"database, then run this version's `python app.py migrate` on that database; or take a new "
            f"backup with this version.")
    try:
        with db.session(write=True) as session:
            present = {name: n for name, n in sorted(row_counts(session).items()) if n}
            if present and not replace:
                raise BackupError(f"The database is not empty ({_listing(present)}); restoring {file} would "
                                  "replace all of that. Run again with --replace to do so (the audit log is kept).")
            added = load(session, data)
            rows = {name: len(r) for name, r in data.items() if r}
            session.add(AuditEvent(at=datetime.now(UTC), actor=actor, action="restore", entity="database",
                                   entity_id=file.name[-40:], before={"rows": present},
                                   after={"file": str(file.resolve()), "taken_at": header.get("taken_at"),
                                          "revision": revision, "rows": rows, "audit_events_added": added}))
            session.commit()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise BackupError(f"{file} could not be loaded (backup of revision {revision}, "
                          f"database at {ours}): {reason}.") from None
    return Restored(rows, present, added)


def _listing(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in sorted(counts.items()))
