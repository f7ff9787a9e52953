"""The scheduled jobs run in one process at a time: a PostgreSQL advisory lock (an OS file lock on SQLite)
decides which, and a standby takes over when the holder dies or lets go."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import text

from bot.scheduler_guard import GuardedScheduler
from db.scheduler_lock import SCHEDULER_LOCK_KEY, SchedulerLock
from db.session import Database
from tests.fakes.slack_api import MockSlack

WAIT = 30.0  # bounds a stuck test; every wait returns as soon as its condition holds


@pytest.fixture
def url(backend) -> str:
    return backend.url


@pytest.fixture
def two_processes(url):
    """Two engines, as two processes would have: their own connections and so their own sessions."""
    first, second = Database(url), Database(url)
    yield first, second
    first.dispose()
    second.dispose()


def kill_holder(db: Database) -> None:
    """What PostgreSQL sees when the holder's process dies: its session ends, and its locks with it."""
    with db.engine.connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = :key "
                                 "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
                            {"key": SCHEDULER_LOCK_KEY}).scalars().all()
        assert len(pids) == 1, pids
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pids[0]})


def eventually(condition, what: str) -> None:
    done = threading.Event()
    for _ in range(int(WAIT / 0.05)):
        if condition():
            return
        done.wait(0.05)
    raise AssertionError(what)


def test_one_holder_at_a_time_and_a_standby_takes_over_when_the_holder_dies(backend, two_processes):
    if backend.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    first, second = (SchedulerLock(db.engine) for db in two_processes)
    try:
        assert first.try_acquire() and first.try_acquire()  # taken, and still held on the next check
        assert not second.try_acquire() and not second.held
        kill_holder(two_processes[0])
        eventually(second.try_acquire, "the standby never took the lock over")
        assert not first.try_acquire() and not first.held  # its session is gone, and the lock is the other's
        second.release()
        assert first.try_acquire() and not second.try_acquire()
    finally:
        first.release()
        second.release()


def test_two_schedulers_run_jobs_one_after_the_other_never_both(backend, two_processes):
    ran: list[str] = []

    def jobs(name: str):
        def build() -> BackgroundScheduler:
            scheduler = BackgroundScheduler()
            scheduler.add_job(lambda: ran.append(name), "interval", seconds=0.02, max_instances=1)
            return scheduler
        return build

    a = GuardedScheduler(jobs("A"), SchedulerLock(two_processes[0].engine), retry_seconds=0.05)
    b = GuardedScheduler(jobs("B"), SchedulerLock(two_processes[1].engine), retry_seconds=0.05)
    a.start()
    try:
        eventually(lambda: ran.count("A") >= 3, "the first scheduler never ran its jobs")
        b.start()
        eventually(lambda: ran.count("A") >= 20, "the first scheduler stopped running its jobs")
        assert "B" not in ran and a.running_jobs and not b.running_jobs
        a.shutdown()  # lets go of the lease once its jobs have stopped
        eventually(lambda: ran.count("B") >= 3, "the standby never took over")
        assert re.fullmatch("A+B+", "".join(ran)), "".join(ran)
    finally:
        a.shutdown()
        b.shutdown()


def test_a_standby_takes_over_the_jobs_when_the_holders_session_dies(backend, two_processes):
    if backend.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    ran: list[str] = []

    def jobs(name: str):
        def build() -> BackgroundScheduler:
            scheduler = BackgroundScheduler()
            scheduler.add_job(lambda: ran.append(name), "interval", seconds=0.02, max_instances=1)
            return scheduler
        return build

    # The holder notices the loss at its next check, a second from now; the standby tries every 50 ms.
    a = GuardedScheduler(jobs("A"), SchedulerLock(two_processes[0].engine), retry_seconds=1.0)
    b = GuardedScheduler(jobs("B"), SchedulerLock(two_processes[1].engine), retry_seconds=0.05)
    a.start()
    try:
        eventually(lambda: ran.count("A") >= 3, "the first scheduler never ran its jobs")
        b.start()
        kill_holder(two_processes[0])
        eventually(lambda: b.running_jobs and not a.running_jobs, "the standby never took over")
        count = ran.count("A")
        eventually(lambda: ran.count("B") >= 5, "the standby runs no jobs")
        assert ran.count("A") == count  # the old holder stopped its jobs when it lost the lease
    finally:
        a.shutdown()
        b.shutdown()


def test_two_scheduler_processes_one_runs_the_jobs_and_the_other_takes_over_when_it_is_killed(backend, db, tmp_path):
    """`python app.py scheduler` twice on one PostgreSQL database, the holder killed with SIGKILL."""
    if backend.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    root = Path(__file__).resolve().parents[2]
    with MockSlack() as slack:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "SLACK_"))}
        environ.update(DATABASE_URL=backend.url, SLACK_BOT_TOKEN="xoxb-1-scheduler-test", SLACK_SIGNING_SECRET="s" * 32,
                       SLACK_API_URL=slack.base_url, TALLY_SCHEDULER_RETRY_SECONDS="0.2", PYTHONUNBUFFERED="1")
        logs = [tmp_path / "first.log", tmp_path / "second.log"]
        processes = []
        try:
            for log in logs:
                processes.append(subprocess.Popen([sys.executable, str(root / "app.py"), "scheduler"], cwd=tmp_path,
                                                  env=environ, stdout=subprocess.DEVNULL, stderr=log.open("w")))
                if log is logs[0]:
                    eventually(lambda: "runs the scheduled jobs" in logs[0].read_text(), "the first never ran jobs")
            eventually(lambda: "stands by" in logs[1].read_text(), "the second never stood by")
            assert "sweep:" in logs[0].read_text() and "sweep:" not in logs[1].read_text()
            processes[0].send_signal(signal.SIGKILL)
            processes[0].wait(WAIT)
            eventually(lambda: "sweep:" in logs[1].read_text(), "the second never took over the jobs")
            assert "runs the scheduled jobs" in logs[1].read_text()
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(WAIT)
    assert processes[1].returncode == 0
    assert "Traceback" not in logs[1].read_text(), logs[1].read_text()
