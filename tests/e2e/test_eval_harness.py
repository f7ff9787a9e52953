"""`python app.py eval` against the scripted server proves the harness: a policy that answers as the
tasks expect scores 100%, one that never calls a tool is caught."""

import os
import subprocess
import sys
from pathlib import Path

from evals.runner import load_tasks
from tests.fakes.eval_policy import EvalPolicy
from tests.fakes.openai_server import ScriptedOpenAI

ROOT = Path(__file__).resolve().parents[2]


def run_eval(llm, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "OPENAI_"))}
    return subprocess.run([sys.executable, str(ROOT / "app.py"), "eval", "--base-url", llm.base_url, "--model", "m",
                           *extra], capture_output=True, text=True, env=env, timeout=600)


def test_tasks_cover_every_tool_both_languages_and_the_hard_cases():
    tasks = load_tasks()
    from tools.registry import REGISTRY

    assert len(tasks) >= 40
    assert {e["tool"] for t in tasks for e in t.get("expect", [])} == set(REGISTRY)
    assert sum(any("\u4e00" <= ch <= "\u9fff" for ch in t["turns"][-1]) for t in tasks) >= 10
    assert any(len(t["turns"]) > 1 for t in tasks) and any(t.get("forbid") == ["*"] for t in tasks)
    assert {"refused", "asked"} <= {s for t in tasks for s in ([t["status"]] if isinstance(t.get("status"), str)
                                                                 else t.get("status") or [])}


def test_eval_harness_scores_a_perfect_policy_at_100_percent():
    with ScriptedOpenAI() as llm:
        llm.default(EvalPolicy())
        result = run_eval(llm)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "pass^1 100.0%" in result.stdout, result.stdout[-3000:]
    assert "model calls per turn 1.00" in result.stdout


def test_eval_harness_catches_a_policy_that_never_acts():
    with ScriptedOpenAI() as llm:
        llm.default(EvalPolicy(wrong=True))
        result = run_eval(llm, "--repeat", "2", "--only", "order-acme", "--only", "chatter-thanks")
    assert "pass^1 50.0%   pass^2 50.0%" in result.stdout, result.stdout
    assert "order-acme: expected create_order" in result.stdout
