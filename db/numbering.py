"""Gapless document numbers (SO-YYYY-NNNNN, INV-YYYY-NNNNN), safe under concurrent creation.

The counter row is locked in the document's own transaction: a rollback gives the number back,
a commit uses it, and a second writer waits. Nothing is ever skipped or reused."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import DocumentCounter


def _ensure(session: Session, kind: str, year: int) -> None:
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(DocumentCounter).values(kind=kind, year=year, last_value=0).on_conflict_do_nothing()
    )


def next_number(session: Session, kind: str, year: int) -> str:
    _ensure(session, kind, year)
    value = session.execute(
        update(DocumentCounter)
        .where(DocumentCounter.kind == kind, DocumentCounter.year == year)
        .values(last_value=DocumentCounter.last_value + 1)
        .returning(DocumentCounter.last_value)
    ).scalar_one()
    return f"{kind}-{year}-{value:05d}"


def bump_to(session: Session, kind: str, year: int, value: int) -> None:
    """After importing numbers from another system, continue the series after the highest one."""
    _ensure(session, kind, year)
    session.execute(update(DocumentCounter).where(
        DocumentCounter.kind == kind, DocumentCounter.year == year, DocumentCounter.last_value < value)
        .values(last_value=value))
