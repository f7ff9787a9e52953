"""Admin operations run from the command line: who may use Tally, in which role."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.roles import Role, parse_role
from db.models import AuditEvent, Member
from db.session import Database

CLI = "cli"  # the actor of audit events written from the command line


def add_member(db: Database, slack_user_id: str, role: str, name: str = "", tz: str | None = None) -> Member:
    user_id = slack_user_id.strip().upper()
    if not user_id.startswith(("U", "W")) or not user_id.isalnum():
        raise ValueError(f"{slack_user_id!r} does not look like a Slack user id (e.g. U0123ABCD).")
    try:
        role_value = parse_role(role).value
    except ValueError:
        raise ValueError(f"Unknown role {role!r}; use one of: {', '.join(r.value for r in Role)}.") from None
    if len(user_id) > 40 or len(name) > 120:
        raise ValueError("A Slack user id has at most 40 characters and a name at most 120.")
    if tz:
        try:
            ZoneInfo(tz)
        except Exception:
            raise ValueError(f"Unknown timezone {tz!r}; use an IANA name like Europe/Paris.") from None
    now = datetime.now(UTC)
    with db.session(write=True) as session:
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
        return member


def _seen(member: Member) -> dict:
    return {"role": member.role, "active": member.active, "name": member.name, "timezone": member.timezone}


def list_members(db: Database) -> list[Member]:
    with db.session() as session:
        return list(session.scalars(select(Member).order_by(Member.role, Member.slack_user_id)))


def remove_member(db: Database, slack_user_id: str) -> None:
    """Deactivate rather than delete: customers and history still point at the member."""
    user_id = slack_user_id.strip().upper()
    with db.session(write=True) as session:
        member = session.get(Member, user_id)
        if member is None or not member.active:
            raise ValueError(f"{user_id} is not an active member.")
        member.active = False
        session.add(AuditEvent(at=datetime.now(UTC), actor=CLI, action="member_remove", entity="member",
                               entity_id=user_id, before={"active": True}, after={"active": False}))
        session.commit()


def members_in_role(db: Database, *roles: str) -> list[Member]:
    with db.session() as session:
        return list(session.scalars(select(Member).where(Member.role.in_(roles), Member.active.is_(True))
                                    .order_by(Member.slack_user_id)))


def member_timezone(db: Database, slack_user_id: str) -> tuple[str | None, datetime | None]:
    with db.session() as session:
        member = session.get(Member, slack_user_id)
        return (member.timezone, member.tz_checked_at) if member else (None, None)


def set_member_timezone(db: Database, slack_user_id: str, tz: str, checked_at: datetime) -> None:
    """The timezone as Slack reports it (users.info), so reminders respect the person's working hours."""
    with db.session(write=True) as session:
        member = session.get(Member, slack_user_id)
        if member is None:
            return
        if member.timezone != tz:  # a check that finds the same zone is not worth an event
            session.add(AuditEvent(at=checked_at, actor="slack", action="member_timezone", entity="member",
                                   entity_id=slack_user_id, before={"timezone": member.timezone},
                                   after={"timezone": tz}))
        member.timezone, member.tz_checked_at = tz, checked_at
        session.commit()
