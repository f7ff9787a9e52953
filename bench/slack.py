"""Ack latency of the Slack front end: how long Slack waits for Tally's HTTP answer to a signed event.

    /work/venv/bin/python bench/slack.py [--events 1000] [--senders 4] [--repeat 3]

Two apps are served in this process by `bot.serve.http_server`, each on its own port: Tally
(`create_app`, no model, on a demo SQLite database under bench/out/) and a bare `slack_bolt.App` with one
echo listener. "Slack" runs in a child process: it sends signed `app_mention` events ("credit ACME" from
U0SALES1, a distinct event id each) and answers the Web API calls the apps make (tests.fakes.MockSlack).
A sample is the time from sending the request (signed beforehand) to reading the response, once
sequentially and once from a few concurrent senders. After each batch the child waits until every
event was answered in Slack (Tally: the placeholder updated with the credit card; bare: the echo), so
one batch's background work does not spill into the next, and reports how long that took.
Each figure printed is the median over the repeats; the ratio is Tally / bare."""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
SECRET = "5f3c1b7e9a2d4c6e8b0a1f3d5c7e9b2a"
PATH = "/slack/events"
WARM_UP = 30


# "Slack": the child process --------------------------------------------------------------------------

def _send(port: int, body: str) -> tuple[int, float]:
    from tests.fakes.slack_requests import sign

    headers = sign(body, SECRET)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    connection.request("POST", PATH, body=body.encode(), headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, elapsed


def _mention(event_id: str, ts: str) -> str:
    from tests.fakes.slack_requests import event_callback

    event = {"type": "app_mention", "user": "U0SALES1", "text": "<@U0TALLYBOT> credit ACME", "ts": ts,
             "channel": "C0BENCH", "event_ts": ts}
    return event_callback(event, event_id)[0]


def _batch(slack: Any, ids: count, port: int, events: int, senders: int, answered_by: str) -> dict:
    """Send `events` mentions from `senders` threads; then wait until each was answered with `answered_by`."""
    def sender(share: int) -> list[tuple[int, float]]:
        results = []
        for _ in range(share):
            n = next(ids)  # itertools.count is atomic under the GIL
            results.append(_send(port, _mention(f"EvBench{n:08d}", f"1700000000.{n:06d}")))
        return results

    shares = [events // senders + (1 if i < events % senders else 0) for i in range(senders)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=senders) as pool:
        results = [r for part in pool.map(sender, shares) for r in part]
    slack.wait_for(answered_by, count=events, timeout=300)
    answered = time.perf_counter() - started
    slack.reset()
    return {"latencies": [seconds for _, seconds in results],
            "failed": sum(status != 200 for status, _ in results), "answered_s": answered}


def slack_side(conn: Any) -> None:
    """The child: a mock Web API for the apps, and the sender of signed events."""
    from tests.fakes.slack_api import MockSlack

    ids = count(1)
    with MockSlack() as slack:
        conn.send(slack.base_url)
        while (message := conn.recv()) != "stop":
            port, events, senders, answered_by = message
            conn.send(_batch(slack, ids, port, events, senders, answered_by))


# the apps: this process ------------------------------------------------------------------------------

def tally_app(client: Any) -> tuple[Any, Any]:
    from bot.slack_app import create_app
    from db.migrate import upgrade
    from db.seed import seed_demo
    from db.session import Database
    from tools import Rules, SystemClock, Tally

    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("slack-bench.db*"):
        old.unlink()
    db = Database(f"sqlite:///{OUT / 'slack-bench.db'}")
    upgrade(db.engine)
    now = datetime.now(UTC)
    with db.session(write=True) as session:
        seed_demo(session, now.date(), now)
        session.commit()
    tally = Tally(db, Rules(), SystemClock())
    return create_app(tally, client, SECRET), tally


def ack_parts(tally: Any, n: int = 200) -> dict[str, float]:
    """Tally's own steps around the ack, timed in process with nothing else running (median ms)."""

    def median_ms(step: Any) -> float:
        samples = []
        for i in range(n):
            started = time.perf_counter()
            step(i)
            samples.append(time.perf_counter() - started)
        return statistics.median(samples) * 1000

    return {"before it, Slack user mapped to a member (cached)": median_ms(lambda i: tally.actor_for("U0SALES1")),
            "after it, event id claimed (one SQLite commit)":
                median_ms(lambda i: tally.slack_state.claim_event(f"EvPart{i}"))}


def bare_app(client: Any) -> Any:
    from slack_bolt import App

    app = App(client=client, signing_secret=SECRET)

    @app.event("app_mention")
    def echo(event: dict, say: Any) -> None:
        say(text=event["text"], thread_ts=event["ts"])

    return app


def serve(app: Any) -> tuple[Any, int]:
    from bot.serve import http_server

    server = http_server(app, 0, host="127.0.0.1", signing_secret=SECRET)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, server.server_port


def stats(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {"p50": statistics.median(ordered) * 1000, "p99": ordered[int(0.99 * (len(ordered) - 1))] * 1000,
            "mean": statistics.fmean(ordered) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000, help="signed events per batch")
    parser.add_argument("--senders", type=int, default=4, help="concurrent senders in the second mode")
    parser.add_argument("--repeat", type=int, default=3, help="batches per app and mode; medians are printed")
    args = parser.parse_args()

    import logging

    logging.basicConfig(level=logging.ERROR)
    from bot.slack_app import slack_client

    context = multiprocessing.get_context("spawn")
    conn, child_conn = context.Pipe()
    child = context.Process(target=slack_side, args=(child_conn,), daemon=True)
    child.start()
    api_url = conn.recv()
    app, tally = tally_app(slack_client("xoxb-bench", api_url))
    apps = {"tally": ("chat.update", app),
            "bare": ("chat.postMessage", bare_app(slack_client("xoxb-bench", api_url)))}
    servers = {name: serve(app) for name, (_, app) in apps.items()}

    def batch(name: str, events: int, senders: int) -> dict:
        conn.send((servers[name][1], events, senders, apps[name][0]))
        result = conn.recv()
        if result["failed"]:
            raise SystemExit(f"{name}: {result['failed']} of {events} events were not answered 200")
        return result

    modes = {"sequential": 1, f"{args.senders} senders": args.senders}
    runs: dict[tuple[str, str], list[dict]] = {(m, a): [] for m in modes for a in apps}
    try:
        for name in apps:
            batch(name, WARM_UP, 1)
        for r in range(args.repeat):
            for mode, senders in modes.items():
                for name in apps:  # interleaved, so a noisy moment hits both apps
                    result = batch(name, args.events, senders)
                    runs[mode, name].append({**stats(result["latencies"]), "answered": result["answered_s"]})
                    print(f"  run {r + 1}/{args.repeat} {mode:<11} {name:<5} "
                          f"p50 {runs[mode, name][-1]['p50']:6.2f} ms", file=sys.stderr)
    finally:
        conn.send("stop")
        child.join(timeout=10)
        for server, _ in servers.values():
            server.shutdown()
            server.server_close()
    print_table(runs, modes, args)
    for step, ms in ack_parts(tally).items():
        print(f"  Tally's ack: {step}: {ms:.2f} ms")


def print_table(runs: dict, modes: dict, args: argparse.Namespace) -> None:
    def median(mode: str, name: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[mode, name])

    print(f"Ack latency in ms: signed app_mention events over HTTP until the response; median of "
          f"{args.repeat} runs of {args.events:,} events, {multiprocessing.cpu_count()} CPUs")
    print(f"{'mode':<12} {'app':<11} {'p50':>7} {'p99':>7} {'mean':>7}   {'all answered in Slack after':>27}")
    for mode in modes:
        for name in ("tally", "bare"):
            cells = [median(mode, name, k) for k in ("p50", "p99", "mean")]
            answered = median(mode, name, "answered")
            print(f"{mode:<12} {name:<11} " + " ".join(f"{c:7.2f}" for c in cells)
                  + f"   {answered:8.2f} s ({args.events / answered:5.0f}/s)")
        ratio = [median(mode, "tally", k) / median(mode, "bare", k) for k in ("p50", "p99", "mean")]
        print(f"{mode:<12} {'tally/bare':<11} " + " ".join(f"{c:6.2f}x" for c in ratio))


if __name__ == "__main__":
    main()
