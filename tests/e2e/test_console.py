"""`python app.py console` as a subprocess with piped input, on the embedded default database (kept in the
test's folder through TALLY_DATA_DIR, never in the project)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def console(tmp_path, user, text, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "OPENAI_"))}
    environ.update(env, TALLY_DATA_DIR=str(tmp_path))
    return subprocess.run([sys.executable, str(ROOT / "app.py"), "console", "--as", user], input=text,
                          capture_output=True, text=True, cwd=tmp_path, env=environ, timeout=120)


def test_console_first_start_seeds_demo_then_orders_with_confirmation(tmp_path):
    result = console(tmp_path, "U0SALES1", "credit ACME\norder ACME 10 WIDGET-1\ny\norders ACME\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert (tmp_path / "tally.db").exists()
    assert "Credit for ACME Acme Corp" in out and "Available" in out
    assert "Create an order for Acme Corp: 10 × WIDGET-1 at 12.50; total 125.00 USD" in out
    assert "Confirm? [y/N]" in out
    assert "is confirmed; stock reserved" in out
    assert out.count("SO-2026-") >= 2  # the confirmation and the listing
    second = console(tmp_path, "U0SALES1", "order ACME 1 WIDGET-1\nn\n")  # same database, not re-seeded
    assert "Cancelled: nothing was changed." in second.stdout


def test_console_bad_input_and_plain_language_without_model(tmp_path):
    result = console(tmp_path, "U0COLL1", "order ACME -5 WIDGET-1\npay INV-2026-99999 10\nhow is acme doing?\n")
    out = result.stdout
    assert "Quantity must be a positive whole number" in out
    assert "No invoice 'INV-2026-99999'" in out
    assert "Plain language needs a model" in out and "order CUSTOMER QTY SKU" in out


def test_console_refuses_unknown_user(tmp_path):
    result = console(tmp_path, "U0NOBODY", "help\n")
    assert result.returncode == 1 and "not a Tally member" in result.stdout


def test_console_sends_plain_language_to_the_model_and_keeps_commands_model_free(tmp_path):
    from tests.fakes.openai_server import ScriptedOpenAI
    from tests.fakes.openai_steps import tool_calls

    with ScriptedOpenAI() as llm:
        llm.push(tool_calls(("create_order", {"customer": "Acme", "lines": [{"sku": "GADGET-2", "quantity": 3}]})))
        result = console(tmp_path, "U0SALES1", "credit ACME\nAcme needs 3 gadget-2\ny\n",
                         TALLY_MODEL="tally-test-model", OPENAI_API_KEY="test", OPENAI_BASE_URL=llm.base_url)
        assert llm.calls_count == 1  # the command line used no model call
    out = result.stdout
    assert "Credit for ACME Acme Corp" in out
    assert "Create an order for Acme Corp: 3 × GADGET-2 at 49.00; total 147.00 USD" in out
    assert "Confirm? [y/N]" in out and "is confirmed; stock reserved" in out
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "OPENAI_"))}
    environ["TALLY_DATA_DIR"] = str(tmp_path)
    stats = subprocess.run([sys.executable, str(ROOT / "app.py"), "stats"], capture_output=True, text=True,
                           cwd=tmp_path, env=environ, timeout=120).stdout
    assert "per user" in stats and "U0SALES1" in stats and "create_order" in stats
