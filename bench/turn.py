"""What a conversation turn costs besides the model: latency, model calls and prompt size per read request.

    /work/venv/bin/python bench/turn.py --turns 300 --backends sqlite postgresql [--profile]

The model is instant: the scripted OpenAI-compatible server of the tests answers every request with a
check_credit call for ACME, and the real ChatOpenAI talks to it over HTTP. The database is bench/reports.py's
scale database of N invoices (built there, reused here). Each turn is a new thread, as a salesperson asking
"can Acme take a 5000 order?" is; the Actor is ACME's owner rep. Measured per turn:
- total: `Conversation.handle_turn` wall time;
- model HTTP: time inside the HTTP calls to the model (an httpx transport that times each round trip and
  reads the body), so total - model HTTP is Tally's overhead: prompt, agent loop, tool, memory, turn log;
- tool: time inside `Tally.read`, part of the overhead;
- model calls (must be 1 for a read), and the prompt: the server's token estimate (json length / 4),
  the request's JSON size, and the characters of the system prompt, turn context and tool specs.
Targets: 1 model call per read, <= 2,500 prompt tokens, <= 15 ms p50 overhead.

Per role (also alone, with --roles, on a small demo database): the tools each role is offered and the
size of its first request, against the same request offering every tool (as before tools were per role)."""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import socket
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from langchain_openai import ChatOpenAI  # noqa: E402
from sqlalchemy import delete  # noqa: E402

from bench.reports import SEED_NOW, database_url, ensure_seeded  # noqa: E402
from bot.agent.prompt import system_prompt, turn_context  # noqa: E402
from bot.agent.toolkit import tool_specs  # noqa: E402
from bot.agent.turn import Conversation  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import ConversationMessage, TurnLog  # noqa: E402
from db.seed import seed_demo  # noqa: E402
from db.session import Database  # noqa: E402
from tests.fakes.openai_server import ScriptedOpenAI, estimate_tokens, reply, tool_calls  # noqa: E402
from tests.fakes.openai_server import _Handler as ScriptedHandler  # noqa: E402
from tools import FixedClock, Rules, Tally  # noqa: E402

USER, QUESTION = "U0SALES1", "can Acme take a 5000 order?"
THREAD = "bench-turn"
TARGET_TOKENS, TARGET_OVERHEAD_MS = 2_500, 15.0


class Stopwatch:
    """Seconds spent inside wrapped callables, per name, over the whole run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def add(self, name: str, started: float) -> None:
        self.seconds[name] += time.perf_counter() - started

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(name, started)
        return timed


WATCH = Stopwatch()
PARTS = ("http", "model", "tool", "memory", "log")


class TimedChatOpenAI(ChatOpenAI):
    """ChatOpenAI timed whole: langchain's conversions, the OpenAI SDK and the HTTP call."""

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return super()._generate(*args, **kwargs)
        finally:
            WATCH.add("model", started)


