"""The mock Slack refuses what Slack refuses, answering as Slack does, and records it for the test run."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.slack_api import MockSlack, take_invalid_payloads


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def table(*rows: list[str]) -> dict:
    return {"type": "table", "rows": [[{"type": "raw_text", "text": cell} for cell in row] for row in rows]}


@pytest.fixture
def slack():
    with MockSlack() as mock:
        yield mock
        mock.take_invalid()  # what each test sent on purpose: it checks it itself


@pytest.fixture
def client(slack) -> WebClient:
    return WebClient(base_url=slack.base_url, token="xoxb-test")


def refused(call) -> dict:
    with pytest.raises(SlackApiError) as err:
        call()
    assert err.value.response.status_code == 200
    return err.value.response.data


@pytest.mark.parametrize("blocks, reason", [
    ([{"type": "tally_grid", "rows": []}], "unknown block type 'tally_grid'"),
    ([section("x")] * 51, "no more than 50 items allowed"),
    ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "text attribute cannot exceed 150"),
    ([section("s" * 3001)], "text attribute cannot exceed 3000"),
    ([section("")], "must be more than 0 characters"),
    ([{"type": "section", "txt": {"type": "mrkdwn", "text": "typo"}, "text": {"type": "mrkdwn", "text": "a"}}],
     "unknown field /txt"),
    ([{**section("a"), "block_id": "b"}, {**section("b"), "block_id": "b"}], "duplicate block_id 'b'"),
    ([table(["a"]), table(["b"])], "only one table is allowed in a message"),
    ([table(["a", ""])], "must be more than 0 characters"),
    ([table(*[["r"]] * 101)], "no more than 100 rows allowed"),
    ([table(["c"] * 21)], "a row has 1 to 20 cells"),
])
def test_a_message_slack_would_refuse_is_refused_like_slack_and_recorded(slack, client, blocks, reason):
    answer = refused(lambda: client.chat_postMessage(channel="C1", text="fallback", blocks=blocks))
    assert answer["ok"] is False and answer["error"] == "invalid_blocks"
    assert any(reason in m and m.startswith("[ERROR] ") for m in answer["response_metadata"]["messages"]), answer
    assert slack.messages() == []  # Slack keeps nothing of a refused message
    [invalid] = slack.invalid
    assert invalid.refused and invalid.method == "chat.postMessage"
    assert [str(i) for i in take_invalid_payloads()] == [str(invalid)]  # what fails the test in the harness


def test_a_valid_table_message_is_stored_and_nothing_is_recorded(slack, client):
    blocks = [section("Ageing"), {**table([" ", "Total"], ["ACME", "1,000.00"]),
                                  "column_settings": [{"align": "left"}, {"align": "right", "is_wrapped": False}]}]
    client.chat_postMessage(channel="C1", text="Ageing", blocks=blocks)
    assert slack.messages("C1")[0]["blocks"] == blocks and slack.invalid == []


def test_blocks_without_a_text_fallback_are_taken_as_slack_does_but_recorded(slack, client):
    client.chat_postMessage(channel="C1", blocks=[section("no fallback")])
    client.chat_update(channel="C1", ts=slack.messages("C1")[0]["ts"], text=" ", blocks=[section("still none")])
    assert slack.messages("C1")[0]["blocks"] == [section("still none")]
    assert [(i.method, i.refused) for i in slack.invalid] == [("chat.postMessage", False), ("chat.update", False)]


def test_views_are_checked_with_their_limits(slack, client):
    home = {"type": "home", "blocks": [section(f"row {n}") for n in range(101)]}
    answer = refused(lambda: client.views_publish(user_id="U1", view=home))
    assert answer["error"] == "invalid_arguments"
    assert any("between 1 and 100 blocks" in m for m in answer["response_metadata"]["messages"])
    with_table = {"type": "home", "blocks": [section("hi"), table(["a"])]}
    assert "a table is not allowed in a view" in str(refused(lambda: client.views_publish(user_id="U1",
                                                                                          view=with_table)))
    untitled = {"type": "modal", "blocks": [section("hi")]}
    assert "a modal needs a title" in str(refused(lambda: client.views_open(trigger_id="t", view=untitled)))
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Snooze"}, "blocks": [section("hi")],
             "close": {"type": "plain_text", "text": "Cancel"}}
    assert client.views_open(trigger_id="t", view=modal)["view"]["id"]
    assert [i.refused for i in slack.invalid] == [True, True, True]


def test_what_a_response_url_gets_is_checked_too(slack, client):
    answer = refused(lambda: client.api_call("response.cmd1", json={"text": "x", "blocks": [{"type": "nope"}]}))
    assert answer["error"] == "invalid_blocks" and slack.invalid[0].method == "response.cmd1"


def test_an_image_of_a_file_slack_has_not_processed_is_refused(slack, client):
    def home(file_id: str) -> dict:
        return {"type": "home", "blocks": [{"type": "image", "slack_file": {"id": file_id}, "alt_text": "chart"}]}

    slack.files_processing = True
    file_id = client.files_upload_v2(content=b"\x89PNG", filename="a.png", title="a")["file"]["id"]
    answer = refused(lambda: client.views_publish(user_id="U1", view=home(file_id)))
    assert "downloading image failed" in answer["response_metadata"]["messages"][0]
    assert "downloading image failed" in str(refused(lambda: client.views_publish(user_id="U1", view=home("F0NONE"))))
    slack.finish_processing()
    assert client.views_publish(user_id="U1", view=home(file_id))["view"]["blocks"][0]["slack_file"]["id"] == file_id
    assert [i.refused for i in slack.invalid] == [True, True]
