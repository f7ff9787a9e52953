"""The mock Slack Web API works with the real slack_sdk WebClient."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler

from tests.fakes.slack_api import MockSlack


@pytest.fixture
def slack():
    with MockSlack() as mock:
        yield mock


def web(slack: MockSlack) -> WebClient:
    return WebClient(base_url=slack.base_url, token="xoxb-test")


def test_auth_test_and_token_header(slack):
    res = web(slack).auth_test()
    assert res["user_id"] == "U0TALLYBOT" and res["team_id"] == "T0TEAM" and res["bot_id"]
    assert slack.calls_to("auth.test")[0].token == "xoxb-test"


def test_post_update_and_history(slack):
    client = web(slack)
    meta = {"event_type": "tally_pending_action", "event_payload": {"id": "PA1"}}
    first = client.chat_postMessage(channel="C1", text="working...", metadata=meta,
                                    blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}])
    second = client.chat_postMessage(channel="C1", text="reply", thread_ts=first["ts"])
    assert float(second["ts"]) > float(first["ts"]) and first["channel"] == "C1"
    client.chat_update(channel="C1", ts=first["ts"], text="done")
    msgs = slack.messages("C1")
    assert [m["text"] for m in msgs] == ["done", "reply"]
    assert msgs[0]["metadata"] == meta and msgs[0]["blocks"][0]["type"] == "section"
    assert msgs[1]["thread_ts"] == first["ts"]
    history = client.conversations_history(channel="C1", include_all_metadata=True)["messages"]
    assert [m["ts"] for m in history] == [first["ts"]] and history[0]["metadata"] == meta
    assert "metadata" not in client.conversations_history(channel="C1")["messages"][0]
    replies = client.conversations_replies(channel="C1", ts=first["ts"])["messages"]
    assert [m["text"] for m in replies] == ["done", "reply"]
    client.chat_delete(channel="C1", ts=second["ts"])
    assert len(slack.messages("C1")) == 1


def test_form_encoded_calls_are_decoded(slack):
    params = {"channel": "C2", "text": "x", "blocks": '[{"type": "divider"}]'}
    web(slack).api_call("chat.postMessage", params=params)
    assert slack.messages("C2")[0]["blocks"] == [{"type": "divider"}]


def test_dm_users_and_views(slack):
    client = web(slack)
    slack.set_user("U0SALES1", tz="America/New_York", real_name="Sam Sales")
    channel = client.conversations_open(users="U0SALES1")["channel"]["id"]
    assert channel == "DU0SALES1"
    client.chat_postMessage(channel=channel, text="reminder")
    assert slack.messages("DU0SALES1")[0]["text"] == "reminder"
    user = client.users_info(user="U0SALES1")["user"]
    assert user["tz"] == "America/New_York" and user["real_name"] == "Sam Sales"
    assert user["tz_offset"] in (-18000, -14400)
    assert client.users_info(user="U0OTHER")["user"]["tz"] == "UTC"
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}]}
    view = client.views_publish(user_id="U0SALES1", view=home)["view"]
    assert view["type"] == "home" and view["id"]
    client.assistant_threads_setStatus(channel_id="D1", thread_ts="1.2", status="is thinking...")
    assert slack.calls_to("assistant.threads.setStatus")[0].params["status"] == "is thinking..."
    client.api_call("some.unknown.method", json={"a": 1})
    assert slack.calls_to("some.unknown.method")[0].params == {"a": 1}


def test_files_upload_v2(slack):
    png = b"\x89PNG\r\n\x1a\nfake-chart"
    res = web(slack).files_upload_v2(content=png, filename="ageing.png", title="AR ageing",
                                     channel="C1", thread_ts="1700000000.000100", initial_comment="Here")
    file_id = res["file"]["id"]
    assert slack.uploaded_files[file_id] == png
    done = slack.completed_uploads[0]
    assert done["channel_id"] == "C1" and done["thread_ts"] == "1700000000.000100"
    assert done["initial_comment"] == "Here" and done["files"][0]["id"] == file_id


def test_rate_limit_is_retried_with_handler(slack):
    client = web(slack)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    slack.rate_limit("chat.postMessage", times=1, retry_after=0)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert len(slack.rate_limited) == 1 and len(slack.calls_to("chat.postMessage")) == 1


def test_rate_limit_without_handler_raises(slack):
    slack.rate_limit("chat.postMessage", times=1)
    with pytest.raises(SlackApiError) as err:
        web(slack).chat_postMessage(channel="C1", text="hi")
    assert err.value.response.status_code == 429 and err.value.response.headers["Retry-After"] == "1"
    assert slack.calls == []


def test_fail_injection(slack):
    slack.fail("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as err:
        web(slack).chat_postMessage(channel="C404", text="hi")
    assert err.value.response["error"] == "channel_not_found"
    assert web(slack).chat_postMessage(channel="C1", text="hi")["ok"]


def test_dropped_connection_is_retried_by_default_handler(slack):
    slack.drop_connection("chat.postMessage", times=1)
    assert web(slack).chat_postMessage(channel="C1", text="hi")["ok"]
    assert len(slack.dropped) == 1 and len(slack.messages()) == 1


def test_reset(slack):
    web(slack).chat_postMessage(channel="C1", text="hi")
    slack.reset()
    assert slack.calls == [] and slack.messages() == []


def test_a_lost_response_leaves_the_message_and_the_client_an_error(slack):
    slack.lose_response("chat.postMessage")
    client = WebClient(token="xoxb-test", base_url=slack.base_url, retry_handlers=[])
    with pytest.raises(Exception, match="closed connection"):
        client.chat_postMessage(channel="C1", text="hi")
    assert len(slack.lost) == 1 and [m["text"] for m in slack.messages("C1")] == ["hi"]


def test_a_response_held_past_the_timeout(slack):
    slack.lose_response("chat.postMessage", hold=2)
    client = WebClient(token="xoxb-test", base_url=slack.base_url, retry_handlers=[], timeout=1)
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C1", text="hi")
    assert len(slack.messages("C1")) == 1


def test_server_error_stores_nothing(slack):
    slack.server_error("chat.postMessage")
    with pytest.raises(SlackApiError) as err:
        web(slack).chat_postMessage(channel="C1", text="hi")
    assert err.value.response.status_code == 500 and slack.messages() == []


def test_dying_mid_run_and_coming_back_on_the_same_port(slack):
    slack.die_after("chat.postMessage", calls=1)
    client = WebClient(token="xoxb-test", base_url=slack.base_url, retry_handlers=[])
    assert client.chat_postMessage(channel="C1", text="one")["ok"]
    with pytest.raises(Exception):  # noqa: B017 - dropped, then refused: any connection error
        client.chat_postMessage(channel="C1", text="two")
    with pytest.raises(Exception):  # noqa: B017
        client.chat_postMessage(channel="C1", text="three")
    slack.start()
    assert client.chat_postMessage(channel="C1", text="four")["ok"]
    assert [m["text"] for m in slack.messages("C1")] == ["one", "four"]


def test_random_faults_come_at_their_rates(slack):
    slack.random_faults("auth.test", seed=3, fivexx=0.25, ratelimit=(0.25, 9))
    client = WebClient(token="xoxb-test", base_url=slack.base_url, retry_handlers=[])
    outcomes = []
    for _ in range(200):
        try:
            client.auth_test()
            outcomes.append(200)
        except SlackApiError as exc:
            outcomes.append(exc.response.status_code)
    assert 30 < outcomes.count(500) < 70 and 30 < outcomes.count(429) < 70 and 70 < outcomes.count(200) < 130


def test_history_pages_newest_first_within_oldest(slack):
    client = web(slack)
    stamps = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(5)]
    first = client.conversations_history(channel="C1", limit=2, oldest=stamps[0])
    assert [m["text"] for m in first["messages"]] == ["4", "3"] and first["has_more"]
    rest = client.conversations_history(channel="C1", limit=2, oldest=stamps[0],
                                        cursor=first["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["2", "1"] and not rest["has_more"]
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 5


def test_a_stream_grows_in_its_thread_and_refuses_appends_once_stopped(slack):
    stream = web(slack).chat_stream(channel="DU0SALES1", thread_ts="1700000000.000100", buffer_size=1)
    stream.append(markdown_text="Checking")
    stream.append(chunks=[{"type": "task_update", "id": "t1", "title": "Checking Globex's credit…",
                           "status": "in_progress"}])
    stream.stop(markdown_text=" done", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "card"}}])
    (message,) = slack.streamed("DU0SALES1")
    assert message["thread_ts"] == "1700000000.000100" and message["text"] == "Checking done"
    assert not message["streaming"] and message["blocks"][0]["text"]["text"] == "card"
    assert [c["type"] for c in message["chunks"]] == ["markdown_text", "task_update", "markdown_text"]
    with pytest.raises(SlackApiError) as late:
        web(slack).chat_appendStream(channel="DU0SALES1", ts=stream.ts, markdown_text="more")
    assert late.value.response["error"] == "message_not_in_streaming_state"


def test_a_stream_in_a_channel_needs_its_recipient_and_a_workspace_may_refuse_streams(slack):
    with pytest.raises(SlackApiError) as nobody:
        web(slack).chat_startStream(channel="C0SALES", thread_ts="1700000000.000100", markdown_text="hi")
    assert nobody.value.response["error"] == "invalid_arguments"
    with pytest.raises(SlackApiError) as bad_task:
        web(slack).chat_startStream(channel="DU0SALES1", thread_ts="1.1", chunks=[
            {"type": "task_update", "id": "t", "title": "x", "status": "thinking"}])
    assert bad_task.value.response["error"] == "invalid_arguments"
    ok = web(slack).chat_startStream(channel="C0SALES", thread_ts="1700000000.000100", markdown_text="hi",
                                     recipient_user_id="U0SALES1", recipient_team_id="T0TEAM")
    assert ok["ts"] and slack.streamed("C0SALES")[0]["streaming"]
    slack.refuse_streams("not_allowed")
    with pytest.raises(SlackApiError) as refused:
        web(slack).chat_startStream(channel="DU0SALES1", thread_ts="1.1", markdown_text="hi")
    assert refused.value.response["error"] == "not_allowed" and len(slack.streamed()) == 1
