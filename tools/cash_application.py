"""Bank statement import: new lines stored once (bank reference or fingerprint), each credit matched to
open invoices; certain matches become payments at once (audited, each naming its statement line), the
rest waits for review. One transaction for the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from core.bank_statements import Statement, read_statement
from core.bank_statements import StatementLine as ParsedLine
from core.cash_matching import Book, Match, OpenItem, Payer, apply_to_book, match_line
from core.errors import TallyError
from core.money import fmt
from db.models import OPEN_STATUSES, Customer, Invoice, Payment
from db.models.banking import BankStatement, CustomerCredit, CustomerIban, StatementLine
from tools.context import Actor, ToolContext
from tools.payments import PaymentMethod, RecordPaymentArgs, apply_payment
from tools.service import Tally

ZERO = Decimal("0")


@dataclass
class CashReport:
    file: str
    format: str
    statement_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    applied_amount: Decimal = ZERO
    credited_amount: Decimal = ZERO
    review: list[tuple[int, str, str]] = field(default_factory=list)  # line id, what it says, why

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    def summary(self) -> str:
        if self.statement_id is None:
            return f"{self.file} ({self.format}): nothing new; every line was imported before."
        return (f"{self.file} ({self.format}): {self.count('applied')} applied ({fmt(self.applied_amount)}), "
                f"{self.count('review')} need you, {self.count('unmatched')} not matched, "
                f"{self.count('ignored')} debits left alone, {self.count('duplicate')} already imported; "
                f"unapplied cash kept as credit: {fmt(self.credited_amount)}.")


def load_book(session) -> Book:
    rows = session.execute(select(Invoice.id, Invoice.number, Invoice.customer_id, Invoice.balance, Invoice.issue_date)
                           .where(Invoice.status.in_(OPEN_STATUSES))).all()
    items = [OpenItem(r.id, r.number, r.customer_id, r.balance, r.issue_date) for r in rows]
    payers = [Payer(c.id, c.name) for c in session.execute(select(Customer.id, Customer.name)).all()]
    ibans = dict(session.execute(select(CustomerIban.iban, CustomerIban.customer_id)).all())
    return Book(items, payers, ibans)


def learn_iban(ctx: ToolContext, line: StatementLine, customer_id: int) -> None:
    iban = (line.payer_iban or "").replace(" ", "").upper()
    if iban and ctx.session.get(CustomerIban, iban) is None:
        ctx.session.add(CustomerIban(iban=iban, customer_id=customer_id, learned_from_line_id=line.id,
                                     learned_at=ctx.now))


def pay_from_line(ctx: ToolContext, line: StatementLine, invoice: Invoice, amount: Decimal) -> Payment:
    reference = f"{line.bank_reference or f'line {line.id}'} {invoice.number}"[-120:]
    args = RecordPaymentArgs(invoice_number=invoice.number, amount=amount, received_on=line.booking_date,
                             method=PaymentMethod.BANK_TRANSFER, reference=reference)
    payment = apply_payment(ctx, invoice, args, source="bank")
    payment.source_line_id = line.id
    return payment


def keep_credit(ctx: ToolContext, line: StatementLine, customer_id: int, amount: Decimal) -> CustomerCredit:
    credit = CustomerCredit(customer_id=customer_id, statement_line_id=line.id, amount=amount, remaining=amount,
                            received_on=line.booking_date, created_by=ctx.actor.user_id, created_at=ctx.now)
    ctx.session.add(credit)
    ctx.session.flush()
    ctx.audit("keep_credit", "customer", customer_id, None, {"credit": credit.number, "amount": str(amount),
                                                             "line": line.id})
    return credit


def _apply(ctx: ToolContext, row: StatementLine, match: Match, invoices: dict[int, Invoice]) -> None:
    for item, part in match.allocations:
        invoice = invoices.get(item.invoice_id) or ctx.session.get(Invoice, item.invoice_id)
        pay_from_line(ctx, row, invoice, part)
    if match.unapplied > ZERO and match.customer_id is not None:
        keep_credit(ctx, row, match.customer_id, match.unapplied)
    if match.customer_id is not None and match.allocations:
        learn_iban(ctx, row, match.customer_id)


def _new_lines(session, lines: list[ParsedLine]) -> list[ParsedLine]:
    keys = [line.dedupe_key for line in lines]
    seen: set[str] = set()
    for start in range(0, len(keys), 500):
        seen.update(session.scalars(select(StatementLine.dedupe_key)
                                    .where(StatementLine.dedupe_key.in_(keys[start:start + 500]))))
    fresh = []
    for line in lines:
        if line.dedupe_key not in seen:
            seen.add(line.dedupe_key)
            fresh.append(line)
    return fresh


def import_statement(tally: Tally, actor: Actor, data: bytes, file_name: str,
                     csv_columns: dict[str, str] | None = None) -> CashReport:
    statement: Statement = read_statement(data, csv_columns)
    report = CashReport(Path(file_name).name, statement.format)
    with tally.db.session(write=True) as session:
        ctx = ToolContext(actor=actor, session=session, clock=tally.clock, rules=tally.rules, surface="import")
        fresh = _new_lines(session, statement.lines)
        report.counts["duplicate"] = len(statement.lines) - len(fresh)
        if not fresh:
            return report
        stored = BankStatement(format=statement.format, account=statement.account[:64],
                               reference=statement.reference[:80] or None, file_name=report.file[-200:],
                               imported_by=actor.user_id, imported_at=ctx.now)
        session.add(stored)
        session.flush()
        report.statement_id = stored.id
        book = load_book(session)
        invoices = {i.id: i for i in session.scalars(select(Invoice).where(Invoice.status.in_(OPEN_STATUSES)))}
        for line in fresh:
            match = match_line(line, book)
            row = StatementLine(
                statement_id=stored.id, dedupe_key=line.dedupe_key, booking_date=line.booking_date,
                amount=line.amount, credit=line.credit, currency=line.currency[:3] or None,
                payer_name=line.payer_name[:140] or None, payer_iban=line.payer_iban[:40] or None,
                remittance=line.remittance or None, bank_reference=line.bank_reference[:80] or None,
                status=match.outcome, reason=match.reason, customer_id=match.customer_id,
                suggestions=match.suggestions or None)
            session.add(row)
            session.flush()
            if match.outcome == "applied":
                savepoint = session.begin_nested()
                try:
                    _apply(ctx, row, match, invoices)
                    session.flush()
                    savepoint.commit()
                    apply_to_book(match)
                    report.applied_amount += line.amount - match.unapplied
                    report.credited_amount += match.unapplied
                except TallyError as exc:  # e.g. a date in the future: a person looks at it
                    savepoint.rollback()
                    row.status, row.reason = "review", f"could not be applied: {exc}"
            report.counts[row.status] = report.counts.get(row.status, 0) + 1
            if row.status == "review":
                report.review.append((row.id, f"{fmt(line.amount)} from {line.payer_name or 'unknown'}: "
                                              f"{line.remittance or 'no text'}", row.reason or ""))
        ctx.audit("import_bank_statement", "bank_statement", stored.id, None,
                  {"file": report.file, "format": statement.format, **report.counts,
                   "applied": str(report.applied_amount), "credited": str(report.credited_amount)})
        session.commit()
    return report
