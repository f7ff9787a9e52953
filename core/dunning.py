"""The dunning plan: which reminder stage is due for an invoice, whether to chase, and when to deliver."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import InvalidInput
from core.money import money

RECIPIENTS = ("rep", "collector", "manager")
KINDS = ("heads_up", "reminder", "escalation")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
STATUSES = ("open", "partially_paid", "paid", "credited", "void")
SETTLED = ("paid", "credited", "void")  # nothing is owed on them
RISK_WEIGHTS = {
    "A": Decimal("1.0"),
    "B": Decimal("1.2"),
    "C": Decimal("1.5"),
    "D": Decimal("2.0"),
    "E": Decimal("3.0"),
}


@dataclass(frozen=True)
class Stage:
    name: str
    offset_days: int  # relative to the due date; negative is before it
    recipients: tuple[str, ...]  # drawn from RECIPIENTS
    kind: str  # "heads_up" | "reminder" | "escalation"


DEFAULT_POLICY: tuple[Stage, ...] = (
    Stage("-3d", -3, ("rep",), "heads_up"),
    Stage("+1d", 1, ("collector",), "reminder"),
    Stage("+7d", 7, ("collector",), "reminder"),
    Stage("+14d", 14, ("collector", "rep"), "reminder"),
    Stage("+30d", 30, ("collector", "manager"), "escalation"),
)


@dataclass(frozen=True)
class WorkingHours:
    """When reminders may be delivered, in the recipient's local time; weekdays are 0 (Mon) to 6 (Sun)."""

    start: time = time(9, 0)
    end: time = time(18, 0)
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise InvalidInput(f"working hours must start before they end (got {self.start}–{self.end})")
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise InvalidInput("working hours need at least one weekday, numbered 0 (Mon) to 6 (Sun)")


def _load_toml(toml_text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"the dunning policy is not valid TOML: {exc}") from exc


def _infer_kind(offset: int, recipients: tuple[str, ...]) -> str:
    if offset < 0:
        return "heads_up"
    return "escalation" if "manager" in recipients else "reminder"


def _parse_stage(raw: Any, index: int) -> Stage:
    where = f"stage {index + 1}"
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where} must be a [[stage]] table")
    unknown = set(raw) - {"name", "offset_days", "recipients", "kind"}
    if unknown:
        raise InvalidInput(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
    name, offset, recipients = raw.get("name"), raw.get("offset_days"), raw.get("recipients")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"{where} needs a name, like name = \"+1d\"")
    where = f"stage {name!r}"
    # bool is an int in Python; offset_days = true is a typo, not a day count
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise InvalidInput(f"{where} needs offset_days as a whole number of days, like offset_days = 7")
    if not isinstance(recipients, list) or not recipients:
        raise InvalidInput(f"{where} needs recipients, a list drawn from {', '.join(RECIPIENTS)}")
    for who in recipients:
        if who not in RECIPIENTS:
            raise InvalidInput(f"{where} has unknown recipient {who!r}; use {', '.join(RECIPIENTS)}")
    if len(set(recipients)) != len(recipients):
        raise InvalidInput(f"{where} lists a recipient twice")
    recipients_t = tuple(recipients)
    kind = raw.get("kind", _infer_kind(offset, recipients_t))
    if kind not in KINDS:
        raise InvalidInput(f"{where} has unknown kind {kind!r}; use {', '.join(KINDS)}")
    return Stage(name.strip(), offset, recipients_t, kind)


def parse_policy(toml_text: str) -> tuple[Stage, ...]:
    """Read `[[stage]]` tables into a policy ordered by offset. Raises InvalidInput on any mistake."""
    raw_stages = _load_toml(toml_text).get("stage")
    if not isinstance(raw_stages, list) or not raw_stages:
        raise InvalidInput("the dunning policy has no [[stage]] tables")
    stages = [_parse_stage(raw, i) for i, raw in enumerate(raw_stages)]
    seen_names: set[str] = set()
    seen_offsets: dict[int, str] = {}
    for stage in stages:
        if stage.name in seen_names:
            raise InvalidInput(f"the dunning policy has two stages named {stage.name!r}")
        # Two stages on one day would make "the latest due stage" ambiguous.
        if stage.offset_days in seen_offsets:
            raise InvalidInput(
                f"stages {seen_offsets[stage.offset_days]!r} and {stage.name!r} "
                f"both have offset_days = {stage.offset_days}; give each stage its own day"
            )
        seen_names.add(stage.name)
        seen_offsets[stage.offset_days] = stage.name
    return tuple(sorted(stages, key=lambda s: s.offset_days))


def _parse_clock(value: Any, key: str) -> time:
    if isinstance(value, time):  # TOML local time: start = 09:00:00
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"working_hours.{key} must be a time like \"09:00\", not {value!r}") from exc


