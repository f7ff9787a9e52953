"""The answering work leaves the web process: a web worker acknowledges a mention and queues it without
calling the model; an answer worker, with an app of its own, answers it once. A redelivered event is
queued once; a job whose worker died mid-answer is not answered twice but the person is told to ask
again; and on PostgreSQL two workers answering at once answer each request exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from langchain_openai import ChatOpenAI
from sqlalchemy import func, select

from bot.agent.turn import Conversation
from bot.answer_queue import INTERRUPTED, AnswerWorker
from bot.slack_app import create_app, slack_client
from db.models import AnswerJob
from tests.e2e.slack_harness import SECRET, slack_world
from tests.e2e.test_serve import ROOT, free_port, wait_for_port
from tests.fakes.openai_server import reply, tool_calls
from tests.fakes.slack_api import MockSlack
from tests.fakes.slack_requests import SlackClientSim, event_callback
from tools import TickingClock


def worker_for(world, name: str = "answers:test") -> AnswerWorker:
    """An answer worker as `python app.py answers` builds it: its own app, the same database and Slack."""
    model = ChatOpenAI(model="m", base_url=world.llm.base_url, api_key="t", max_retries=0, timeout=5,
                       use_responses_api=False)
    client = slack_client("xoxb-test", world.slack.base_url)
    app = create_app(world.tally, client, SECRET, Conversation(world.tally, model), answers_here=True)
    return AnswerWorker(app, world.tally.answer_queue, client, name)


def credit_answer(llm) -> None:
    llm.push(tool_calls(("check_credit", {"customer": "ACME"})), reply("Acme has room."))


def thread_posts(slack, ts: str) -> list:
    """What was posted in the thread of `ts`, and the updates of those posts."""
    posted = [c for c in slack.calls if c.method in ("chat.postMessage", "chat.startStream")
              and c.params.get("thread_ts") == ts]
    stamps = {m["ts"] for m in slack.messages() if m.get("thread_ts") == ts}
    return posted + [c for c in slack.calls_to("chat.update") if c.params.get("ts") in stamps]


def test_a_web_worker_queues_a_mention_and_an_answer_worker_answers_it_once(tally):
    with slack_world(tally, answer_queue=tally.answer_queue) as world:
        credit_answer(world.llm)
        (status, _, _), ts = world.mention("U0SALES1", "how is acme's credit?")
        world.settle()
        assert status == 200
        assert world.llm.calls_count == 0 and not thread_posts(world.slack, ts)  # nothing answered in the web
        assert tally.answer_queue.counts() == {"pending": 1}
        worker = worker_for(world)
        assert worker.run_once() is True
        assert worker.run_once() is False  # nothing more to do
        updates = [c for c in thread_posts(world.slack, ts) if c.method == "chat.update"]
        assert len(updates) == 1 and "Credit for Acme Corp" in updates[0].params["text"]
        assert world.llm.calls_count == 1 and tally.answer_queue.counts() == {"done": 1}


def test_a_redelivered_mention_is_queued_once(tally):
    with slack_world(tally, answer_queue=tally.answer_queue) as world:
        _, ts = world.mention("U0SALES1", "how is acme's credit?")
        world.mention("U0SALES1", "how is acme's credit?", ts=ts, retry_num=1)
        world.settle()
        assert tally.answer_queue.counts() == {"pending": 1}


def test_an_interrupted_answer_is_not_given_twice_and_the_person_is_told(tally):
    tally.clock = clock = TickingClock(tally.clock.now())
    with slack_world(tally, answer_queue=tally.answer_queue) as world:
        _, ts = world.mention("U0SALES1", "how is acme's credit?")
        world.settle()
        assert tally.answer_queue.claim("answers:died") is not None  # claimed, then the worker died
        clock.at += timedelta(minutes=6)  # its lease ran out
        worker = worker_for(world)
        assert worker.run_once() is False  # nothing pending: the interrupted one is not run again
        posts = thread_posts(world.slack, ts)
        assert [p.params.get("text") for p in posts] == [INTERRUPTED]
        assert world.llm.calls_count == 0 and tally.answer_queue.counts() == {"interrupted": 1}
        worker.run_once()
        assert len(thread_posts(world.slack, ts)) == 1  # told once


def test_two_answer_workers_answer_each_request_exactly_once(backend, tally):
    if backend.name != "postgresql":
        pytest.skip("answer workers run beside web workers on PostgreSQL; SQLite answers in process")
    with slack_world(tally, answer_queue=tally.answer_queue) as world:
        world.llm.default(lambda request: reply("Noted.") if request["messages"][-1]["role"] == "tool"
                          else tool_calls(("check_credit", {"customer": "ACME"})))
        stamps = [world.mention("U0SALES1", f"credit of acme, take {i}")[1] for i in range(12)]
        world.settle()
        workers = [worker_for(world, f"answers:test:{i}") for i in range(2)]
        stop = threading.Event()
        threads = [threading.Thread(target=w.run_until, args=(stop,)) for w in workers]
        for t in threads:
            t.start()
        try:
            world.slack.wait_for("chat.update", count=12, timeout=120)
        finally:
            stop.set()
            for t in threads:
                t.join()
        answered = Counter(c.params["ts"] for c in world.slack.calls_to("chat.update"))
        placeholders = Counter(c.params["thread_ts"] for c in world.slack.calls_to("chat.postMessage"))
        assert set(placeholders) == set(stamps) and max(placeholders.values()) == 1
        assert len(answered) == 12 and max(answered.values()) == 1
        assert tally.answer_queue.counts() == {"done": 12}


@pytest.mark.skipif(not os.environ.get("TALLY_TEST_DATABASE_URL"), reason="answer workers share a PostgreSQL queue")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_serve_with_workers_on_postgresql_answers_mentions_through_its_answer_worker(backend, db, tmp_path):
    port = free_port()
    with MockSlack() as slack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "SLACK_", "OPENAI_"))}
        env.update(DATABASE_URL=backend.url, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET,
                   SLACK_API_URL=slack.base_url, PORT=str(port))
        # no scheduler: its jobs would run on against this test database after the test
        process = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "serve", "--workers", "2", "--no-scheduler"],
                                   cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for_port(port, process)
            sim = SlackClientSim(f"http://127.0.0.1:{port}", SECRET)
            for n in range(3):
                ts = f"1700000{n:03d}.000100"
                mention = {"type": "app_mention", "user": "U0SALES1", "text": "<@U0TALLYBOT> credit ACME", "ts": ts,
                           "channel": "C0SALES", "event_ts": ts}
                assert sim.post(*event_callback(mention, f"Ev0QUEUE{n}"))[0] == 200
            updates = slack.wait_for("chat.update", count=3, timeout=60)
            assert all("Acme Corp" in (u.params.get("text") or "") for u in updates)
            ends = time.monotonic() + 30  # the worker marks a job done right after its answer is posted
            while time.monotonic() < ends and jobs_by_status(db) != {"done": 3}:
                time.sleep(0.1)
            assert jobs_by_status(db) == {"done": 3}  # answered by the answer worker, not in the web workers
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                out, err = process.communicate(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in out + err, err


def jobs_by_status(db) -> dict:
    with db.session() as s:
        return dict(s.execute(select(AnswerJob.status, func.count()).group_by(AnswerJob.status)).all())
