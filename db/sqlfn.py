"""Small SQL expressions that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, cast, func
from sqlalchemy.orm import Session


def days_between(session: Session, later: Any, earlier: Any) -> Any:
    """Whole days from `earlier` to `later` (date columns or literals)."""
    if session.bind.dialect.name == "postgresql":
        return later - earlier
    return cast(func.julianday(later) - func.julianday(earlier), Integer)