class TimedTransport(httpx.HTTPTransport):
    """Times each request until its body is read: the model's own share of a turn. Without TCP_NODELAY a
    POST's body waits for the ACK of its headers, which the server delays: 40 ms on Linux loopback."""

    def __init__(self) -> None:
        super().__init__(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = super().handle_request(request)
        response.read()
        WATCH.add("http", started)
        return response


class _NoDelayHandler(ScriptedHandler):
    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # headers and body: two writes


class FastScriptedOpenAI(ScriptedOpenAI):
    """The tests' scripted server, answering without the 40 ms delayed-ACK stall between two small writes."""

    handler_class = _NoDelayHandler


class Bench:
    def __init__(self, db: Database, llm: ScriptedOpenAI):
        self.db, self.llm = db, llm
        self.tally = Tally(db, Rules(), FixedClock(SEED_NOW))
        self.actor = self.tally.actor_for(USER)
        model = TimedChatOpenAI(model="tally-bench", base_url=llm.base_url, api_key="bench", timeout=10,
                                max_retries=0, use_responses_api=False,
                                http_client=httpx.Client(transport=TimedTransport()))
        self.conversation = Conversation(self.tally, model, timeout_s=10)
        # what a turn spends outside the agent loop and the model, timed where it is called
        self.tally.read = WATCH.wrap("tool", self.tally.read)  # type: ignore[method-assign]
        memory = self.conversation.memory
        memory.history = WATCH.wrap("memory", memory.history)  # type: ignore[method-assign]
        memory.save_turn = WATCH.wrap("log", memory.save_turn)  # type: ignore[method-assign]

    def turn(self, thread_key: str) -> dict[str, Any]:
        before, calls = dict(WATCH.seconds), self.llm.calls_count
        started = time.perf_counter()
        reply = self.conversation.handle_turn(self.actor, thread_key, QUESTION)
        total = time.perf_counter() - started
        if reply.status != "answered" or [o.tool for o in reply.results] != ["check_credit"]:
            raise AssertionError(f"unexpected turn: {reply.status} {reply.text[:200]}")
        request = self.llm.last_request or {}
        ms = {f"{part}_ms": (WATCH.seconds[part] - before.get(part, 0.0)) * 1000 for part in PARTS}
        return {"total_ms": total * 1000, **ms, "model_calls": reply.stats.model_calls,
                "server_calls": self.llm.calls_count - calls, "prompt_tokens": reply.stats.prompt_tokens,
                "request_chars": len(json.dumps(request))}

    def clean_up(self) -> None:
        with self.db.session(write=True) as s:
            s.execute(delete(ConversationMessage).where(ConversationMessage.thread_key.startswith(THREAD)))
            s.execute(delete(TurnLog).where(TurnLog.thread_key.startswith(THREAD)))
            s.commit()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def prompt_parts(bench: Bench) -> dict[str, int]:
    request = bench.llm.last_request or {}
    tools = request.get("tools") or []
    largest = max(tools, key=lambda t: len(json.dumps(t)))
    return {"system": len(system_prompt()), "context": len(turn_context(bench.actor, SEED_NOW, "USD")),
            "tools": len(json.dumps(tools)), "tool_count": len(tools),
            "largest_tool": len(json.dumps(largest)), "largest_name": largest["function"]["name"],
            "request": len(json.dumps(request))}


def run_backend(backend: str, n: int, turns: int, profile: bool) -> dict[str, Any]:
    ensure_seeded(backend, n, rebuild=False)
    db = Database(database_url(backend, n))
    with FastScriptedOpenAI() as llm:
        llm.default(tool_calls(("check_credit", {"customer": "ACME", "amount": 5000})))
        bench = Bench(db, llm)
        try:
            for i in range(10):  # warm-up: imports, statement caches, connection pool
                bench.turn(f"{THREAD}-warm-{i}")
            rows = [bench.turn(f"{THREAD}-{i}") for i in range(turns)]
            parts = prompt_parts(bench)
            for _ in range(11):  # one thread that remembers 20 messages (10 exchanges) by its last turn
                remembered = bench.turn(f"{THREAD}-memory")
            profiled = ""
            if profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for i in range(100):
                    bench.turn(f"{THREAD}-profile-{i}")
                profiler.disable()
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
                profiled = out.getvalue()
        finally:
            bench.clean_up()
            db.dispose()
    return {"backend": backend, "rows": rows, "parts": parts, "remembered": remembered, "profile": profiled}


ROLE_USERS = {"sales": "U0SALES1", "collector": "U0COLL1", "manager": "U0MGR1", "admin": "U0ADMIN1"}


def prompt_by_role() -> list[dict[str, Any]]:
    """Each role's first request (a greeting, no memory), measured as sent, and as it was with every tool."""
    every_tool = tool_specs()
    rows = []
    with tempfile.TemporaryDirectory() as folder, FastScriptedOpenAI() as llm:
        db = Database(f"sqlite:///{folder}/roles.db")
        upgrade(db.engine)
        with db.session(write=True) as s:
            seed_demo(s, SEED_NOW.date(), SEED_NOW)
            s.commit()
        tally = Tally(db, Rules(), FixedClock(SEED_NOW))
        model = ChatOpenAI(model="tally-bench", base_url=llm.base_url, api_key="bench", max_retries=0,
                           use_responses_api=False)
        conversation = Conversation(tally, model)
        llm.default(reply("Hello."))
        for role, user in ROLE_USERS.items():
            conversation.handle_turn(tally.actor_for(user), f"{THREAD}-{role}", "hello")
            request = llm.last_request or {}
            before = {**request, "tools": every_tool}
            rows.append({"role": role, "tools": len(request.get("tools") or []), "all_tools": len(every_tool),
                         "tool_chars": len(json.dumps(request.get("tools") or [])),
                         "all_tool_chars": len(json.dumps(every_tool)), "chars": len(json.dumps(request)),
                         "before_chars": len(json.dumps(before)),
                         "tokens": estimate_tokens([request.get("messages", []), request.get("tools", [])]),
                         "before_tokens": estimate_tokens([request.get("messages", []), every_tool])})
        db.dispose()
    return rows


def print_prompt_by_role(rows: list[dict[str, Any]]) -> None:
    print("first request per role (greeting, no memory): tools offered, tool-spec chars, request chars, "
          "tokens (server estimate, json/4); before = the same request offering every tool")
    print(f"{'role':<10} {'tools':>11} {'tool chars':>17} {'request chars':>17} {'tokens':>13}")
    for r in rows:
        print(f"{r['role']:<10} {r['tools']:>4} of {r['all_tools']:<4} {r['tool_chars']:>7,} / "
              f"{r['all_tool_chars']:<7,} {r['chars']:>7,} / {r['before_chars']:<7,} {r['tokens']:>5,} / "
              f"{r['before_tokens']:<5,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="cProfile 100 more turns and print where time goes")
    parser.add_argument("--roles", action="store_true", help="only the prompt size per role, on a demo database")
    args = parser.parse_args()
    if args.roles:
        return print_prompt_by_role(prompt_by_role())

    results = [run_backend(b, args.invoices, args.turns, args.profile) for b in args.backends]

    print(f"Conversation turn, instant scripted model, {args.turns} turns each a new thread, "
          f"{args.invoices:,} invoices; ms (each column's own percentile, so the parts need not add up)")
    print(f"{'backend':<11} {'':<5} {'total':>7} {'model HTTP':>10} {'overhead':>9} | of the overhead: "
          f"{'model client':>12} {'tool':>6} {'memory':>6} {'save turn':>8} {'agent loop, rest':>17}")
    for r in results:
        rows = [{**x, "overhead_ms": x["total_ms"] - x["http_ms"], "client_ms": x["model_ms"] - x["http_ms"],
                 "rest_ms": x["total_ms"] - x["model_ms"] - x["tool_ms"] - x["memory_ms"] - x["log_ms"]}
                for x in r["rows"]]
        for label, pick in (("p50", lambda v: percentile(v, 0.5)), ("p99", lambda v: percentile(v, 0.99)),
                            ("mean", statistics.mean)):
            col = {k: pick([x[k] for x in rows]) for k in rows[0] if k.endswith("_ms")}
            print(f"{r['backend']:<11} {label:<5} {col['total_ms']:>7.1f} {col['http_ms']:>10.1f} "
                  f"{col['overhead_ms']:>9.1f} | {'':>16} {col['client_ms']:>12.1f} {col['tool_ms']:>6.1f} "
                  f"{col['memory_ms']:>6.1f} {col['log_ms']:>8.1f} {col['rest_ms']:>17.1f}")
    print()
    print(f"{'backend':<11} {'model calls/read':>16} {'server calls/read':>17} {'prompt tokens (est.)':>20} "
          f"{'request chars':>13} {'chars/4':>7} {'with 20 remembered':>18}")
    for r in results:
        rows, mem = r["rows"], r["remembered"]
        calls = sorted({x["model_calls"] for x in rows})
        server = sorted({x["server_calls"] for x in rows})
        tokens = statistics.median(x["prompt_tokens"] for x in rows)
        chars = statistics.median(x["request_chars"] for x in rows)
        print(f"{r['backend']:<11} {'/'.join(map(str, calls)):>16} {'/'.join(map(str, server)):>17} {tokens:>20,.0f} "
              f"{chars:>13,.0f} {chars / 4:>7,.0f} {mem['prompt_tokens']:>11,} tokens")
    p = results[0]["parts"]
    print()
    print(f"prompt characters: system {p['system']:,} + turn context {p['context']:,} + {p['tool_count']} tool specs "
          f"{p['tools']:,} = {p['system'] + p['context'] + p['tools']:,} (whole request JSON {p['request']:,}); "
          f"largest tool spec {p['largest_name']} {p['largest_tool']:,}")
    for r in results:
        overhead = statistics.median(x["total_ms"] - x["http_ms"] for x in r["rows"])
        tokens = statistics.median(x["prompt_tokens"] for x in r["rows"])
        calls = {x["model_calls"] for x in r["rows"]}
        missed = [m for m, bad in (("model calls", calls != {1}), ("tokens", tokens > TARGET_TOKENS),
                                   ("overhead", overhead > TARGET_OVERHEAD_MS)) if bad]
        print(f"{r['backend']}: targets 1 call, <= {TARGET_TOKENS:,} tokens, <= {TARGET_OVERHEAD_MS:g} ms p50 "
              f"overhead: " + (f"missed {', '.join(missed)}" if missed else "met"))
    print()
    print_prompt_by_role(prompt_by_role())
    for r in results:
        if r["profile"]:
            print(f"\n--- {r['backend']}: cProfile of 100 turns, by cumulative time ---\n{r['profile']}")


if __name__ == "__main__":
    main()