def parse_working_hours(toml_text: str) -> WorkingHours:
    """Read the optional `[working_hours]` table; defaults (Mon–Fri 09:00–18:00) fill what is missing."""
    raw = _load_toml(toml_text).get("working_hours", {})
    if not isinstance(raw, dict):
        raise InvalidInput("working_hours must be a table: [working_hours]")
    unknown = set(raw) - {"start", "end", "weekdays"}
    if unknown:
        raise InvalidInput(f"working_hours has unknown keys: {', '.join(sorted(unknown))}")
    default = WorkingHours()
    start = _parse_clock(raw["start"], "start") if "start" in raw else default.start
    end = _parse_clock(raw["end"], "end") if "end" in raw else default.end
    weekdays = default.weekdays
    if "weekdays" in raw:
        names = raw["weekdays"]
        if not isinstance(names, list):
            raise InvalidInput("working_hours.weekdays must be a list like [\"mon\", \"tue\"]")
        days = set()
        for name in names:
            key = str(name).strip().lower()
            if key in WEEKDAYS:
                days.add(WEEKDAYS.index(key))
            elif key in _WEEKDAY_NAMES:
                days.add(_WEEKDAY_NAMES.index(key))
            else:
                raise InvalidInput(f"unknown weekday {name!r}; use {', '.join(WEEKDAYS)}")
        weekdays = frozenset(days)
    return WorkingHours(start, end, weekdays)


def stage_date(due_date: date, stage: Stage) -> date:
    return due_date + timedelta(days=stage.offset_days)


def _due_after_recorded(due_date: date, today: date, policy: tuple[Stage, ...], existing: set[str]) -> list[Stage]:
    """Stages due by today and later than every stage already recorded, oldest first."""
    ordered = sorted(policy, key=lambda s: s.offset_days)
    latest_recorded = max((s.offset_days for s in ordered if s.name in existing), default=None)
    return [s for s in ordered if stage_date(due_date, s) <= today
            and (latest_recorded is None or s.offset_days > latest_recorded)]


def stages_to_create(
    due_date: date, today: date, policy: tuple[Stage, ...], existing: set[str]
) -> list[tuple[Stage, bool]]:
    """The stage to record now (none or one), with whether to send it: the latest stage now due, when
    it is later than every stage already recorded.

    A recorded stage stands for the earlier ones too (they were sent, or passed over), so an invoice
    first seen 60 days late gets one message, and one row, not five. Nothing is sent that is older than
    a stage already recorded, nor a heads-up once the invoice is past due (that one is recorded unsent,
    so that it is not weighed again).
    """
    due = _due_after_recorded(due_date, today, policy, existing)
    if not due:
        return []
    latest = due[-1]
    return [(latest, not (latest.offset_days < 0 and today > due_date))]


def passed_over(due_date: date, today: date, policy: tuple[Stage, ...], existing: set[str]) -> int:
    """How many stages due now go unrecorded because the stage recorded now is later."""
    return max(len(_due_after_recorded(due_date, today, policy, existing)) - 1, 0)


def should_chase(
    status: str, balance: Decimal, disputed: bool, promised_until: date | None, today: date
) -> str | None:
    """None when the invoice should be chased, otherwise why not ("paid", "void", "disputed", ...)."""
    if status not in STATUSES:
        raise InvalidInput(f"unknown invoice status {status!r}; expected one of {', '.join(STATUSES)}")
    if status == "void":
        return "void"
    if status == "credited":
        return "credited"
    if status == "paid" or money(balance) <= 0:
        return "paid"
    if disputed:
        return "disputed"
    # A promise pauses chasing through its date; once that passes it is broken and chasing resumes.
    if promised_until is not None and promised_until >= today:
        return f"promised until {promised_until.isoformat()}"
    return None


def next_delivery_time(not_before: datetime, tz: ZoneInfo, hours: WorkingHours) -> datetime:
    """The first moment at or after `not_before` inside working hours in `tz`, in UTC."""
    if not_before.tzinfo is None or not_before.utcoffset() is None:
        raise InvalidInput("next_delivery_time needs an aware datetime")
    local = not_before.astimezone(tz)
    if local.weekday() in hours.weekdays and hours.start <= local.time() < hours.end:
        return not_before.astimezone(UTC)
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        if day.weekday() not in hours.weekdays:
            continue
        # Build the wall-clock start in tz for that very day so the DST offset of that day applies.
        start = datetime.combine(day, hours.start, tzinfo=tz).astimezone(UTC)
        if start >= not_before:
            return start
    raise AssertionError("unreachable: working hours have at least one weekday")


def worklist_score(balance: Decimal, days_overdue: int, risk_grade: str) -> Decimal:
    """Balance × days overdue × risk weight; the higher, the sooner a collector should call.

    A broken promise does not change the score: it ranks first through `worklist_sort_key`.
    """
    try:
        weight = RISK_WEIGHTS[risk_grade]
    except KeyError as exc:
        raise InvalidInput(f"unknown risk grade {risk_grade!r}; expected A–E") from exc
    return money(Decimal(balance) * max(days_overdue, 0) * weight)


def worklist_sort_key(score: Decimal, broken_promise: bool) -> tuple[int, Decimal]:
    """Sort ascending with this key: broken promises first, then the highest score."""
    return (0 if broken_promise else 1, -score)
