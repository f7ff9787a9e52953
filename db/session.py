"""Engine and unit of work. Leaving a unit of work without commit() rolls it back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

WRITE = "tally_write"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _sqlite_transactions(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=40, **kwargs)


def _sqlite_transactions(engine: Engine) -> None:
    """pysqlite begins lazily and upgrades read locks late, which deadlocks two writers.
    Take over BEGIN so that writes start with BEGIN IMMEDIATE: SQLite's single writer, queued."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            # WAL lets readers work while one writer commits; NORMAL syncs at checkpoints, not every commit
            # (consistent after a crash; only a power cut can lose the last moments).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """One engine and its session factory; hands out units of work."""

    def __init__(self, url: str, **engine_kwargs: Any):
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """A session in one transaction: commit explicitly; anything else rolls back."""
        session = self._sessions()
        try:
            session.connection(execution_options={WRITE: write})
            yield session
        finally:
            session.close()  # rolls back what was not committed; loaded objects stay readable

    def dispose(self) -> None:
        self.engine.dispose()


def is_outage(exc: BaseException) -> bool:
    """The database is down or unreachable (not a bad statement or a constraint)."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
