"""A refused modal submission marks the field at fault, found by argument name, not by the message's words."""

import json
from datetime import timedelta

from tests.conftest import DEMO_NOW
from tests.e2e.slack_harness import slack_world
from tests.fakes.slack_requests import view_submission
from tests.helpers import invoice_of, state


def test_a_bad_promised_amount_is_shown_on_the_amount_field(tally, db):
    number = invoice_of(db, "INITECH").number
    meta = json.dumps({"reminder": 1, "invoice": number, "channel": "DU0COLL1", "ts": "1700000000.000100"})
    before = state(db)
    promised = (DEMO_NOW + timedelta(days=7)).date().isoformat()
    with slack_world(tally, with_model=False) as world:
        status, _, body = world.sim.post(*view_submission("U0COLL1", "tally_promise_modal", meta, {
            "date": {"value": {"type": "datepicker", "selected_date": promised}},
            "amount": {"value": {"type": "plain_text_input", "value": "10000000000000"}}}))
    assert status == 200
    assert json.loads(body) == {"response_action": "errors", "errors": {
        "amount": "10000000000000 is more than the books hold (at most 999,999,999,999.99)."}}
    assert state(db) == before
