"""CSV import: one transaction for the file, one savepoint per row. Each row stands alone: bad rows are
refused by line number and the good ones are kept; rows already in the database change nothing, so a
file imported twice is imported once. A dry run does all of it and then rolls back. Every import that
writes leaves one audit event with its counts (and one per created or changed record)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from core.errors import InvalidInput, TallyError
from core.roles import Role
from tools.context import Actor, ToolContext
from tools.csv_cells import from_cell
from tools.import_rows import COLUMNS, KEYS, KINDS, show
from tools.member_cache import member_cache
from tools.service import Tally

IMPORT_ACTOR = Actor("cli", Role.ADMIN, "import")
ACTIONS = ("created", "updated", "unchanged", "refused")


@dataclass
class Line:
    number: int
    action: str  # created, updated, unchanged, refused
    key: str = ""
    detail: str = ""  # the changes of an update, the reason of a refusal

    def describe(self) -> str:
        verb = {"created": "create", "updated": "update", "unchanged": "unchanged", "refused": "refused"}
        return f"line {self.number}: {verb[self.action]}" + (f" {self.key}" if self.key else "") + (
            f": {self.detail}" if self.detail else "")


@dataclass
class ImportReport:
    kind: str
    file: Path
    dry_run: bool = False
    lines: list[Line] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for line in self.lines if line.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ACTIONS}

    @property
    def refused(self) -> list[Line]:
        return [line for line in self.lines if line.action == "refused"]

    def summary(self) -> str:
        counts = ", ".join(f"{n} {action}" for action, n in self.counts.items())
        return f"{self.kind} from {self.file.name}: {counts}." + (" Dry run: nothing was written." if self.dry_run
                                                                  else "")


def _db_reason(exc: DBAPIError) -> str:
    text = str(exc.orig or exc).strip().splitlines()
    return f"the database refused the row: {text[0] if text else type(exc.orig).__name__}."


def _columns(kind: str, file: Path, fieldnames: list[str] | None) -> list[str]:
    names = [(c or "").strip().lower() for c in fieldnames or []]
    missing = [c for c in KEYS[kind] if c not in names]
    if missing:
        raise InvalidInput(f"{file.name} has no column {', '.join(missing)}; the first line must name the columns, "
                           f"and {kind} need at least: {', '.join(KEYS[kind])}.")
    unknown = [c for c in names if c not in COLUMNS[kind]]
    twice = sorted({c for c in names if names.count(c) > 1})
    if unknown or twice:
        problem = f"unknown column {', '.join(unknown)}" if unknown else f"column {', '.join(twice)} twice"
        raise InvalidInput(f"{file.name} has {problem}; {kind} take: {', '.join(COLUMNS[kind])}. Nothing was imported.")
    return names


def _row(names: list[str], cells: list[str]) -> dict[str, str]:
    if len(cells) > len(names):
        raise InvalidInput(f"the line has {len(cells)} cells and the first line names {len(names)} columns.")
    return {name: from_cell(cells[i] if i < len(cells) else "") for i, name in enumerate(names)}


def import_csv(tally: Tally, kind: str, file: Path, *, dry_run: bool = False) -> ImportReport:
    """A file that cannot be read as CSV text, or whose columns are wrong, raises InvalidInput and
    imports nothing."""
    report = ImportReport(kind, file, dry_run)
    handler, memo = KINDS[kind], {}
    with tally.db.session(write=True) as session, file.open(newline="", encoding="utf-8-sig") as fh:
        ctx = ToolContext(actor=IMPORT_ACTOR, session=session, clock=tally.clock, rules=tally.rules)
        reader = csv.reader(fh)
        try:
            names = _columns(kind, file, next(reader, None))
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                number = reader.line_num
                savepoint = session.begin_nested()
                try:
                    outcome = handler(ctx, _row(names, cells), memo)
                    session.flush()
                    savepoint.commit()
                    changes = ", ".join(f"{k} {show(a)} → {show(b)}" for k, (a, b) in outcome.changes.items())
                    report.lines.append(Line(number, outcome.action, outcome.key, changes))
                except (TallyError, ValueError) as exc:
                    savepoint.rollback()
                    report.lines.append(Line(number, "refused", detail=str(exc)))
                except DBAPIError as exc:  # e.g. a value longer than its column on PostgreSQL
                    savepoint.rollback()
                    report.lines.append(Line(number, "refused", detail=_db_reason(exc)))
        except UnicodeDecodeError:
            raise InvalidInput(f"{file.name} is not UTF-8 text (near line {reader.line_num + 1}); "
                               "save it as CSV UTF-8. Nothing was imported.") from None
        except csv.Error as exc:
            raise InvalidInput(f"{file.name} line {reader.line_num} is not valid CSV ({exc}). "
                               "Nothing was imported.") from None
        if dry_run:
            return report  # leaving the unit of work without commit rolls everything back
        ctx.audit("import", kind, file.name[-40:], None,
                  {"kind": kind, "file": str(file.resolve()), **report.counts,
                   "refused_lines": [line.number for line in report.refused][:100]})
        session.commit()
    if kind == "members":
        member_cache(tally.db).forget()
    return report


__all__ = ["COLUMNS", "KINDS", "ImportReport", "import_csv"]
