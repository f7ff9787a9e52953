"""App Home from `app_home_opened`: the ageing chart is uploaded at most once a day per role, and the
Home is published without it whenever the picture is not there (upload failed, file not processed)."""

from __future__ import annotations

import json
from itertools import count

import pytest

from tests.e2e.slack_harness import slack_world
from tests.fakes.slack_requests import event_callback

_events = count(1)


@pytest.fixture
def world(tally):
    with slack_world(tally, with_model=False) as w:
        yield w


def open_home(world, user: str) -> dict:
    """The view published for `user` after they opened the Home tab (the last one, if it was published again)."""
    before = len(world.slack.calls_to("views.publish"))
    world.sim.post(*event_callback({"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home",
                                    "event_ts": "1.1"}, f"EvHome{next(_events)}"))
    world.settle()
    published = [c for c in world.slack.calls_to("views.publish")[before:] if c.params["user_id"] == user]
    assert published, f"no Home published for {user}"
    return published[-1].params["view"]


def chart_of(view: dict) -> str | None:
    images = [b["slack_file"]["id"] for b in view["blocks"] if b["type"] == "image"]
    return images[0] if images else None


def uploads(world) -> int:
    return len(world.slack.calls_to("files.completeUploadExternal"))


def test_the_chart_is_uploaded_once_a_day_per_role(world):
    first, again = open_home(world, "U0MGR1"), open_home(world, "U0MGR1")
    assert chart_of(first) and chart_of(again) == chart_of(first) and uploads(world) == 1
    admin = open_home(world, "U0ADMIN1")
    assert chart_of(admin) and chart_of(admin) != chart_of(first) and uploads(world) == 2  # another role
    assert chart_of(open_home(world, "U0ADMIN1")) == chart_of(admin) and uploads(world) == 2
    assert chart_of(open_home(world, "U0SALES1")) is None and uploads(world) == 2  # no chart for sales
    assert world.slack.invalid == []


def test_a_failed_upload_still_publishes_the_home_and_the_next_opening_uploads(world):
    world.slack.fail("files.getUploadURLExternal", "internal_error")
    view = open_home(world, "U0MGR1")
    assert chart_of(view) is None and uploads(world) == 0
    assert "Ageing" in json.dumps(view) and "Orders on credit hold" in json.dumps(view)  # the rest is there
    assert chart_of(open_home(world, "U0MGR1")) and uploads(world) == 1


def test_a_chart_slack_has_not_processed_yet_leaves_the_home_without_it(world):
    world.slack.files_processing = True
    view = open_home(world, "U0MGR1")
    assert chart_of(view) is None and "Orders on credit hold" in json.dumps(view)
    refused = world.slack.take_invalid()  # Slack refused the Home with the picture; the product sent it again
    assert [(i.method, i.refused) for i in refused] == [("views.publish", True)]
    assert "slack_file" in str(refused[0]) and uploads(world) == 1
    world.slack.finish_processing()
    assert chart_of(open_home(world, "U0MGR1")) and uploads(world) == 1  # the same file, now shown
