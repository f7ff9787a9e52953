"""Feedback on the agent's answers: the buttons under a streamed answer, a click kept once per person and
answer, and `python app.py stats` summing the votes up, on each database."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Feedback, TurnLog
from tests.e2e.app_runner import run_app
from tests.e2e.slack_harness import slack_world
from tests.fakes.openai_steps import reply, tool_calls
from tools import Rules, SystemClock, Tally
from tools.conversations import TurnStats


def votes(db) -> list[tuple[int, str, str]]:
    with db.session() as s:
        return [(f.turn_id, f.user_id, f.vote) for f in s.scalars(select(Feedback).order_by(Feedback.id))]


def test_a_feedback_click_is_kept_once_and_a_second_click_changes_it(tally, db):
    with slack_world(tally, streams=True) as world:
        world.llm.push(tool_calls(("check_credit", {"customer": "Globex"})))
        world.mention("U0MGR1", "how is Globex on credit?")
        world.settle()
        (stop,) = world.slack.calls_to("chat.stopStream")
        buttons = stop.params["blocks"][-1]["elements"][0]
        up, down = buttons["positive_button"]["value"], buttons["negative_button"]["value"]
        ts = stop.params["ts"]

        def click(user: str, value: str) -> None:
            status, _, _ = world.click(user, buttons["action_id"], value, "C0SALES", ts, action_type="feedback_buttons")
            assert status == 200

        click("U0MGR1", up)
        click("U0MGR1", up)  # a double click: handled in parallel, kept once
        world.settle()
        (turn_id, who, vote), = votes(db)
        assert (who, vote) == ("U0MGR1", "up") and len(world.slack.ephemeral) == 1
        with db.session() as s:
            turn = s.get(TurnLog, turn_id)
            assert turn.tool_calls == ["check_credit"] and turn.asked == "how is Globex on credit?"

        click("U0MGR1", down)  # changing one's mind changes the vote, still one row
        click("U0COLL1", up)  # a colleague in the thread has a vote of their own
        click("U0COLL1", f"up:{turn_id + 1000}")  # no such answer: nothing kept
        world.settle()
        assert votes(db) == [(turn_id, "U0MGR1", "down"), (turn_id, "U0COLL1", "up")]
        assert len(world.slack.ephemeral) == 3 and world.slack.ephemeral[-1]["user"] == "U0COLL1"


def test_stats_show_the_thumbs_up_share_per_tool_and_day_and_the_latest_thumbs_down(backend, db, tmp_path):
    live = Tally(db, Rules(), SystemClock())  # the command counts back from today
    memory, now = live.memory(), live.clock.now()

    def turn(asked: str, user: str, tools: list[str]) -> int:
        return memory.save_turn(f"C0SALES:{asked}", [("user", asked)], now, TurnStats(1, 10, 5, tools, 900),
                                "answered" if tools else "chat", author=user, asked=asked)

    credit = turn("how is Globex on credit?", "U0SALES2", ["check_credit"])
    report = turn("ageing and [bold]late[/bold] invoices", "U0MGR1", ["ar_ageing", "invoice_status"])
    chat = turn("thanks!", "U0SALES1", [])
    live.feedback.record("U0SALES2", credit, "up")
    live.feedback.record("U0MGR1", credit, "down")
    live.feedback.record("U0MGR1", report, "down")
    live.feedback.record("U0SALES1", chat, "up")

    ran = run_app(tmp_path, ["stats"], {"DATABASE_URL": backend.url})
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    per_tool = lines[lines.index("feedback per tool") + 2:lines.index("feedback per day")]
    assert [line.split() for line in per_tool] == [
        ["check_credit", "1", "1", "50%"], ["(no", "tool)", "1", "0", "100%"], ["ar_ageing", "0", "1", "0%"],
        ["invoice_status", "0", "1", "0%"]]
    per_day = lines[lines.index("feedback per day") + 2:lines.index("latest thumbs down")]
    assert [line.split() for line in per_day] == [[f"{now:%Y-%m-%d}", "2", "2", "50%"]]
    latest = lines[lines.index("latest thumbs down") + 1:]
    assert len(latest) == 2
    assert "U0MGR1 on U0MGR1's answer" in latest[0] and '"ageing and [bold]late[/bold] invoices"' in latest[0]
    assert "tools: ar_ageing, invoice_status" in latest[0]
    assert '"how is Globex on credit?"; tools: check_credit' in latest[1] and "U0SALES2's answer" in latest[1]


def test_stats_say_when_nobody_gave_feedback(backend, db, tmp_path):
    ran = run_app(tmp_path, ["stats"], {"DATABASE_URL": backend.url})
    assert ran.returncode == 0 and "No feedback on answers yet." in ran.stdout


def test_an_answer_in_words_alone_has_feedback_buttons_too(tally):
    with slack_world(tally, streams=True) as world:
        world.llm.push(reply("Hello! Ask me about credit, invoices or orders."))
        world.dm("U0SALES1", "hi there")
        world.settle()
        (stop,) = world.slack.calls_to("chat.stopStream")
        assert stop.params["blocks"][-1]["elements"][0]["type"] == "feedback_buttons"
