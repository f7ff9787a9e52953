"""Bank statement import: new lines stored once (bank reference or fingerprint), each credit matched to
open invoices; certain matches become payments at once (audited, each naming its statement line), the
rest waits for review. One transaction for the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select, update

from core.bank_statements import Statement, read_statement
from core.bank_statements import StatementLine as ParsedLine
from core.cash_matching import Book, Match, OpenItem, Payer, apply_to_book, match_line
from core.errors import Conflict
from core.money import fmt
from core.write_off import proposed_write_offs
from db.models import OPEN_STATUSES, AuditEvent, Customer, Invoice, Payment
from db.models.banking import BankStatement, CustomerCredit, CustomerIban, StatementLine
from tools.context import Actor, ToolContext
from tools.payments import PaymentMethod, RecordPaymentArgs, apply_payment
from tools.service import Tally

ZERO = Decimal("0")


@dataclass(frozen=True)
class ReviewItem:
    line_id: int
    said: str  # amount, payer and remittance text, as the bank wrote them
    why: str
    suggestions: tuple[str, ...] = ()  # invoice numbers to offer
    known_payer: bool = False


@dataclass(frozen=True)
class WriteOffProposal:
    """The rest of a short payment, within the tolerance: a credit note a person issues with one click."""

    line_id: int
    invoice_number: str
    amount: Decimal
    manager_only: bool = False  # above the credit-note limit: only a manager's click issues it

    @property
    def reason(self) -> str:
        return f"short payment write-off (statement line {self.line_id})"


@dataclass
class CashReport:
    file: str
    format: str
    statement_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    applied_amount: Decimal = ZERO
    credited_amount: Decimal = ZERO
    review: list[ReviewItem] = field(default_factory=list)
    write_offs: list[WriteOffProposal] = field(default_factory=list)

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    def summary(self) -> str:
        if self.statement_id is None:
            return f"{self.file} ({self.format}): nothing new; every line was imported before."
        return (f"{self.file} ({self.format}): {self.count('applied')} applied ({fmt(self.applied_amount)}), "
                f"{self.count('review')} need you, {self.count('unmatched')} not matched, "
                f"{self.count('ignored')} debits left alone, {self.count('duplicate')} already imported; "
                f"unapplied cash kept as credit: {fmt(self.credited_amount)}"
                + (f"; {len(self.write_offs)} short payment rest(s) to write off, listed above "
                   "(`credit-note INVOICE AMOUNT REASON` in Slack or the console)." if self.write_offs else "."))


def learn_iban(ctx: ToolContext, line: StatementLine, customer_id: int) -> str | None:
    iban = (line.payer_iban or "").replace(" ", "").upper()
    if iban and ctx.session.get(CustomerIban, iban) is None:
        ctx.session.add(CustomerIban(iban=iban, customer_id=customer_id, learned_from_line_id=line.id,
                                     learned_at=ctx.now))
        return iban
    return None


def pay_from_line(ctx: ToolContext, line: StatementLine, invoice: Invoice, amount: Decimal) -> Payment:
    """One payment from a statement line, with every check of a payment typed by hand (a reviewer's choice)."""
    args = RecordPaymentArgs(invoice_number=invoice.number, amount=amount, received_on=line.booking_date,
                             method=PaymentMethod.BANK_TRANSFER, reference=_reference(line.dedupe_key, invoice.number))
    payment = apply_payment(ctx, invoice, args, source="bank")
    payment.source_line_id = line.id
    return payment


def keep_credit(ctx: ToolContext, line: StatementLine, customer_id: int, amount: Decimal) -> CustomerCredit:
    credit = CustomerCredit(customer_id=customer_id, statement_line_id=line.id, amount=amount, remaining=amount,
                            received_on=line.booking_date, created_by=ctx.actor.user_id, created_at=ctx.now)
    ctx.session.add(credit)
    ctx.audit("keep_credit", "customer", customer_id, None, {"amount": str(amount), "line": line.id})
    return credit


def _reference(dedupe_key: str, invoice_number: str) -> str:
    # unique per line and invoice, as payments are unique per (source, reference)
    return f"{dedupe_key.rsplit(':', 1)[-1][-80:]} {invoice_number}"


class _Ledger:
    """The open invoices, loaded once, and the payments an import posts on them, kept in memory and written
    in bulk: a statement of a thousand lines is a few statements, not thousands of round trips."""

    def __init__(self, session):
        self.invoices = {r.id: r._asdict() for r in session.execute(
            select(Invoice.id, Invoice.number, Invoice.customer_id, Invoice.total, Invoice.paid_amount,
                   Invoice.status, Invoice.issue_date).where(Invoice.status.in_(OPEN_STATUSES)))}
        self.loaded = {i: row["paid_amount"] for i, row in self.invoices.items()}
        partial = [i for i, row in self.invoices.items() if row["status"] != "open"]
        self.last_paid = dict(session.execute(select(Payment.invoice_id, func.max(Payment.received_on))
                                              .where(Payment.invoice_id.in_(partial)).group_by(Payment.invoice_id))
                              .all()) if partial else {}
        items = [OpenItem(i, r["number"], r["customer_id"], r["total"] - r["paid_amount"], r["issue_date"])
                 for i, r in self.invoices.items()]
        payers = [Payer(c.id, c.name) for c in session.execute(select(Customer.id, Customer.name)).all()]
        ibans = dict(session.execute(select(CustomerIban.iban, CustomerIban.customer_id)).all())
        self.known_ibans = set(ibans)
        self.book = Book(items, payers, ibans)
        self.payments: list[dict] = []
        self.audits: list[dict] = []
        self.changed: set[int] = set()

    def post(self, ctx: ToolContext, row: StatementLine, invoice_id: int, amount: Decimal) -> None:
        """The rules of apply_payment (tools/payments.py), on the loaded rows."""
        invoice = self.invoices[invoice_id]
        before = {"paid_amount": str(invoice["paid_amount"]), "status": invoice["status"]}
        reference = _reference(row.dedupe_key, invoice["number"])
        self.payments.append(dict(invoice_id=invoice_id, customer_id=invoice["customer_id"], amount=amount,
                                  received_on=row.booking_date, method=PaymentMethod.BANK_TRANSFER.value,
                                  reference=reference, source="bank", source_line_id=row.id,
                                  recorded_by=ctx.actor.user_id, created_at=ctx.now))
        invoice["paid_amount"] += amount
        latest = max(filter(None, (self.last_paid.get(invoice_id), row.booking_date)))
        self.last_paid[invoice_id] = latest
        if invoice["paid_amount"] == invoice["total"]:
            invoice["status"], invoice["paid_on"] = "paid", latest
        else:
            invoice["status"] = "partially_paid"
        self.changed.add(invoice_id)
        self.audits.append(dict(at=ctx.now, actor=ctx.actor.user_id, action="record_payment", entity="invoice",
                                entity_id=invoice["number"], before=before,
                                after={"paid_amount": str(invoice["paid_amount"]), "status": invoice["status"],
                                       "reference": reference, "statement_line": row.id}))

    def write(self, session) -> None:
        changed = sorted(self.changed)
        for start in range(0, len(changed), 500):
            # Payments typed meanwhile on these invoices would be overwritten: lock them, and if one moved, the
            # import stops (nothing written) and is simply run again.
            chunk = changed[start:start + 500]
            now = session.execute(select(Invoice.id, Invoice.paid_amount).where(Invoice.id.in_(chunk))
                                  .with_for_update()).all()
            if any(self.loaded[i] != paid for i, paid in now):
                raise Conflict("Payments were recorded on these invoices while the statement was being matched; "
                               "nothing was imported.", hint="Import the statement again.")
        if self.payments:
            session.execute(insert(Payment), self.payments)
            session.execute(update(Invoice), [
                {"id": i, "paid_amount": self.invoices[i]["paid_amount"], "status": self.invoices[i]["status"],
                 "paid_on": self.invoices[i].get("paid_on")} for i in sorted(self.changed)])
            session.execute(insert(AuditEvent), self.audits)


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


def _decide(ctx: ToolContext, line: ParsedLine, book: Book) -> Match:
    match = match_line(line, book)
    if match.outcome == "applied" and line.currency and line.currency.upper() != ctx.rules.currency.upper():
        return Match("review", f"paid in {line.currency}, the books are in {ctx.rules.currency}", match.customer_id,
                     suggestions=[i.number for i, _ in match.allocations])
    if match.outcome == "applied" and line.booking_date > ctx.today:
        return Match("review", f"booked {line.booking_date}, a date still to come", match.customer_id,
                     suggestions=[i.number for i, _ in match.allocations])
    if match.outcome == "applied" and (short := proposed_write_offs(match.rests, match.due, ctx.rules.write_off)):
        owed = ", ".join(f"{fmt(rest)} on {number}" for number, rest in short)
        match.reason += f"; {owed} left, within the write-off tolerance"
    if match.outcome == "applied":
        apply_to_book(match)  # later lines see the balances this one leaves
        if line.payer_iban and match.customer_id is not None and match.allocations:
            book.ibans.setdefault(line.payer_iban.replace(" ", "").upper(), match.customer_id)
    return match


def _row(statement_id: int, line: ParsedLine, match: Match) -> StatementLine:
    return StatementLine(
        statement_id=statement_id, dedupe_key=line.dedupe_key, booking_date=line.booking_date,
        amount=line.amount, credit=line.credit, currency=line.currency[:3] or None,
        payer_name=line.payer_name[:140] or None, payer_iban=line.payer_iban[:40] or None,
        remittance=line.remittance or None, bank_reference=line.bank_reference[:80] or None,
        status=match.outcome, reason=match.reason, customer_id=match.customer_id,
        suggestions=match.suggestions or None)


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
        ledger = _Ledger(session)
        with session.no_autoflush:
            decided = [(line, _decide(ctx, line, ledger.book)) for line in fresh]
            rows = [_row(stored.id, line, match) for line, match in decided]
            session.add_all(rows)
            session.flush()  # the lines' ids, for the payments that name them
            for row, (line, match) in zip(rows, decided, strict=True):
                report.counts[row.status] = report.counts.get(row.status, 0) + 1
                if row.status == "review":
                    said = f"{fmt(line.amount)} from {line.payer_name or 'unknown'}: {line.remittance or 'no text'}"
                    report.review.append(ReviewItem(row.id, said, row.reason or "", tuple(match.suggestions),
                                                    match.customer_id is not None))
                if row.status != "applied":
                    continue
                for item, part in match.allocations:
                    ledger.post(ctx, row, item.invoice_id, part)
                if match.unapplied > ZERO and match.customer_id is not None:
                    keep_credit(ctx, row, match.customer_id, match.unapplied)
                report.write_offs += [
                    WriteOffProposal(row.id, number, rest, rest > ctx.rules.credit_note_manager_above)
                    for number, rest in proposed_write_offs(match.rests, match.due, ctx.rules.write_off)]
                report.applied_amount += line.amount - match.unapplied
                report.credited_amount += match.unapplied
                iban = (row.payer_iban or "").replace(" ", "").upper()
                if iban and match.customer_id is not None and iban not in ledger.known_ibans:
                    ledger.known_ibans.add(iban)
                    session.add(CustomerIban(iban=iban, customer_id=match.customer_id, learned_from_line_id=row.id,
                                             learned_at=ctx.now))
            ledger.write(session)
        ctx.audit("import_bank_statement", "bank_statement", stored.id, None,
                  {"file": report.file, "format": statement.format, **report.counts,
                   "applied": str(report.applied_amount), "credited": str(report.credited_amount),
                   "write_offs_proposed": [f"{w.amount} on {w.invoice_number}" for w in report.write_offs]})
        session.commit()
    return report
