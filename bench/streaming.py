"""What a streamed answer costs next to the placeholder: Slack Web API calls per answer and the time from
the mention to the answer's cards in the thread, for an agent answer with one tool call.

    .venv/bin/python bench/streaming.py [--answers 50]

The real Bolt app over signed HTTP (tests/e2e/slack_harness.py) on a demo SQLite database under
bench/out/, the scripted model (instant: this measures Tally and Slack's side, not a model), and the mock
Slack, once streaming (startStream, appendStream per task, stopStream) and once refusing streams (the
placeholder updated in place). Mentions are sent one at a time; a sample ends when the answer's cards
are in the thread. Printed: calls per answer by method, and p50 / p90 ms of mention-to-cards."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
WARM_UP = 5  # answers not counted: the first builds the agent and warms the connections


def demo_tally():
    from db.migrate import upgrade
    from db.seed import seed_demo
    from db.session import Database
    from tools import Rules, SystemClock, Tally

    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("streaming-bench.db*"):
        old.unlink()
    db = Database(f"sqlite:///{OUT / 'streaming-bench.db'}")
    upgrade(db.engine)
    now = datetime.now(UTC)
    with db.session(write=True) as session:
        seed_demo(session, now.date(), now)
        session.commit()
    return Tally(db, Rules(), SystemClock())


def run(streams: bool, answers: int) -> tuple[Counter, list[float]]:
    from tests.e2e.slack_harness import slack_world
    from tests.fakes.openai_steps import tool_calls

    done_by = "chat.stopStream" if streams else "chat.update"
    with slack_world(demo_tally(), streams=streams) as world:
        world.llm.default(tool_calls(("check_credit", {"customer": "Globex"})))
        samples = []
        for n in range(WARM_UP + answers):
            if n == WARM_UP:
                world.slack.reset()  # counted from here; a refusing workspace stays refusing
                world.slack.refuse_streams(None if streams else "not_allowed")
            started = time.perf_counter()
            world.mention("U0MGR1", "how is Globex on credit?", ts=f"1700{int(streams)}{n:05d}.000100")
            world.slack.wait_for(done_by, count=n + 1 - (WARM_UP if n >= WARM_UP else 0))
            if n >= WARM_UP:
                samples.append((time.perf_counter() - started) * 1000)
            world.settle()
        calls = Counter(c.method for c in world.slack.calls if c.method.startswith("chat."))
    return calls, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=50)
    answers = parser.parse_args().answers
    for streams, name in ((False, "placeholder"), (True, "streamed")):
        calls, samples = run(streams, answers)
        per = ", ".join(f"{method} {count / answers:g}" for method, count in sorted(calls.items()))
        cuts = statistics.quantiles(samples, n=10)
        print(f"{name:<12} mention to cards p50 {statistics.median(samples):6.1f} ms  p90 {cuts[8]:6.1f} ms  "
              f"calls per answer: {per}")


if __name__ == "__main__":
    main()
