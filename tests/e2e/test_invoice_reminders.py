"""`invoice N` shows the reminders sent and scheduled for it, in the asker's timezone, and to whom:
in the console (`python app.py console`) and in Slack (`/tally invoice N`)."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db.models import Reminder
from tests.conftest import DEMO_NOW
from tests.e2e.slack_harness import slack_world
from tests.helpers import invoice_of

ROOT = Path(__file__).resolve().parents[2]
SENT_AT = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in New York, where the collector is


@pytest.fixture
def invoice(db) -> str:
    """An Initech invoice with one reminder sent, one skipped and one still to come."""
    inv = invoice_of(db, "INITECH")
    with db.session(write=True) as s:
        common = {"invoice_id": inv.id, "created_by": "system", "created_at": DEMO_NOW - timedelta(days=9)}
        s.add_all([
            Reminder(stage="+1d", recipient="U0COLL1", due_at=SENT_AT - timedelta(hours=2), status="sent",
                     sent_at=SENT_AT, slack_channel="DU0COLL1", slack_ts="1.1", attempts=1, **common),
            Reminder(stage="-3d", recipient="U0SALES1", due_at=SENT_AT - timedelta(days=4), status="skipped",
                     skip_reason="promised until 2026-11-20", **common),
            Reminder(stage="at:20261201T1400", recipient="U0COLL1", due_at=datetime(2026, 12, 1, 14, 0, tzinfo=UTC),
                     status="pending", **common),
        ])
        s.commit()
    return inv.number


def test_console_invoice_lists_its_reminders_in_the_users_timezone(backend, db, invoice, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "OPENAI_"))}
    result = subprocess.run([sys.executable, str(ROOT / "app.py"), "console", "--as", "U0COLL1"],
                            input=f"invoice {invoice}\n", capture_output=True, text=True, cwd=tmp_path,
                            env={**env, "DATABASE_URL": backend.url}, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [ln.strip() for ln in result.stdout.split("Reminders:", 1)[1].strip().splitlines()[:3]]
    assert lines == [
        "skipped Fri 20 Nov 2026 10:00 EST (stage -3d) to Sam Sales: promised until 2026-11-20",
        "sent Tue 24 Nov 2026 10:00 EST (stage +1d) to Colin Cole",
        "scheduled Tue 01 Dec 2026 09:00 EST (set by hand) to Colin Cole",
    ]


def test_slack_invoice_card_lists_its_reminders(tally, invoice):
    with slack_world(tally, with_model=False) as world:
        method = world.command("U0MGR1", f"invoice {invoice}")
        world.settle()
        (answer,) = world.slack.calls_to(method)
    section = next(b["text"]["text"] for b in answer.params["blocks"]
                   if b.get("text", {}).get("text", "").startswith("*Reminders*"))
    assert section.splitlines()[1:] == [
        "• skipped Fri 20 Nov 2026 10:00 EST (stage -3d) to <@U0SALES1>: promised until 2026-11-20",
        "• sent Tue 24 Nov 2026 10:00 EST (stage +1d) to <@U0COLL1>",
        "• scheduled Tue 01 Dec 2026 09:00 EST (set by hand) to <@U0COLL1>",
    ]
    assert "Reminders" not in json.dumps(answer.params["blocks"][:1])
