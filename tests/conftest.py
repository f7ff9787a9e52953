"""Shared fixtures. Storage tests run on SQLite, and on PostgreSQL too when TALLY_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from core.roles import Role
from db.backup import load, snapshot
from db.migrate import upgrade
from db.seed import seed_demo
from db.session import Database
from tools import Actor, Rules, Tally, TickingClock

# A Tuesday afternoon; demo data is dated relative to it, so tests can name exact days.
DEMO_NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
PG_URL = os.environ.get("TALLY_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

ACTORS = {
    "U0SALES1": Actor("U0SALES1", Role.SALES, "Sam Sales", "America/New_York"),
    "U0SALES2": Actor("U0SALES2", Role.SALES, "Sara Lin", "Asia/Shanghai"),
    "U0COLL1": Actor("U0COLL1", Role.COLLECTOR, "Colin Cole", "America/New_York"),
    "U0MGR1": Actor("U0MGR1", Role.MANAGER, "Maya Patel", "America/New_York"),
    "U0ADMIN1": Actor("U0ADMIN1", Role.ADMIN, "Ada Admin", "UTC"),
}


def reset_postgres(url: str) -> None:
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()


class Backend:
    """One migrated database per test run and backend, reset to a seeded snapshot per test."""

    def __init__(self, name: str, tmp: Path):
        self.name = name
        if name == "postgresql":
            reset_postgres(PG_URL)
            self.url = PG_URL
        else:
            self.url = f"sqlite:///{tmp / 'tally-test.db'}"
        self.db = Database(self.url)
        upgrade(self.db.engine)
        with self.db.session(write=True) as session:
            seed_demo(session, DEMO_NOW.date(), DEMO_NOW)
            session.commit()
            self.demo = snapshot(session)

    def reset(self, data: dict | None = None) -> None:
        with self.db.session(write=True) as session:
            load(session, self.demo if data is None else data)
            session.commit()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, tmp_path_factory) -> Backend:
    b = Backend(request.param, tmp_path_factory.mktemp(request.param))
    yield b
    b.db.dispose()


@pytest.fixture
def db(backend: Backend) -> Database:
    """The demo database, fresh for each test."""
    backend.reset()
    return backend.db


@pytest.fixture
def clock() -> TickingClock:
    """Starts at DEMO_NOW and moves 1 ms a reading, like a real clock: code that compares two readings
    fails here as it does in production. Tests compare against stored values, or with a tolerance."""
    return TickingClock(DEMO_NOW)


@pytest.fixture
def tally(db: Database, clock: TickingClock) -> Tally:
    return Tally(db, Rules(), clock)


@pytest.fixture
def actors() -> dict[str, Actor]:
    return ACTORS
