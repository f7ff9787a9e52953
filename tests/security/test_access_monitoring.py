"""Who views what: every read of a document is logged once (who, what, when, through which front end);
a day of reading beyond both 3× the reader's own 30-day daily median and the floor is told once to each
admin and manager, also with two schedulers and a failed post; `python app.py audit --reads` lists it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.console import Console, run_lines
from bot.read_alerts import send_read_alerts
from bot.slack_app import slack_client
from core.errors import NotFound
from core.reading import daily_median, is_unusual
from db.models import Customer, DocumentRead, Invoice, ReadAlert
from tests.conftest import DEMO_NOW
from tests.e2e.slack_harness import slack_world
from tests.fakes.slack_api import MockSlack
from tests.fakes.slack_requests import event_callback
from tests.helpers import invoice_of, order_of
from tools import Rules, Tally

ROOT = Path(__file__).resolve().parents[2]
REP = "U0SALES1"  # America/New_York: at DEMO_NOW (15:00 UTC) their day is DEMO_NOW's date too
TODAY = DEMO_NOW.date()
TOLD = {"U0MGR1", "U0ADMIN1"}  # the demo's managers and admins


def reads(db, **where) -> list[DocumentRead]:
    with db.session() as s:
        return list(s.scalars(select(DocumentRead).filter_by(**where).order_by(DocumentRead.id)))


def history(db, user: str, per_day: int, *, days: int = 30, today: int = 0) -> None:
    """`per_day` reads on each of the `days` days before today, and `today` reads today: rows as the
    service writes them, so a test need not make thousands of calls."""
    rows = [(TODAY - timedelta(days=back), per_day) for back in range(1, days + 1)] + [(TODAY, today)]
    with db.session(write=True) as s:
        for day, count in rows:
            s.add_all(DocumentRead(at=DEMO_NOW - timedelta(days=(TODAY - day).days, minutes=n + 1), day=day,
                                   user_id=user, surface="slack", tool="invoice_status", kind="invoice",
                                   ref=f"INV-1999-{n:05d}", count=1) for n in range(count))
        s.commit()


def alerts_posted(slack: MockSlack) -> list[tuple[str, str]]:
    return sorted((c.params["channel"], c.params["text"]) for c in slack.calls_to("chat.postMessage"))


def test_every_read_is_logged_once_with_who_what_when_and_the_surface(tally, db, actors):
    number = invoice_of(db, "ACME").number
    order = order_of(db, "ACME", "confirmed").number
    out = io.StringIO()
    run_lines(Console(tally.via("console"), actors[REP], out),
              [f"invoice {number}", "invoices ACME", f"orders {order}", "credit ACME", "ageing",
               "invoice INV-2026-99999", "credit GLOBEX", "order ACME 1 WIDGET-1", "n"])
    logged = [(r.user_id, r.surface, r.tool, r.kind, r.ref, r.count) for r in reads(db)]
    listed = tally.read(actors[REP], "invoice_status", {"customer": "ACME"}).listing.invoices
    assert len(listed) > 1
    assert logged == [
        (REP, "console", "invoice_status", "invoice", number, 1),
        (REP, "console", "invoice_status", "invoice", None, len(listed)),
        (REP, "console", "order_status", "order", order, 1),
        (REP, "console", "check_credit", "customer_credit", "ACME", 1),
        (REP, "console", "ar_ageing", "report", "ar_ageing", 1),
        # asked for and not found (or not theirs, which reads the same): logged, showing nothing
        (REP, "console", "invoice_status", "invoice", "INV-2026-99999", 0),
        (REP, "console", "check_credit", "customer", "GLOBEX", 0),
    ]  # nothing for the order's dry run
    assert reads(db)[1].refs == [i.number for i in listed] and reads(db)[7].surface == "slack"
    assert all(r.at >= DEMO_NOW and r.day == TODAY for r in reads(db))
    with slack_world(tally, with_model=False) as world:
        method = world.command(REP, f"invoice {number}")
        world.slack.wait_for(method)
        world.mention(REP, f"invoice {number}")
        world.slack.wait_for("chat.update")
        world.settle()
        world.sim.post(*event_callback({"type": "app_home_opened", "user": REP, "channel": f"D{REP}", "tab": "home",
                                        "event_ts": "1.1"}, "EvHomeReads"))
        world.settle()
    assert [(r.surface, r.ref) for r in reads(db)[8:10]] == [("slash", number), ("slack", number)]
    assert [(r.surface, r.tool) for r in reads(db)[10:]] == [("home", "order_status"), ("home", "invoice_status")]


def test_the_rule_is_three_times_the_readers_own_median_and_the_floor():
    quiet = {TODAY - timedelta(days=d): 2 for d in range(1, 11)}  # 10 days of 2, 20 days of none
    assert daily_median(quiet, TODAY) == 0
    assert daily_median({TODAY - timedelta(days=d): d for d in range(1, 31)}, TODAY) == 15.5
    assert not is_unusual(50, daily_median(quiet, TODAY), 50) and is_unusual(51, daily_median(quiet, TODAY), 50)
    assert not is_unusual(90, daily_median({TODAY - timedelta(days=d): 30 for d in range(1, 31)}, TODAY), 50)
    assert is_unusual(91, daily_median({TODAY - timedelta(days=d): 30 for d in range(1, 31)}, TODAY), 50)


@pytest.fixture
def slack():
    with MockSlack() as mock:
        yield mock


def test_a_day_over_the_threshold_alerts_each_admin_and_manager_once(tally, db, actors, slack):
    history(db, REP, 4, today=50)
    client = slack_client("xoxb-test", slack.base_url)
    assert send_read_alerts(tally, client) == 0  # 50 is not over the floor
    tally.read(actors[REP], "invoice_status", {"invoice_number": invoice_of(db, "ACME").number})  # the 51st
    assert send_read_alerts(tally, client) == 2
    posted = alerts_posted(slack)
    assert [channel for channel, _ in posted] == sorted(f"D{u}" for u in TOLD)
    assert all(f"<@{REP}> (Sam Sales) viewed or looked up documents 51 times on {TODAY}" in text and "median" in text
               for _, text in posted)
    for _ in range(3):  # later runs, and more reads the same day, tell nobody again
        tally.read(actors[REP], "ar_ageing", {})
        assert send_read_alerts(tally, client) == 0
    assert len(alerts_posted(slack)) == 2
    with db.session() as s:
        assert {a.recipient for a in s.scalars(select(ReadAlert).where(ReadAlert.sent_at.is_not(None)))} == TOLD


def test_the_scheduler_runs_the_check_and_tells_through_slack(tally, db, slack):
    from bot.scheduler import build_scheduler
    from tools.outbox import Outbox

    history(db, REP, 3, today=52)
    jobs = build_scheduler(tally, slack_client("xoxb-test", slack.base_url), Outbox(db, tally.clock))
    jobs.get_job("read_alerts").func()  # what APScheduler calls on its interval
    jobs.get_job("read_alerts").func()
    assert [channel for channel, _ in alerts_posted(slack)] == sorted(f"D{u}" for u in TOLD)
    assert {c.params["users"] for c in slack.calls_to("conversations.open")} == TOLD


def test_asking_for_number_after_number_is_seen_and_alerts_too(tally, db, actors, slack):
    """How 273 of 399 invoice numbers were once mapped to other reps' customers: now each answer says
    nothing, and the asking itself is logged and counts towards the day."""
    with db.session() as s:
        theirs = s.scalars(select(Invoice.number).join(Invoice.customer).where(Customer.owner_rep != REP)
                           .order_by(Invoice.number).limit(40)).all()
    asked = [*theirs, *(f"INV-2026-{n:05d}" for n in range(90001, 90001 + 51 - len(theirs)))]
    for number in asked:
        with pytest.raises(NotFound):
            tally.read(actors[REP], "invoice_status", {"invoice_number": number})
    assert [(r.ref, r.count) for r in reads(db)] == [(number, 0) for number in asked]
    assert send_read_alerts(tally, slack_client("xoxb-test", slack.base_url)) == 2


def test_under_the_floor_or_within_habit_nobody_is_alerted(tally, db, slack):
    history(db, REP, 0, today=50)  # a new reader: median 0, but not over the floor
    history(db, "U0COLL1", 30, today=90)  # over the floor, within 3x their own habit of 30 a day
    history(db, "U0SALES2", 30, days=30, today=91)  # one over 3x: told
    assert send_read_alerts(Tally(db, Rules(), tally.clock), slack_client("xoxb-test", slack.base_url)) == 2
    assert {text.split("<@")[1][:8] for _, text in alerts_posted(slack)} == {"U0SALES2"}


def test_a_configured_floor_is_the_floor(tally, db, slack):
    history(db, REP, 0, today=11)
    client = slack_client("xoxb-test", slack.base_url)
    assert send_read_alerts(tally, client) == 0
    assert send_read_alerts(Tally(db, Rules(read_alert_floor=10), tally.clock), client) == 2


def test_two_schedulers_at_once_and_a_failed_post_still_tell_each_person_once(tally, db, slack):
    history(db, REP, 1, today=60)
    slack.fail("chat.postMessage", "ratelimited_forever", times=1)
    client = slack_client("xoxb-test", slack.base_url)
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        send_read_alerts(tally, client)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    send_read_alerts(tally, client)  # the failed one, if the other scheduler did not take it up at once
    assert send_read_alerts(tally, client) == 0
    delivered = sorted(m["channel"] for m in slack.messages())
    assert delivered == sorted(f"D{u}" for u in TOLD)
    assert len(slack.calls_to("chat.postMessage")) == 3  # the failed post, and one each
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ReadAlert).where(ReadAlert.sent_at.is_not(None))) == 2


def test_a_reader_who_is_a_manager_is_not_told_about_themselves(tally, db, slack):
    history(db, "U0MGR1", 0, today=70)
    assert send_read_alerts(tally, slack_client("xoxb-test", slack.base_url)) == 1
    assert [channel for channel, _ in alerts_posted(slack)] == ["DU0ADMIN1"]


def cli(tmp_path: Path, url: str, *args: str) -> str:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "OPENAI_"))}
    environ.update(DATABASE_URL=url, TALLY_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, str(ROOT / "app.py"), "audit", "--reads", *args], capture_output=True,
                            text=True, cwd=tmp_path, env=environ, timeout=180)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stdout + result.stderr
    return result.stdout


def test_audit_reads_lists_who_viewed_what_and_marks_the_unusual_days(tally, db, backend, actors, tmp_path):
    history(db, REP, 2, days=30, today=55)
    number = invoice_of(db, "ACME").number
    tally.via("console").read(actors["U0COLL1"], "invoice_status", {"invoice_number": number})
    tally.read(actors["U0COLL1"], "collection_worklist", {})
    since = (TODAY - timedelta(days=2)).isoformat()
    lines = cli(tmp_path, backend.url, "--since", since, "--limit", "3").splitlines()
    at = DEMO_NOW.isoformat(timespec="seconds").replace("+00:00", "Z")[:13]  # the readings' hour
    assert lines[0].startswith(at) and " U0COLL1 slack collection_worklist invoice ×" in lines[0]
    assert lines[1].startswith(at) and lines[1].endswith(f" U0COLL1 console invoice_status invoice {number}")
    assert lines[2].endswith(f" {REP} slack invoice_status invoice INV-1999-00000  [unusual day]")
    assert lines[3].startswith("Over the threshold (more than 3× their own 30-day daily median and more than 50")
    assert lines[4:] == [f"  {REP} (Sam Sales) on {TODAY}: 55 views; daily median 2, alert above 50"]
    mine = cli(tmp_path, backend.url, "--user", "u0coll1", "--surface", "console", "--since", since)
    assert mine.splitlines()[0].endswith(f"invoice_status invoice {number}") and len(mine.splitlines()) == 2
    assert "Nobody read unusually" in mine
    about = cli(tmp_path, backend.url, "--document", number.lower(), "--since", since).split("Over the")[0]
    assert f"U0COLL1 console invoice_status invoice {number}\n" in about and REP not in about
    assert cli(tmp_path, backend.url, "--since", "2999-01-01").startswith("No reads match.")
    with pytest.raises(NotFound):
        tally.read(actors["U0COLL1"], "invoice_status", {"invoice_number": "INV-2026-99999"})
    last = cli(tmp_path, backend.url, "--user", "U0COLL1", "--limit", "1").splitlines()[0]
    assert last.endswith(" U0COLL1 slack invoice_status invoice INV-2026-99999 (nothing found)")


def test_days_are_the_readers_own(tally, db, actors):
    late = Tally(db, Rules(), type(tally.clock)(DEMO_NOW.replace(hour=23)))  # 23:00 UTC: next day in Shanghai
    late.read(actors["U0SALES2"], "ar_ageing", {})
    late.read(actors[REP], "ar_ageing", {})
    assert {r.user_id: r.day for r in reads(db)} == {"U0SALES2": TODAY + timedelta(days=1), REP: TODAY}
    assert isinstance(reads(db)[0].day, date) and json.dumps(reads(db)[0].refs) == "null"
