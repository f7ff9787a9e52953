"""The scheduler's lease: whichever process holds it runs the jobs, every other one stands by.

On PostgreSQL a session-level advisory lock on a connection kept for the lock's life: PostgreSQL frees
it the moment that session ends, however its process died, so a standby's next try takes over. On an
SQLite file an OS lock on a file beside the database, freed the same way when the process ends; an
in-memory SQLite database is one process by nature."""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)
SCHEDULER_LOCK_KEY = 0x7A11_5C4E  # one bigint key for Tally's scheduler in the database's advisory locks


class SchedulerLock:
    def __init__(self, engine: Engine, key: int = SCHEDULER_LOCK_KEY) -> None:
        self.engine, self.key = engine, key
        self._conn: Connection | None = None
        self._file: int | None = None
        self._held = False

    @property
    def held(self) -> bool:
        return self._held

    def try_acquire(self) -> bool:
        """True while this process holds the lease: takes it when free, and checks it still has it
        (a lost connection loses the lock, and another process may hold it by now)."""
        if self.engine.dialect.name == "postgresql":
            self._held = self._postgres()
        else:
            self._held = self._sqlite()
        return self._held

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            except DBAPIError:
                pass  # the session is gone, and the lock with it
            self._drop()
        if self._file is not None:
            os.close(self._file)  # closing the descriptor frees the OS lock
            self._file = None
        self._held = False

    def _postgres(self) -> bool:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except DBAPIError:
                # Lost with the session: its jobs stop now, and the next try competes like any standby's.
                log.warning("the scheduler lock's database connection was lost")
                self._drop()
                return False
        try:
            # Autocommit: the connection waits idle between checks, never inside an open transaction.
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except DBAPIError:
            log.warning("the database is unreachable; the scheduler waits for it", exc_info=True)
            return False
        try:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        except DBAPIError:
            got = False
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def _drop(self) -> None:
        assert self._conn is not None
        try:
            self._conn.invalidate()  # never back into the pool: the session and any lock it holds end here
            self._conn.close()
        except DBAPIError:
            pass
        self._conn = None

    def _sqlite(self) -> bool:
        database = self.engine.url.database
        if not database or database == ":memory:":
            return True
        if self._file is not None:
            return True
        fd = os.open(Path(database).with_name(Path(database).name + ".scheduler-lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._file = fd
        return True
