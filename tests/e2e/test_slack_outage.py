"""The database is down: every kind of Slack request is still acknowledged and answered where it was
asked, with "could not reach the database, nothing was changed, try again"."""

import json

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot.listeners.outage import OUTAGE
from db.session import Database
from tests.e2e.slack_harness import slack_world
from tests.fakes.slack_requests import event_callback, slash_command, view_submission
from tests.helpers import invoice_of
from tools import Rules, Tally

PAYMENT_FORM = {"amount": {"value": {"type": "plain_text_input", "value": "10.00"}},
                "date": {"value": {"type": "datepicker", "selected_date": "2026-11-23"}},
                "reference": {"value": {"type": "plain_text_input", "value": None}}}


@pytest.fixture
def unreachable(backend, tmp_path, clock):
    """A Tally whose database cannot be reached at all: a missing SQLite directory, a closed port."""
    url = (f"sqlite:///{tmp_path / 'gone' / 'tally.db'}" if backend.name == "sqlite"
           else "postgresql+psycopg://postgres@127.0.0.1:9/tally?connect_timeout=5")
    db = Database(url)
    yield Tally(db, Rules(), clock)
    db.dispose()


@pytest.fixture
def go_down(db):
    """Makes the database die right after a request was let in: who the user is still reads, nothing else."""
    def fail(conn, cursor, statement, parameters, context, executemany):
        if "members" not in statement and "slack_events" not in statement:
            raise OperationalError(statement, parameters, ConnectionError("server closed the connection"))

    yield lambda: event.listen(db.engine, "before_cursor_execute", fail)
    if event.contains(db.engine, "before_cursor_execute", fail):
        event.remove(db.engine, "before_cursor_execute", fail)


def answers(world) -> dict[str, str]:
    """Everything said to people, by where it went."""
    out = {}
    for call in world.slack.calls:
        text = call.params.get("text") or json.dumps(call.params.get("view") or {})
        out.setdefault(call.method if call.method.startswith("response.") else call.params.get("channel")
                       or call.params.get("user_id"), []).append(text)
    return {where: " | ".join(texts) for where, texts in out.items()}


def every_kind_of_request(world, invoice: str) -> dict[str, tuple]:
    url = world.slack.base_url + "response."
    meta = json.dumps({"reminder": 1, "invoice": invoice, "channel": "DU0COLL1", "ts": "1.1"})
    return {
        "mention": world.mention("U0SALES1", "credit ACME", channel="C0SALES")[0],
        "dm": world.dm("U0COLL1", "worklist")[0],
        "command": world.sim.post(*slash_command("credit ACME", "U0SALES1", response_url=url + "command")),
        "confirm": world.click("U0SALES1", "tally_confirm", "a-pending-id", "DU0SALES1", "1.1",
                               response_url=url + "confirm"),
        "reminder button": world.click("U0COLL1", "tally_remind_paid",
                                       json.dumps({"reminder": 1, "invoice": invoice}), "DU0COLL1", "1.1",
                                       response_url=url + "button"),
        "payment modal": world.sim.post(*view_submission("U0COLL1", "tally_payment_modal", meta, PAYMENT_FORM)),
        "home": world.sim.post(*event_callback({"type": "app_home_opened", "user": "U0MGR1", "channel": "DU0MGR1",
                                                "tab": "home", "event_ts": "1.2"}, "EvHomeOutage")),
    }


def check_everyone_was_told(world, replies: dict[str, tuple]) -> None:
    assert {kind: reply[0] for kind, reply in replies.items()} == dict.fromkeys(replies, 200)  # all acked
    modal = json.loads(replies["payment modal"][2])
    assert modal == {"response_action": "errors", "errors": {"amount": OUTAGE}}  # the form stays open
    told = answers(world)
    for where in ("C0SALES", "DU0COLL1", "response.command", "response.confirm", "response.button", "U0MGR1"):
        assert OUTAGE in told.get(where, ""), (where, told)


def test_every_request_is_answered_when_the_database_is_unreachable(unreachable, db):
    with slack_world(unreachable, with_model=False) as world:
        replies = every_kind_of_request(world, invoice_of(db, "INITECH").number)
        world.settle()
        check_everyone_was_told(world, replies)


def test_every_request_is_answered_when_the_database_fails_after_the_user_was_known(tally, db, go_down):
    invoice = invoice_of(db, "INITECH").number
    go_down()
    with slack_world(tally, with_model=False) as world:
        replies = every_kind_of_request(world, invoice)
        world.settle()
        check_everyone_was_told(world, replies)


def test_a_reject_reason_submitted_during_an_outage_keeps_the_form(unreachable):
    with slack_world(unreachable, with_model=False) as world:
        status, _, body = world.sim.post(*view_submission(
            "U0MGR1", "tally_reject_reason", "SO-2026-00001",
            {"reason": {"value": {"type": "plain_text_input", "value": "too risky"}}}))
    assert status == 200 and json.loads(body) == {"response_action": "errors", "errors": {"reason": OUTAGE}}
