"""Who may use Tally, in which role and timezone: the members service of the command line, the sender
and the Slack front end. Every method is its own unit of work and returns MemberInfo, never a row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.errors import InvalidInput, NotFound
from core.roles import Role, parse_role
from db.models import AuditEvent, Member
from db.session import Database
from tools.context import Clock
from tools.member_cache import member_cache

CLI = "cli"  # the actor of audit events written from the command line


@dataclass(frozen=True)
class MemberInfo:
    slack_user_id: str
    role: str
    name: str
    timezone: str | None
    active: bool = True
    tz_checked_at: datetime | None = None


def _info(member: Member) -> MemberInfo:
    return MemberInfo(member.slack_user_id, member.role, member.name, member.timezone, member.active,
                      member.tz_checked_at)


def _seen(member: Member) -> dict:
    return {"role": member.role, "active": member.active, "name": member.name, "timezone": member.timezone}


class Members:
    def __init__(self, db: Database, clock: Clock):
        self.db, self.clock = db, clock

    def add(self, slack_user_id: str, role: str, name: str = "", tz: str | None = None) -> MemberInfo:
        """Add a member, or change an existing one's role, name or timezone (a removed one comes back)."""
        user_id = slack_user_id.strip().upper()
        if not user_id.startswith(("U", "W")) or not user_id.isalnum():
            raise InvalidInput(f"{slack_user_id!r} does not look like a Slack user id (e.g. U0123ABCD).")
        try:
            role_value = parse_role(role).value
        except ValueError:
            raise InvalidInput(f"Unknown role {role!r}; use one of: {', '.join(r.value for r in Role)}.") from None
        if len(user_id) > 40 or len(name) > 120:
            raise InvalidInput("A Slack user id has at most 40 characters and a name at most 120.")
        if tz:
            try:
                ZoneInfo(tz)
            except Exception:
                raise InvalidInput(f"Unknown timezone {tz!r}; use an IANA name like Europe/Paris.") from None
        now = self.clock.now()
        with self.db.session(write=True) as session:
            member = session.get(Member, user_id)
            before = None if member is None else _seen(member)
            if member is None:
                member = Member(slack_user_id=user_id, name=name or user_id, role=role_value, timezone=tz,
                                created_at=now)
                session.add(member)
            else:
                member.role, member.active = role_value, True
                member.name = name or member.name
                member.timezone = tz or member.timezone
            after = _seen(member)
            if before != after:  # adding someone again exactly as they are changes nothing
                session.add(AuditEvent(at=now, actor=CLI, action="member_add" if before is None else "member_change",
                                       entity="member", entity_id=user_id, before=before, after=after))
            session.commit()
            member_cache(self.db).forget(user_id)
            return _info(member)

    def all(self) -> list[MemberInfo]:
        with self.db.session() as session:
            return [_info(m) for m in session.scalars(select(Member).order_by(Member.role, Member.slack_user_id))]

    def remove(self, slack_user_id: str) -> None:
        """Deactivate rather than delete: customers and history still point at the member."""
        user_id = slack_user_id.strip().upper()
        with self.db.session(write=True) as session:
            member = session.get(Member, user_id)
            if member is None or not member.active:
                raise NotFound(f"{user_id} is not an active member.", hint="`members list` shows who is.")
            member.active = False
            session.add(AuditEvent(at=self.clock.now(), actor=CLI, action="member_remove", entity="member",
                                   entity_id=user_id, before={"active": True}, after={"active": False}))
            session.commit()
        member_cache(self.db).forget(user_id)

    def in_role(self, *roles: str) -> list[MemberInfo]:
        with self.db.session() as session:
            return [_info(m) for m in session.scalars(
                select(Member).where(Member.role.in_(roles), Member.active.is_(True)).order_by(Member.slack_user_id))]

    def get(self, slack_user_id: str) -> MemberInfo | None:
        with self.db.session() as session:
            member = session.get(Member, slack_user_id)
            return _info(member) if member else None

    def set_timezone(self, slack_user_id: str, tz: str, checked_at: datetime | None = None) -> None:
        """The timezone as Slack reports it (users.info), so reminders respect the person's working hours."""
        checked_at = checked_at or self.clock.now()
        with self.db.session(write=True) as session:
            member = session.get(Member, slack_user_id)
            if member is None:
                return
            if member.timezone != tz:  # a check that finds the same zone is not worth an event
                session.add(AuditEvent(at=checked_at, actor="slack", action="member_timezone", entity="member",
                                       entity_id=slack_user_id, before={"timezone": member.timezone},
                                       after={"timezone": tz}))
            member.timezone, member.tz_checked_at = tz, checked_at
            session.commit()
        member_cache(self.db).forget(slack_user_id)
