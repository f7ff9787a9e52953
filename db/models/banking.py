"""Money as the bank reports it: imported statements, their lines, what each line became, the cash a
customer paid that no invoice took yet (their credit), and the bank accounts customers pay from."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, BigId, Money, Str40
from db.models.parties import Customer


class BankStatement(Base):
    __tablename__ = "bank_statements"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    format: Mapped[str] = mapped_column(String(20))  # camt.053, mt940, csv
    account: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(80))
    file_name: Mapped[str] = mapped_column(String(200))
    imported_by: Mapped[Str40]
    imported_at: Mapped[datetime]


class StatementLine(Base):
    __tablename__ = "bank_statement_lines"
    __table_args__ = (Index("ix_bank_statement_lines_status", "status", "statement_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"), index=True)
    # The bank's entry reference, else a fingerprint of the line: an overlapping statement adds nothing.
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    booking_date: Mapped[date]
    amount: Mapped[Money]
    credit: Mapped[bool]
    currency: Mapped[str | None] = mapped_column(String(3))
    payer_name: Mapped[str | None] = mapped_column(String(140))
    payer_iban: Mapped[str | None] = mapped_column(String(40))
    remittance: Mapped[str | None] = mapped_column(Text)
    bank_reference: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))  # applied, review, unmatched, ignored, not_customer
    reason: Mapped[str | None] = mapped_column(Text)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    suggestions: Mapped[list[Any] | None]
    decided_by: Mapped[Str40 | None]
    decided_at: Mapped[datetime | None]


class CustomerCredit(Base):
    """Unapplied cash: money a customer paid beyond the invoices it was applied to, until applied."""

    __tablename__ = "customer_credits"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    statement_line_id: Mapped[int | None] = mapped_column(ForeignKey("bank_statement_lines.id"), index=True)
    amount: Mapped[Money]
    remaining: Mapped[Money]
    received_on: Mapped[date]
    created_by: Mapped[Str40]
    created_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(lazy="joined")

    @property
    def number(self) -> str:
        return f"CR-{self.id}"


class CustomerIban(Base):
    """An account a customer paid from, learned from a confirmed match, so its next payments are known."""

    __tablename__ = "customer_ibans"
    iban: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    learned_from_line_id: Mapped[int | None] = mapped_column(ForeignKey("bank_statement_lines.id"))
    learned_at: Mapped[datetime]


