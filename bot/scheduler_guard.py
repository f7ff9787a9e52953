"""The scheduled jobs run in one process at a time, whatever runs them (`python app.py scheduler`, `serve`,
or several deployments of either): each holds the jobs only while it holds the scheduler's lease (a
PostgreSQL advisory lock, see db/scheduler_lock.py), and a standby tries again every few seconds so
that it takes over when the holder dies."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from apscheduler.schedulers.base import BaseScheduler

log = logging.getLogger(__name__)
RETRY_SECONDS = 15.0


class Lease(Protocol):
    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


class GuardedScheduler:
    """Starts and stops like an APScheduler scheduler; builds and runs the real one only while it holds
    the lease, and shuts it down (letting a pass under way finish) the moment the lease is lost."""

    def __init__(self, build: Callable[[], BaseScheduler], lease: Lease, retry_seconds: float = RETRY_SECONDS):
        self.build, self.lease, self.retry_seconds = build, lease, retry_seconds
        self.jobs: BaseScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running_jobs(self) -> bool:
        return self.jobs is not None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, name="scheduler-lease", daemon=True)
        self._thread.start()

    def shutdown(self, wait: bool = True) -> None:
        self._stop.set()
        if self._thread is not None and wait:
            self._thread.join()

    def _watch(self) -> None:
        standing_by = False
        try:
            while not self._stop.is_set():
                try:
                    held = self.lease.try_acquire()
                except Exception:  # the next try may find the database back
                    log.exception("checking the scheduler lease failed")
                    held = False
                if held and self.jobs is None:
                    log.info("this process runs the scheduled jobs")
                    self.jobs = self.build()
                    self.jobs.start()
                elif not held and self.jobs is not None:
                    log.warning("the scheduler lease was lost: this process stops running jobs")
                    self._stop_jobs()
                elif not held and not standing_by:
                    log.info("another process runs the scheduled jobs; this one stands by")
                standing_by = not held
                self._stop.wait(self.retry_seconds)
        finally:
            self._stop_jobs()
            self.lease.release()

    def _stop_jobs(self) -> None:
        if self.jobs is not None:
            self.jobs.shutdown(wait=True)
            self.jobs = None
