"""Shared fixtures. Storage tests run on SQLite, and on PostgreSQL too when TALLY_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from core.roles import Role
from db.backup import load, snapshot
from db.migrate import upgrade
from db.models import AuditEvent
from db.seed import seed_demo
from db.session import Database
from tests.fakes.slack_api import take_invalid_payloads
from tools import Actor, Rules, Tally, TickingClock
from tools.member_cache import member_cache

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


@contextmanager
def audit_log_unlocked(session: Session):
    """Tests only: lift the append-only triggers of audit_events for the rest of this transaction, so a
    reset can put the log back as well. On PostgreSQL replica mode skips (non-replica) triggers until the
    transaction ends; SQLite's triggers are dropped and created again inside the transaction."""
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
        yield
        return
    triggers = session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                    "AND tbl_name = 'audit_events'")).all()
    assert triggers, "the append-only triggers are missing"
    for name, _ in triggers:
        session.execute(text(f"DROP TRIGGER {name}"))
    yield
    for _, sql in triggers:
        session.execute(text(sql))


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
            with audit_log_unlocked(session):  # the log too goes back to the snapshot's
                session.execute(delete(AuditEvent))
                load(session, self.demo if data is None else data)
            session.commit()
        member_cache(self.db).forget()  # members were rewritten behind the service's back


@pytest.fixture(scope="session", autouse=True)
def no_database_in_the_project():
    """Tests keep their databases in their own folders: the embedded default never lands in the project."""
    project_db = Path(__file__).resolve().parents[1] / "tally.db"
    existed = project_db.exists()
    yield
    assert existed or not project_db.exists(), "a test wrote tally.db into the project folder; set TALLY_DATA_DIR"


@pytest.fixture(autouse=True)
def slack_payloads_slack_accepts():
    """Every message and view sent to a mock Slack during the test is one Slack would accept, with its
    text fallback: a test that sent an invalid one fails here, even when the product swallowed the error."""
    take_invalid_payloads()  # left by a mock shared with earlier tests after they ended
    yield
    invalid = take_invalid_payloads()
    assert not invalid, "payloads Slack would refuse or that lack a text fallback:\n" + "\n".join(map(str, invalid))


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

