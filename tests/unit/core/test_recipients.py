"""Who a reminder goes to when it is sent: the people who handle the customer now."""

from core.recipients import Holders, recipient_now

ACTIVE = {"REP1", "REP2", "COLL1", "COLL2", "MGR1", "MGR2"}


def holders(rep="REP1", collector="COLL1", active=ACTIVE):
    return Holders(rep, collector, ["MGR1", "MGR2"], active)


def test_who_still_holds_the_role_keeps_it():
    assert recipient_now("COLL1", ("collector",), holders(), "collector", set()).recipient == "COLL1"
    assert recipient_now("MGR2", ("collector", "manager"), holders(), "manager", {"COLL1", "MGR1"}).recipient == "MGR2"


def test_a_new_collector_gets_the_old_ones_reminder():
    decision = recipient_now("COLL1", ("collector",), holders(collector="COLL2"), "collector", set())
    assert decision.recipient == "COLL2" and "no longer handles" in decision.reason


def test_with_both_roles_changed_each_goes_to_the_successor_in_its_role():
    now = holders(rep="REP2", collector="COLL2")
    assert recipient_now("REP1", ("collector", "rep"), now, "sales", {"COLL1"}).recipient == "REP2"
    assert recipient_now("COLL1", ("collector", "rep"), now, "collector", {"REP1"}).recipient == "COLL2"


def test_the_successor_already_having_one_means_nobody_gets_a_second():
    decision = recipient_now("COLL1", ("collector",), holders(collector="COLL2"), "collector", {"COLL2"})
    assert decision.recipient is None and decision.reason == "COLL1 no longer handles this customer"


def test_a_removed_member_gets_nothing():
    gone = ACTIVE - {"COLL1"}
    decision = recipient_now("COLL1", ("collector",), holders(active=gone), "collector", set())
    assert decision.recipient is None and decision.reason == "COLL1 is no longer a member"
    assert recipient_now("COLL1", None, holders(active=gone), "collector", set()).recipient is None


def test_a_missing_collector_is_stood_in_for_by_the_first_manager():
    assert holders(collector=None).of("collector") == ["MGR1"]
    assert recipient_now("COLL1", ("collector",), holders(collector=None), "collector", set()).recipient == "MGR1"


def test_a_reminder_someone_asked_for_goes_to_who_was_named():
    assert recipient_now("REP2", None, holders(), "sales", set()).recipient == "REP2"
