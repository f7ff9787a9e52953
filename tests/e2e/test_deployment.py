"""A real deployment stays clean: `serve`, `scheduler` and the other commands never fill the embedded
default database with the demo company (only the console's first start and `seed --demo` do), every
command says which database it opens, and none prints Alembic's progress. Subprocesses of `app.py`, with
the embedded default kept in the test's folder through TALLY_DATA_DIR."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from db.models import AuditEvent, Customer, Member
from db.session import Database
from tests.e2e.test_serve import SECRET, TOKEN, free_port, wait_for_port
from tests.fakes.slack_api import MockSlack

ROOT = Path(__file__).resolve().parents[2]


def environment(data_dir: Path, **settings: str) -> dict[str, str]:
    prefixes = ("DATABASE_URL", "TALLY_", "OPENAI_", "SLACK_", "PORT")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return {**environ, "TALLY_DATA_DIR": str(data_dir), **settings}


def counts(data_dir: Path) -> dict[str, int]:
    db = Database(f"sqlite:///{data_dir / 'tally.db'}")
    try:
        with db.session() as session:
            return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                    for model in (Member, Customer, AuditEvent)}
    finally:
        db.dispose()


def start(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "app.py"), *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


def said_database(err: str, data_dir: Path) -> bool:
    return err.startswith(f"Database: sqlite:///{data_dir / 'tally.db'} (the embedded default)\n")


def test_serve_on_the_embedded_default_starts_empty_and_never_seeds(tmp_path):
    data, port = tmp_path / "data", free_port()
    with MockSlack() as slack:
        process = start(["serve"], tmp_path, environment(data, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                                                         SLACK_API_URL=slack.base_url, PORT=str(port)))
        try:
            wait_for_port(port, process)  # listening: the database was opened (and would have been seeded)
        finally:
            out, err = stop(process)
    assert said_database(err, data), err
    assert "alembic" not in err.lower() and "Traceback" not in out + err
    assert counts(data) == {"members": 0, "customers": 0, "audit_events": 0}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # nothing in the working directory


def test_scheduler_and_commands_on_the_embedded_default_never_seed_and_print_no_migration_log(tmp_path):
    data = tmp_path / "data"
    with MockSlack() as slack:
        env = environment(data, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.base_url)
        process = start(["scheduler"], tmp_path, env)
        try:
            for line in process.stderr:  # jobs are scheduled after the database was opened
                if "Scheduler started" in line:
                    break
        finally:
            out, err = stop(process)
        assert process.returncode == 0, err  # Ctrl-C stops it: not swallowed by a pass under way, no kill needed
        assert "Executor lookup" not in err and "Traceback" not in err, err
        assert counts(data) == {"members": 0, "customers": 0, "audit_events": 0}, out + err

        for args, answer in ((["reminders", "send"], None), (["reminders", "list"], "The outbox is empty.\n"),
                             (["members", "list"], "")):
            result = subprocess.run([sys.executable, str(ROOT / "app.py"), *args], cwd=tmp_path, env=env,
                                    capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, (args, result.stdout, result.stderr)
            assert said_database(result.stderr, data), (args, result.stderr)
            assert "alembic" not in result.stderr.lower() and "Running upgrade" not in result.stderr, result.stderr
            assert answer is None or result.stdout == answer, (args, result.stdout)
    assert counts(data) == {"members": 0, "customers": 0, "audit_events": 0}

    seeded = subprocess.run([sys.executable, str(ROOT / "app.py"), "seed", "--demo"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0 and "Demo data loaded." in seeded.stdout
    assert counts(data) == {"members": 7, "customers": 20, "audit_events": 1}
