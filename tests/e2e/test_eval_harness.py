"""`python app.py eval` against the scripted server proves the harness: a policy that answers as the
tasks expect scores 100%, one that never calls a tool is caught."""

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from evals.runner import invented_figures, load_tasks, typed_numbers
from tests.fakes.eval_policy import EvalPolicy
from tests.fakes.openai_server import ScriptedOpenAI
from tests.fakes.openai_steps import ToolCalls, tool_calls

ROOT = Path(__file__).resolve().parents[2]


def run_eval(llm, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "OPENAI_"))}
    return subprocess.run([sys.executable, str(ROOT / "app.py"), "eval", "--base-url", llm.base_url, "--model", "m",
                           *extra], capture_output=True, text=True, env=env, timeout=600)


def test_tasks_cover_every_tool_both_languages_and_the_hard_cases():
    tasks = load_tasks()
    from tools.registry import REGISTRY

    assert len(tasks) >= 150
    held_out = [t for t in tasks if t["held_out"]]
    assert len(held_out) * 3 >= len(tasks) - 2 and {t["category"] for t in held_out} == {t["category"] for t in tasks}
    assert len({t["category"] for t in tasks}) >= 8 and all(t["category"] for t in tasks)
    # Tools of the later chain (documents, corrections, customer records, cash application, forecast) are
    # tested from their entry points; the eval's held-out third was frozen before they existed.
    later = {"invoice_document", "payment_receipt", "customer_statement", "delivery_note_document",
             "credit_note_document", "issue_credit_note", "return_goods", "void_invoice", "resolve_dispute",
             "credit_note_status", "create_customer", "update_customer", "apply_credit", "review_statement_line",
             "undo_statement_line", "cash_forecast", "statement_line_split", "split_statement_line"}
    assert {e["tool"] for t in tasks for e in t.get("expect", [])} == set(REGISTRY) - later
    assert sum(any("\u4e00" <= ch <= "\u9fff" for ch in t["turns"][-1]) for t in tasks) >= 10
    assert any(len(t["turns"]) > 1 for t in tasks) and any(t.get("forbid") == ["*"] for t in tasks)
    assert {"refused", "asked"} <= {s for t in tasks for s in ([t["status"]] if isinstance(t.get("status"), str)
                                                                 else t.get("status") or [])}


def test_eval_harness_scores_a_perfect_policy_at_100_percent():
    with ScriptedOpenAI() as llm:
        llm.default(EvalPolicy())
        result = run_eval(llm)
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"^overall +\d+ +100\.0% +100\.0%$", result.stdout, re.M), result.stdout[-3000:]
    assert re.search(r"^held out +5\d +100\.0%", result.stdout, re.M), result.stdout[-3000:]
    assert re.search(r"^  multi-turn +\d+ +100\.0%", result.stdout, re.M), result.stdout[-3000:]
    assert "invented figures 0" in result.stdout and "model calls per turn 1.00" in result.stdout


def test_eval_harness_catches_a_policy_that_never_acts():
    with ScriptedOpenAI() as llm:
        llm.default(EvalPolicy(wrong=True))
        result = run_eval(llm, "--repeat", "2", "--only", "order-acme", "--only", "chatter-thanks")
    assert re.search(r"^overall +2 +50\.0% +50\.0%$", result.stdout, re.M), result.stdout
    assert "order-acme: expected create_order" in result.stdout


class InventingPolicy(EvalPolicy):
    """Answers as expected, but fills in a unit price and a promised amount nobody said."""

    def __call__(self, request):
        step = super().__call__(request)
        if not isinstance(step, ToolCalls):
            return step
        calls = []
        for name, args in step.calls:
            args = json.loads(json.dumps(args))
            for line in args.get("lines", []):
                line["unit_price"] = "10.00"
            if "promised_on" in args:
                args["amount"] = 100
            calls.append((name, args))
        return tool_calls(*calls)


def test_a_model_inventing_a_price_and_a_promised_amount_gets_neither_into_the_write():
    with ScriptedOpenAI() as llm:
        llm.default(InventingPolicy())
        result = run_eval(llm, "--only", "order-no-price-invented", "--only", "promise-zh-friday",
                          "--only", "order-quoted-price")
    # the confirmed order is at the list price 18.00 and the promise has no amount: nothing invented
    assert "invented figures 0" in result.stdout, result.stdout
    assert "PASS order-no-price-invented" in result.stdout and "PASS promise-zh-friday" in result.stdout
    assert "FAIL order-quoted-price" in result.stdout  # 10.00 is not the 11.50 quoted (10 was typed, as a quantity)


def test_typed_numbers_read_what_people_write():
    assert typed_numbers("got 1,200 from Hooli, 12k next week, INV-2026-00042 @ 11.50") == {
        Decimal(1200), Decimal(12000), Decimal("11.5")}  # the parts of a document number are not figures
    assert typed_numbers("20 WIDGET-2, invoice 0042") == {Decimal(20), Decimal(42)}
    order = ("create_order", {"lines": [{"quantity": 12, "unit_price": "10.00"}]})
    assert invented_figures("order 12 WIDGET-2", [order], "") == ["create_order 10"]
    assert invented_figures("credit for Acme?", [], "Acme has 60,000.00 left") == ["reply 60000"]
    assert invented_figures("hi", [], "Hi! How can I help today?") == []
