"""Who a Slack user is comes from a short-lived cache: a change made through Tally shows at once, one
made by another process once the entry has aged out."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from core.roles import Role
from db.models import Member
from tools.importer import import_csv
from tools.member_cache import MemberCache, member_cache


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_member_removed_or_changed_through_tally_is_seen_at_once(tally):
    assert tally.actor_for("U0SALES1").role == Role.SALES
    tally.members.add("U0SALES1", "collector")
    assert tally.actor_for("U0SALES1").role == Role.COLLECTOR
    tally.members.remove("U0SALES1")
    assert tally.actor_for("U0SALES1") is None
    assert tally.actor_for("U0NEWREP") is None
    tally.members.add("U0NEWREP", "sales", "New Rep", "Europe/Paris")
    assert (tally.actor_for("U0NEWREP").name, tally.actor_for("U0NEWREP").timezone) == ("New Rep", "Europe/Paris")
    tally.members.set_timezone("U0NEWREP", "Asia/Tokyo")
    assert tally.actor_for("U0NEWREP").timezone == "Asia/Tokyo"


def test_members_imported_from_a_file_are_seen_at_once(tally, tmp_path: Path):
    assert tally.actor_for("U0IMPORTED") is None
    file = tmp_path / "members.csv"
    file.write_text("slack_user_id,role,name\nU0IMPORTED,collector,Imported Collector\n", encoding="utf-8")
    report = import_csv(tally, "members", file)
    assert report.count("created") == 1, report.summary()
    assert tally.actor_for("U0IMPORTED").role == Role.COLLECTOR


def test_a_change_by_another_process_shows_once_the_entry_aged_out(tally, db):
    ticks = Ticks()
    cache = MemberCache(ttl=30, monotonic=ticks)
    load = tally._load_member
    assert cache.get("U0SALES1", load).role == "sales"
    with db.session(write=True) as s:  # as `app.py members ...` in another process would
        s.execute(update(Member).where(Member.slack_user_id == "U0SALES1").values(active=False))
        s.commit()
    ticks.now = 29.9
    assert cache.get("U0SALES1", load).role == "sales"
    ticks.now = 30.0
    assert cache.get("U0SALES1", load) is None


def test_a_load_that_began_before_a_change_is_not_kept(tally):
    cache = MemberCache(ttl=30, monotonic=Ticks())

    def load_then_changed(user_id: str):
        known = tally._load_member(user_id)
        cache.forget(user_id)  # the member changed while this older copy was being read
        return known

    assert cache.get("U0SALES1", load_then_changed).role == "sales"
    assert cache.get("U0SALES1", lambda _: None) is None  # the older copy was not cached


def test_each_database_has_its_own_cache(tally, db):
    assert member_cache(db) is member_cache(tally.db) is member_cache(tally.via("home").db)
