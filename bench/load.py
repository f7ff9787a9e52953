"""Load on a real deployment: `python app.py serve --workers N` (gunicorn, its scheduler beside it) on
PostgreSQL, against a mock Slack Web API and a scripted model served from this process.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--workers 2 1]
                                   [--database postgresql+psycopg://postgres@127.0.0.1:5432/bench_load]

Each simulated user loops for the run's length, waiting 0.2–1 s between requests, over a mix of
`/tally credit ACME` slash commands (40%), mentions the scripted model answers with one tool call (35%)
and "next page" button clicks (25%), all signed as Slack signs them. Printed per worker count: requests,
errors (HTTP status not 200), ack p50/p99 (ms), answers per second (final answers seen in Slack), and
duplicate answers (a request answered twice). The database is emptied, migrated and given the demo
company before each run."""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"
USERS = ("U0SALES1", "U0COLL1", "U0MGR1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    from db.migrate import upgrade
    from db.seed import seed_demo
    from db.session import Database

    base, name = url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(db.engine)
    now = datetime.now(UTC)
    with db.session(write=True) as session:
        seed_demo(session, now.date(), now)
        session.commit()
    db.dispose()


def model_step(request: dict) -> Any:
    """One tool call, then a short reply once the tool's result is in."""
    from tests.fakes.openai_server import reply, tool_calls

    if request["messages"][-1]["role"] == "tool":
        return reply("Here is Acme's credit.")
    return tool_calls(("check_credit", {"customer": "ACME"}))


class Load:
    def __init__(self, port: int, slack: Any, seconds: float, seed: int):
        self.port, self.slack, self.seconds = port, slack, seconds
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors = 0
        self.sent: Counter = Counter()
        self.ids = count(1)
        self.mentions: list[str] = []
        self.commands: list[str] = []

    def post(self, body: str, content_type: str) -> None:
        from tests.fakes.slack_requests import sign

        headers = sign(body, SECRET, content_type=content_type)
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/slack/events", body.encode(), headers)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
                ok = response.status == 200
        except Exception:
            ok = False
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies.append(elapsed)
            self.errors += not ok

    def user(self, who: str, rng: random.Random) -> None:
        from tests.fakes.slack_requests import block_actions, event_callback, slash_command

        ends = time.monotonic() + self.seconds
        while time.monotonic() < ends:
            n = next(self.ids)
            pick = rng.random()
            if pick < 0.40:
                url = f"{self.slack.base_url.removesuffix('/api/')}/api/response.load{n}"
                body, kind = slash_command("credit ACME", who, response_url=url)
                self.sent["command"] += 1
                with self.lock:
                    self.commands.append(f"response.load{n}")
            elif pick < 0.75:
                ts = f"1800000000.{n:06d}"
                event = {"type": "app_mention", "user": who, "text": "<@U0TALLYBOT> how is acme's credit?",
                         "ts": ts, "channel": "C0LOAD", "event_ts": ts}
                body, kind = event_callback(event, f"EvLoad{n:08d}")
                self.sent["mention"] += 1
                with self.lock:
                    self.mentions.append(ts)
            else:
                value = json.dumps({"tool": "check_credit", "args": {"customer": "ACME"}, "page": 0})
                body, kind = block_actions(who, "tally_page", value, channel_id="C0LOAD",
                                           message_ts=f"1700000000.{n:06d}")
                self.sent["click"] += 1
            self.post(body, kind)
            time.sleep(rng.uniform(0.2, 1.0))

    def answered(self) -> tuple[int, int]:
        """(requests answered in Slack, requests answered more than once)."""
        replies: Counter = Counter()
        for call in self.slack.calls:
            thread = call.params.get("thread_ts")
            if call.method in ("chat.postMessage", "chat.startStream") and thread in self._mention_set:
                replies[thread] += 1
        commands = Counter(c.method for c in self.slack.calls if c.method.startswith("response.load"))
        clicks = Counter(c.params.get("ts") for c in self.slack.calls if c.method == "chat.update"
                         and str(c.params.get("ts", "")).startswith("1700000000."))
        done = len(replies) + len(commands) + len(clicks)
        doubled = sum(v > 1 for v in replies.values()) + sum(v > 1 for v in commands.values())
        return done, doubled

    def run(self, users: int) -> dict:
        threads = [threading.Thread(target=self.user, args=(USERS[i % len(USERS)], random.Random(i)))
                   for i in range(users)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        deadline = time.monotonic() + 60  # let the answers still under way arrive
        self._mention_set = set(self.mentions)
        while time.monotonic() < deadline:
            done, _ = self.answered()
            if done >= sum(self.sent.values()):
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        done, doubled = self.answered()
        ms = sorted(x * 1000 for x in self.latencies)
        return {"requests": len(ms), "errors": self.errors, "ack_p50_ms": round(statistics.median(ms), 1),
                "ack_p99_ms": round(ms[int(0.99 * (len(ms) - 1))], 1), "answered": done,
                "answers_per_s": round(done / elapsed, 1), "duplicates": doubled, **self.sent}


def serve(workers: int, port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "serve", "--workers", str(workers)],
                            cwd=ROOT, env=env | {"PORT": str(port)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    ends = time.monotonic() + 90
    while time.monotonic() < ends:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return proc
        except Exception:
            time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGTERM)
    raise SystemExit("serve did not answer /healthz within 90 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 1])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_load")
    args = parser.parse_args()

    from tests.fakes.openai_server import ScriptedOpenAI
    from tests.fakes.slack_api import MockSlack

    results = {}
    with MockSlack() as slack, ScriptedOpenAI() as llm:
        llm.default(model_step)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "SLACK_",
                                                                       "OPENAI_"))}
        env.update(DATABASE_URL=args.database, SLACK_API_URL=slack.base_url, SLACK_BOT_TOKEN="xoxb-load",
                   SLACK_SIGNING_SECRET=SECRET, TALLY_MODEL="tally-test-model", OPENAI_BASE_URL=llm.base_url,
                   OPENAI_API_KEY="load-key")
        for workers in args.workers:
            fresh_database(args.database)
            slack.reset()
            port = free_port()
            proc = serve(workers, port, env)
            try:
                results[workers] = Load(port, slack, args.seconds, workers).run(args.users)
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=60)
            print(f"workers {workers}: {results[workers]}", flush=True)
    keys = ["requests", "errors", "ack_p50_ms", "ack_p99_ms", "answered", "answers_per_s", "duplicates"]
    print(f"\n{'':>16}" + "".join(f"{f'{w} worker(s)':>14}" for w in results))
    for key in keys:
        print(f"{key:>16}" + "".join(f"{results[w][key]:>14}" for w in results))


if __name__ == "__main__":
    main()
