"""Proactive alerts on both databases: what a pass finds on the demo books, a customer pushed to 95% of its
limit alerting its rep and collector once across passes, a condition that clears and returns alerting
again, one cleared before its alert went being skipped, odd orders and late deliveries, the thresholds
file, and (on PostgreSQL) two passes at once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from bot.alerts import AlertSender, run_alerts
from bot.slack_app import slack_client
from core.alerts import AlertThresholds, parse_thresholds
from core.errors import InvalidInput
from db.exposure import credit_inputs
from db.models import Alert, AlertCondition, Customer, Member, OrderLine, Product, SalesOrder
from tests.fakes.slack_api import MockSlack
from tools import TickingClock
from tools.alert_outbox import load_thresholds

TUESDAY_4PM_UTC = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 11:00 in New York: inside working hours


@pytest.fixture
def at_4pm(tally):
    tally.clock = TickingClock(TUESDAY_4PM_UTC)
    with tally.db.session(write=True) as s:  # timezones known today: no users.info needed
        s.execute(update(Member).values(tz_checked_at=TUESDAY_4PM_UTC))
        s.commit()
    return tally


def set_limit_for_share(db, code: str, share: Decimal) -> None:
    """Make `code`'s current exposure `share` of its credit limit."""
    with db.session(write=True) as s:
        customer = s.scalar(select(Customer).where(Customer.code == code))
        inputs = credit_inputs(s, customer, TUESDAY_4PM_UTC.date())
        customer.credit_limit = ((inputs.open_balance + inputs.uninvoiced_orders) / share).quantize(Decimal("1"))
        s.commit()


def alerts_about(db, kind: str, subject: str) -> list[tuple]:
    with db.session() as s:
        return s.execute(select(AlertCondition.episode, Alert.recipient, Alert.status)
                         .join(Alert, Alert.condition_id == AlertCondition.id)
                         .where(AlertCondition.kind == kind, AlertCondition.subject == subject)
                         .order_by(AlertCondition.episode, Alert.recipient)).all()


def posted_alerts(slack: MockSlack) -> list[dict]:
    out = []
    for call in slack.calls_to("chat.postMessage"):
        meta = call.params.get("metadata")
        meta = json.loads(meta) if isinstance(meta, str) else meta
        if meta and meta.get("event_type") == "tally_alert":
            out.append({"channel": call.params["channel"], "id": meta["event_payload"]["alert_id"],
                        "text": call.params.get("text") or ""})
    return out


def test_a_pass_on_the_demo_books_finds_each_condition_once(at_4pm, db):
    first = at_4pm.alert_outbox.run_pass()
    assert first.found == first.opened >= 3 and first.queued >= first.opened
    with db.session() as s:
        kinds = dict(s.execute(select(AlertCondition.kind, func.count()).group_by(AlertCondition.kind)).all())
    assert {"exposure", "broken_promise"} <= set(kinds)
    again = at_4pm.alert_outbox.run_pass()
    assert (again.found, again.opened, again.cleared, again.queued) == (first.found, 0, 0, 0)


def test_a_customer_pushed_to_95_percent_alerts_rep_and_collector_once_then_again_after_it_clears(at_4pm, db):
    set_limit_for_share(db, "ACME", Decimal("0.95"))
    with MockSlack() as slack:
        client = slack_client("xoxb-test", slack.base_url)
        run_alerts(at_4pm, client)
        run_alerts(at_4pm, client)  # the next hour's pass: nothing new
        assert alerts_about(db, "exposure", "ACME") == [(1, "U0COLL1", "sent"), (1, "U0SALES1", "sent")]
        acme = [p for p in posted_alerts(slack) if "Acme" in p["text"]]
        assert len(acme) == 2 and "95% of its credit limit" in acme[0]["text"]

        set_limit_for_share(db, "ACME", Decimal("0.50"))  # the limit raised: the condition clears
        assert at_4pm.alert_outbox.run_pass().cleared >= 1
        set_limit_for_share(db, "ACME", Decimal("0.92"))  # and comes back
        run_alerts(at_4pm, client)
        assert [(e, r) for e, r, _ in alerts_about(db, "exposure", "ACME")] == [
            (1, "U0COLL1"), (1, "U0SALES1"), (2, "U0COLL1"), (2, "U0SALES1")]
        assert len([p for p in posted_alerts(slack) if "Acme" in p["text"]]) == 4


def test_a_condition_cleared_before_its_alert_went_is_skipped(at_4pm, db):
    set_limit_for_share(db, "ACME", Decimal("0.95"))
    outbox = at_4pm.alert_outbox
    outbox.run_pass()
    set_limit_for_share(db, "ACME", Decimal("0.40"))
    outbox.run_pass()
    with MockSlack() as slack:
        AlertSender(at_4pm, outbox, slack_client("xoxb-test", slack.base_url)).run_once()
        assert not [p for p in posted_alerts(slack) if "Acme" in p["text"]]
    assert {s for *_, s in alerts_about(db, "exposure", "ACME")} == {"skipped"}


def test_outside_working_hours_an_alert_waits_for_the_morning(tally, db):
    friday_11pm_ny = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
    tally.clock = TickingClock(friday_11pm_ny)
    set_limit_for_share(db, "ACME", Decimal("0.95"))
    tally.alert_outbox.run_pass()
    with db.session() as s:
        due = s.execute(select(Alert.due_at).join(AlertCondition).where(
            AlertCondition.subject == "ACME", Alert.recipient == "U0SALES1")).scalar_one()
    assert due.astimezone(UTC) == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York


