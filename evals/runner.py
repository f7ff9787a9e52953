"""Agent evals: tasks as data, each run on a fresh demo database against a real OpenAI-compatible model.

    python app.py eval --base-url URL --model NAME --repeat K
prints pass^1 (share of all runs that pass) and pass^K (share of tasks that pass every run) overall, per
category and for the held-out tasks (tasks/frozen.json, never tuned against) apart from the rest; the
invented figures (a number in a write's arguments, or in a reply that used no tool, that the user never
typed: each fails its run); model calls and prompt tokens per turn; and the failures."""

from __future__ import annotations

import json
import re
import shutil
import statistics
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from sqlalchemy import text

from core.figures import numbers_in, typed_numbers
from core.periods import parse_period
from db.migrate import upgrade
from db.seed import seed_demo
from db.session import Database
from evals.fixtures import resolve
from tools import FixedClock, Rules, Tally
from tools.registry import REGISTRY
from wiring import agent

TASKS = Path(__file__).resolve().parent / "tasks"
HELD_OUT = "frozen.json"  # written before any tuning of prompts or tool descriptions; reported apart
EVAL_NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # a Tuesday; the demo data is dated relative to it
PLACEHOLDER = re.compile(r"\{(\w+)\}")
DOMAIN_TABLES = ("sales_orders", "order_lines", "invoices", "payments", "reminders", "customers", "products",
                 "shipments")


def load_tasks(pattern: str = "*.json") -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = []
    for path in sorted(TASKS.glob(pattern)):
        tasks += [{**t, "held_out": path.name == HELD_OUT} for t in json.loads(path.read_text(encoding="utf-8"))]
    return tasks


def invented_figures(typed: str, calls: list[tuple[str, dict[str, Any]]], said: str) -> list[str]:
    """Figures nobody typed: numbers in a write's arguments, or in prose that no tool result backs."""
    known = typed_numbers(typed)
    invented = [f"{tool} {n:f}" for tool, args in calls if REGISTRY.get(tool) and REGISTRY[tool].is_write
                for n in numbers_in(args) if n not in known]
    if not calls:
        invented += [f"reply {n:f}" for n in typed_numbers(said) - known if n >= 10]
    return invented


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), value)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def _matches(expected: Any, actual: Any, today: Any) -> bool:
    if isinstance(expected, str) and expected.startswith("period:"):
        try:
            return parse_period(str(actual), today) == parse_period(expected[7:], today)
        except Exception:
            return False
    if isinstance(expected, str) and expected.startswith("~"):
        return expected[1:].lower() in str(actual).lower()
    if isinstance(expected, str) and expected.startswith("^"):
        return str(actual).startswith(expected[1:])
    if isinstance(expected, bool) or actual is None:
        return expected == actual
    if isinstance(expected, int | float):
        return actual is not None and Decimal(str(actual)) == Decimal(str(expected))
    if isinstance(expected, list):
        return len(expected) == len(actual or []) and all(
            any(_matches(e, a, today) for a in actual) for e in expected)
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(_matches(v, actual.get(k), today) for k, v in expected.items())
    return str(expected).lower() == str(actual).lower()


