"""Who Tally deals with: members (Slack users with a role) and customers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Money, Str40


class Member(Base):
    """A Slack user mapped to a role. Unknown Slack users have no row and get nothing."""

    __tablename__ = "members"
    slack_user_id: Mapped[Str40] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    timezone: Mapped[str | None] = mapped_column(String(64))
    tz_checked_at: Mapped[datetime | None]  # when the timezone was last read from Slack (users.info)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[Str40] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    owner_rep: Mapped[Str40 | None] = mapped_column(ForeignKey("members.slack_user_id"))
    collector: Mapped[Str40 | None] = mapped_column(ForeignKey("members.slack_user_id"))
    credit_limit: Mapped[Money]
    payment_terms_days: Mapped[int] = mapped_column(default=30)
    on_hold: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str | None] = mapped_column(String(200))
    tax_id: Mapped[str | None] = mapped_column(String(40))
    billing_address: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
