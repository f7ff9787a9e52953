"""Feedback on answers in storage: one vote per person and answer, also when clicks race (on PostgreSQL
for real), kept with the turn it judges; and the migration that adds it, both ways."""

from __future__ import annotations

import threading

import pytest
from alembic import command
from sqlalchemy import create_engine, func, inspect, select, text

from core.errors import InvalidInput, NotFound
from db.migrate import alembic_config, current_revision, upgrade
from db.models import Feedback
from tools.conversations import TurnStats


def a_turn(tally, asked: str = "how is Globex on credit?", tools: tuple[str, ...] = ("check_credit",)) -> int:
    return tally.memory().save_turn("C0SALES:1.1", [("user", asked)], tally.clock.now(),
                                    TurnStats(1, 10, 5, list(tools), 800), "answered", author="U0MGR1", asked=asked)


def rows(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Feedback))


def test_clicks_racing_each_other_keep_one_vote_per_person(tally, db):
    turn = a_turn(tally)
    start, kept = threading.Barrier(6), []

    def click(vote: str) -> None:
        start.wait()
        kept.append(tally.feedback.record("U0SALES1", turn, vote))

    threads = [threading.Thread(target=click, args=("up",)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert rows(db) == 1 and sum(k.changed for k in kept) == 1
    assert tally.feedback.vote_of("U0SALES1", turn) == "up"
    assert tally.feedback.record("U0SALES1", turn, "down").changed and rows(db) == 1
    assert tally.feedback.vote_of("U0SALES1", turn) == "down"


def test_a_vote_needs_a_known_answer_and_an_up_or_down(tally, db):
    turn = a_turn(tally)
    with pytest.raises(NotFound):
        tally.feedback.record("U0SALES1", turn + 1000, "up")
    with pytest.raises(InvalidInput):
        tally.feedback.record("U0SALES1", turn, "meh")
    assert rows(db) == 0


def test_the_summary_counts_each_tool_of_an_answer_once_and_lists_thumbs_down_newest_first(tally):
    twice = a_turn(tally, "acme and acme again", ("check_credit", "check_credit", "invoice_status"))
    other = a_turn(tally, "ageing please", ("ar_ageing",))
    tally.feedback.record("U0MGR1", twice, "down")
    tally.feedback.record("U0COLL1", other, "down")
    tally.feedback.record("U0SALES1", other, "up")
    summary = tally.feedback.summary()
    assert {t: (v.up, v.down) for t, v in summary.by_tool.items()} == {
        "check_credit": (0, 1), "invoice_status": (0, 1), "ar_ageing": (1, 1)}
    assert [d.asked for d in summary.latest_down] == ["ageing please", "acme and acme again"]
    assert summary.latest_down[0].tools == ["ar_ageing"] and summary.latest_down[0].voter == "U0COLL1"


def test_the_feedback_migration_goes_up_over_kept_turns_and_back_down(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine, "0013")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO turn_logs (at, user_id, thread_key, model_calls, prompt_tokens, "
                          "completion_tokens, tool_calls, latency_ms, status) VALUES ('2026-11-24 15:00:00', "
                          "'U0MGR1', 't', 1, 1, 1, '[]', 5, 'answered')"))
    upgrade(engine, "0014")
    assert current_revision(engine) == "0014" and "feedback" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT user_id, asked FROM turn_logs")).all() == [("U0MGR1", None)]
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0013")
    assert "feedback" not in inspect(engine).get_table_names()
    assert "asked" not in {c["name"] for c in inspect(engine).get_columns("turn_logs")}
    engine.dispose()