def _normalised(tally: Tally, actor: Any, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """Arguments as the tool understood them (relative dates resolved), falling back to the raw ones."""
    spec = REGISTRY.get(tool)
    if spec is None:
        return args
    now = tally.clock.now()
    try:
        parsed = spec.args_model.model_validate(
            args, context={"today": now.date(), "now_local": now.astimezone(actor.tz)})
    except Exception:
        return args
    data = parsed.model_dump(mode="json")
    if "remind_at" in data and parsed.remind_at.tzinfo is not None:
        data["remind_at"] = parsed.remind_at.astimezone(actor.tz).strftime("%Y-%m-%dT%H:%M")
    return data


@dataclass
class Run:
    task: str
    passed: bool
    reason: str = ""
    category: str = ""
    held_out: bool = False
    invented: list[str] = field(default_factory=list)
    turns: int = 0
    model_calls: int = 0
    tokens: int = 0
    prompt_tokens: list[int] = field(default_factory=list)


def _counts(db: Database, checks: list[dict[str, Any]]) -> list[Any]:
    with db.session() as session:
        return [session.scalar(text(c["sql"])) for c in checks]


def _domain_state(db: Database) -> list[Any]:
    return _counts(db, [{"sql": f"select count(*) from {t}"} for t in DOMAIN_TABLES]) + _counts(
        db, [{"sql": "select coalesce(sum(paid_amount), 0) from invoices"},
             {"sql": "select count(*) from invoices where disputed or promised_on is not null"}])


def run_task(task: dict[str, Any], template: Path, workdir: Path, model: BaseChatModel) -> Run:
    db_file = workdir / f"{task['id']}.db"
    shutil.copy(template, db_file)
    db = Database(f"sqlite:///{db_file}")
    try:
        tally = Tally(db, Rules(), FixedClock(EVAL_NOW), surface="eval")
        actor = tally.actor_for(task["actor"])
        needed = set(PLACEHOLDER.findall(json.dumps(task, ensure_ascii=False)))
        task = _fill(task, resolve(tally, actor, needed))
        conversation = agent(tally, model)
        checks = task.get("db", [])
        before, domain_before = _counts(db, checks), _domain_state(db)
        run = Run(task["id"], True, category=task.get("category", ""), held_out=task.get("held_out", False))
        reply = None
        typed = ""
        for turn in task["turns"]:
            typed += turn + "\n"
            reply = conversation.handle_turn(actor, f"eval:{task['id']}", turn)
            # what went ahead: a write the guard stopped (and asked about instead) carries nothing
            run.invented += invented_figures(typed, [(c.tool, c.args) for c in reply.calls
                                                     if c.kind in ("proposal", "result")],
                                             reply.said if reply.status in ("chat", "failed") else "")
            run.turns += 1
            run.model_calls += reply.stats.model_calls
            run.tokens += reply.stats.prompt_tokens + reply.stats.completion_tokens
            run.prompt_tokens.append(reply.stats.prompt_tokens)
            called = {c.tool for c in reply.calls}
            forbidden = set(task.get("forbid", []))
            if "*" in forbidden and called or called & forbidden:
                return _fail(run, f"called forbidden tool(s) {sorted(called)}: {turn!r}")
        if run.invented:
            return _fail(run, f"invented figure(s) {run.invented}: {reply.text[:120]!r}")
        calls = [(c.tool, _normalised(tally, actor, c.tool, c.args)) for c in reply.calls]
        for want in task.get("expect", []):
            if not any(tool == want["tool"] and _matches(want.get("args", {}), args, EVAL_NOW.date())
                       for tool, args in calls):
                return _fail(run, f"expected {want['tool']} {want.get('args', {})}, got {calls or reply.text[:120]!r}")
        statuses = task.get("status")
        if statuses and reply.status not in ([statuses] if isinstance(statuses, str) else statuses):
            return _fail(run, f"status {reply.status}, wanted {statuses}: {reply.text[:160]!r}")
        if reply.status in task.get("forbid_status", []):
            return _fail(run, f"status {reply.status} is not acceptable here")
        if task.get("confirm"):
            for proposal in reply.proposals:
                outcome = tally.confirm(actor, proposal.pending_id)
                if outcome.status != "done":
                    return _fail(run, f"confirmation {outcome.status}: {outcome.error}")
        elif _domain_state(db) != domain_before:
            return _fail(run, "data changed without a confirmation")
        for check, was, now in zip(checks, before, _counts(db, checks), strict=True):
            if "delta" in check and now - was != check["delta"]:
                return _fail(run, f"{check['sql']!r} changed by {now - was}, wanted {check['delta']}")
        return run
    finally:
        db.dispose()


def _fail(run: Run, reason: str) -> Run:
    run.passed, run.reason = False, reason
    return run


def demo_template(folder: Path) -> Path:
    path = folder / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    with db.session(write=True) as session:
        seed_demo(session, EVAL_NOW.date(), EVAL_NOW)
        session.commit()
    db.dispose()
    return path


@dataclass
class Summary:
    runs: list[Run]
    repeat: int

    @property
    def pass_1(self) -> float:
        return _pass_1(self.runs)

    @property
    def pass_k(self) -> float:
        return _pass_k(self.runs)

    @property
    def invented(self) -> int:
        return sum(len(r.invented) for r in self.runs)

    def per_turn(self, attr: str) -> float:
        turns = sum(r.turns for r in self.runs)
        return sum(getattr(r, attr) for r in self.runs) / turns if turns else 0.0

    def report(self) -> str:
        prompt = [p for r in self.runs for p in r.prompt_tokens]
        k = self.repeat
        groups = [("overall", self.runs), ("held out", [r for r in self.runs if r.held_out]),
                  ("rest", [r for r in self.runs if not r.held_out])]
        groups += [(f"  {c}", [r for r in self.runs if r.category == c])
                   for c in sorted({r.category for r in self.runs})]
        lines = [
            f"tasks {len({r.task for r in self.runs})}, runs {len(self.runs)} (repeat {k})",
            f"{'':<16} {'tasks':>5} {'pass^1':>7} {'pass^' + str(k):>7}",
            *(f"{name:<16} {len({r.task for r in runs}):>5} {_pass_1(runs):>7.1%} {_pass_k(runs):>7.1%}"
              for name, runs in groups if runs),
            f"invented figures {self.invented}",
            f"model calls per turn {self.per_turn('model_calls'):.2f}   tokens per turn {self.per_turn('tokens'):.0f}"
            + (f"   prompt tokens per turn (median) {statistics.median(prompt):.0f}" if prompt else ""),
        ]
        failures = [r for r in self.runs if not r.passed]
        if failures:
            lines.append("failures:")
            lines += [f"  {r.task}: {r.reason}" for r in failures]
        return "\n".join(lines)


def _pass_1(runs: list[Run]) -> float:
    return sum(r.passed for r in runs) / len(runs) if runs else 0.0


def _pass_k(runs: list[Run]) -> float:
    tasks: dict[str, bool] = {}
    for r in runs:
        tasks[r.task] = tasks.get(r.task, True) and r.passed
    return sum(tasks.values()) / len(tasks) if tasks else 0.0


def run_eval(model: BaseChatModel, repeat: int = 1, pattern: str = "*.json", only: set[str] | None = None,
             progress: Any = None, categories: set[str] | None = None) -> Summary:
    tasks = [t for t in load_tasks(pattern) if (not only or t["id"] in only)
             and (not categories or t.get("category") in categories)]
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="tally-eval-") as tmp:
        folder = Path(tmp)
        template = demo_template(folder)
        for task in tasks:  # a task's runs one after another: the server reuses its prompt cache
            for _ in range(repeat):
                runs.append(run_task(task, template, folder, model))
                if progress:
                    progress(runs[-1])
    return Summary(runs, repeat)