def order(db, customer: str, quantity: int, price: Decimal, *, status: str = "confirmed", days_ago: int = 0,
          promised: date | None = None, sku: str = "WIDGET-1") -> str:
    with db.session(write=True) as s:
        c = s.scalar(select(Customer).where(Customer.code == customer))
        product = s.scalar(select(Product).where(Product.sku == sku))
        n = s.scalar(select(func.count()).select_from(SalesOrder)) + 1
        day = TUESDAY_4PM_UTC.date() - timedelta(days=days_ago)
        so = SalesOrder(number=f"SO-2026-9{n:04d}", customer_id=c.id, rep=c.owner_rep or "U0SALES1", status=status,
                        total=quantity * price, credit_decision={}, ordered_on=day, created_at=TUESDAY_4PM_UTC,
                        updated_at=TUESDAY_4PM_UTC)
        so.lines.append(OrderLine(product_id=product.id, sku=sku, quantity=quantity, unit_price=price,
                                  unit_cost=product.cost, line_total=quantity * price, promised_date=promised))
        s.add(so)
        s.commit()
        return so.number


def test_an_order_far_above_the_customers_history_alerts_the_managers(at_4pm, db):
    for i in range(6):
        order(db, "INITECH", 5 + i, Decimal("10.00"), status="delivered", days_ago=60 + i)
    usual = order(db, "INITECH", 9, Decimal("10.00"), status="credit_hold")
    odd = order(db, "INITECH", 200, Decimal("10.00"), status="credit_hold")
    at_4pm.alert_outbox.run_pass()
    with db.session() as s:
        subjects = set(s.scalars(select(AlertCondition.subject).where(AlertCondition.kind == "outlier_order")))
        facts = s.scalar(select(AlertCondition.facts).where(AlertCondition.subject == odd))
    assert odd in subjects and usual not in subjects
    assert facts["awaiting_decision"] is True and any("quantity 200" in r for r in facts["reasons"])
    assert {r for _, r, _ in alerts_about(db, "outlier_order", odd)} == {"U0MGR1"}


def test_late_deliveries_and_orders_stock_cannot_cover(at_4pm, db):
    late = order(db, "ACME", 2, Decimal("25.00"), promised=TUESDAY_4PM_UTC.date() - timedelta(days=3))
    with db.session(write=True) as s:
        on_hand = s.scalar(select(Product.stock_on_hand).where(Product.sku == "GADGET-2"))
    big = order(db, "ACME", on_hand + 5, Decimal("45.00"), status="credit_hold", sku="GADGET-2")
    at_4pm.alert_outbox.run_pass()
    with db.session() as s:
        facts = {c.kind + ":" + c.subject: c.facts for c in s.scalars(select(AlertCondition))}
    assert facts[f"late_delivery:{late}"]["days_late"] == 3
    short = facts["stock_short:GADGET-2"]
    assert short["short"] >= 5 and big in short["orders"]
    assert {r for _, r, _ in alerts_about(db, "stock_short", "GADGET-2")} >= {"U0SALES1", "U0MGR1"}


def test_stock_that_runs_out_within_its_lead_time_at_the_sales_trend(at_4pm, db):
    with db.session(write=True) as s:
        widget = s.scalar(select(Product).where(Product.sku == "WIDGET-1"))
        widget.stock_on_hand = widget.stock_reserved + 10  # a few days at the trend's ~100 a month
        s.commit()
    outbox = at_4pm.alert_outbox
    outbox.run_pass()
    with db.session() as s:
        facts = s.scalar(select(AlertCondition.facts).where(AlertCondition.kind == "stock_runout",
                                                             AlertCondition.subject == "WIDGET-1"))
    assert facts is not None and Decimal(facts["days_of_cover"]) < 14 and Decimal(facts["monthly_forecast"]) > 0
    with db.session(write=True) as s:  # restocked in two days: no longer a risk, the condition clears
        s.execute(update(Product).where(Product.sku == "WIDGET-1").values(lead_time_days=2))
        s.commit()
    assert outbox.run_pass().cleared >= 1
    with db.session() as s:
        assert s.scalar(select(AlertCondition.cleared_at).where(AlertCondition.subject == "WIDGET-1")) is not None


def test_thresholds_come_from_a_toml_file_and_bad_ones_are_named(tmp_path, db, tally):
    path = tmp_path / "alerts.toml"
    path.write_text('[alerts]\nexposure_share = 0.5\noff = ["worsening"]\n')
    limits = load_thresholds(path)
    assert limits.exposure_share == Decimal("0.5") and limits.off == ("worsening",)
    assert load_thresholds(None) == AlertThresholds()
    with pytest.raises(ValueError, match="unknown alert threshold 'exposure'"):
        parse_thresholds("[alerts]\nexposure = 0.9\n")
    with pytest.raises(ValueError, match="above zero"):
        parse_thresholds("outlier_multiple = -1\n")
    with pytest.raises(InvalidInput, match="cannot be read"):
        load_thresholds(tmp_path / "missing.toml")
    tally.clock = TickingClock(TUESDAY_4PM_UTC)
    tally.alert_thresholds = limits
    tally.alert_outbox.run_pass()
    with db.session() as s:
        kinds = set(s.scalars(select(AlertCondition.kind)))
    assert "worsening" not in kinds and "exposure" in kinds


def test_two_passes_at_once_open_each_condition_once(backend, at_4pm, db):
    if backend.name != "postgresql":
        pytest.skip("passes in parallel are a PostgreSQL matter; SQLite writers take turns")
    set_limit_for_share(db, "ACME", Decimal("0.95"))
    start = threading.Barrier(2)
    errors = []

    def one_pass():
        try:
            start.wait()
            at_4pm.alert_outbox.run_pass()
        except Exception as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert alerts_about(db, "exposure", "ACME") == [(1, "U0COLL1", "pending"), (1, "U0SALES1", "pending")]
