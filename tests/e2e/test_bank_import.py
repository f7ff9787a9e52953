"""`python app.py import bank FILE` with statements written the way banks write them: camt.053 with
namespaces, batch entries with transaction details, remittance in Ustrd and Strd; MT940 with a
structured :86: field. Balances and the ageing follow, a second import changes nothing, and a line
naming another customer's invoice waits for review instead of being applied."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from db.models import CustomerCredit, CustomerIban, Invoice, Payment, StatementLine
from tests.e2e import test_data_cli
from tests.e2e.test_data_cli import rows

app = test_data_cli.app  # the CLI fixture: runs a command against the test database

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def tx(amount: str, name: str, iban: str, *, ustrd: str = "", strd: str = "", ref: str = "") -> str:
    remittance = f"<Ustrd>{ustrd}</Ustrd>" if ustrd else ""
    if strd:
        remittance += (f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{strd}</Ref>"
                       "</CdtrRefInf></Strd>")
    refs = f"<Refs><AcctSvcrRef>{ref}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>" if ref else ""
    return (f"<TxDtls>{refs}<Amt Ccy=\"USD\">{amount}</Amt><RltdPties><Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr>"
            f"<DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties><RmtInf>{remittance}</RmtInf></TxDtls>")


def entry(amount: str, ref: str, booked: str, *details: str, debit: bool = False) -> str:
    return (f"<Ntry><Amt Ccy=\"USD\">{amount}</Amt><CdtDbtInd>{'DBIT' if debit else 'CRDT'}</CdtDbtInd>"
            f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{booked}</Dt></BookgDt><ValDt><Dt>{booked}</Dt></ValDt>"
            f"<AcctSvcrRef>{ref}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd></Domn></BkTxCd>"
            + (f"<NtryDtls>{''.join(details)}</NtryDtls>" if details else "<AddtlNtryInf>ACCOUNT FEE</AddtlNtryInf>")
            + "</Ntry>")


def camt(*entries: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{NS}" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><BkToCstmrStmt>'
            "<GrpHdr><MsgId>STMT-20261123</MsgId><CreDtTm>2026-11-23T20:00:00</CreDtTm></GrpHdr>"
            "<Stmt><Id>STMT-20261123-1</Id><CreDtTm>2026-11-23T20:00:00</CreDtTm>"
            "<Acct><Id><IBAN>US00TALLY0000000001</IBAN></Id><Ccy>USD</Ccy></Acct>"
            + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>")


STATEMENT = camt(
    # one transfer paying two invoices, one of them mangled
    entry("2246.00", "E001", "2026-11-23",
          tx("2246.00", "ACME CORP LTD", "DE44500105175407324931", ustrd="INV-2026-00384 inv2026 00414")),
    # a batch entry: two customers, one quoting a structured reference without the year, one paying part
    entry("2020.00", "E002", "2026-11-23",
          tx("1520.00", "Globex", "GB29NWBK60161331926819", strd="INV00010", ref="E002-1"),
          tx("500.00", "INITECH", "FR1420041010050500013M02606", ustrd="Part payment 2026-00344", ref="E002-2")),
    # an overpayment: the rest is the customer's credit
    entry("1000.00", "E003", "2026-11-23",
          tx("1000.00", "Tyrell Corporation", "NL91ABNA0417164300", ustrd="INV-2026-00412")),
    # Stark Industries quoting Wayne's invoice: never applied to the wrong customer
    entry("2018.00", "E004", "2026-11-23",
          tx("2018.00", "Stark Industries", "CH9300762011623852957", ustrd="INV-2026-00417")),
    entry("12.50", "E005", "2026-11-23", debit=True),
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def invoice(db, number: str) -> Invoice:
    with db.session() as session:
        return session.scalars(select(Invoice).where(Invoice.number == number)).one()


def test_a_camt053_statement_applies_what_is_certain_and_a_second_import_changes_nothing(app, db, tally, actors,
                                                                                        tmp_path):
    before = tally.read(actors["U0MGR1"], "ar_ageing", {})
    file = write(tmp_path / "statement.xml", STATEMENT)

    out = app("import", "bank", file).stdout
    assert "camt.053" in out and "4 applied" in out and "1 need you" in out and "1 debits left alone" in out

    for number in ("INV-2026-00384", "INV-2026-00414", "INV-2026-00010", "INV-2026-00412"):
        assert invoice(db, number).status == "paid", number
    assert invoice(db, "INV-2026-00344").balance == Decimal("1189.00")
    assert invoice(db, "INV-2026-00417").balance == Decimal("2018.00")  # Wayne's, quoted by Stark: untouched
    with db.session() as session:
        credit = session.scalars(select(CustomerCredit)).one()
        assert credit.remaining == Decimal("120.00")
        assert credit.customer_id == invoice(db, "INV-2026-00412").customer_id
        review = session.scalars(select(StatementLine).where(StatementLine.status == "review")).one()
        assert review.bank_reference == "E004" and review.suggestions == ["INV-2026-00417"]
        sources = session.scalars(select(Payment).where(Payment.source == "bank")).all()
        assert len(sources) == 5 and all(p.source_line_id for p in sources)
        assert "DE44500105175407324931" in set(session.scalars(select(CustomerIban.iban)))
    after = tally.read(actors["U0MGR1"], "ar_ageing", {})
    assert before.total.total - after.total.total == Decimal("2246.00") + 1520 + 500 + 880

    state = rows(db, audit=True)
    again = app("import", "bank", file).stdout
    assert "nothing new" in again
    assert rows(db, audit=True) == state
    # an overlapping statement: the old entries again and one new line
    overlap = write(tmp_path / "next.xml", STATEMENT.replace(
        "</Stmt>", entry("594.00", "E006", "2026-11-24", tx("594.00", "Hooli Inc.", "", ustrd="INV-2026-00295"))
        + "</Stmt>"))
    assert "1 applied" in app("import", "bank", overlap).stdout
    assert invoice(db, "INV-2026-00295").status == "paid"


MT940 = """:20:STARTUMSE
:25:10020030/1234567
:28C:00042/001
:60F:C261122USD0,00
:61:2611231123CR1488,00NTRFNONREF//MT0001
:86:166?00GUTSCHRIFT?20RE INV2025-00018 UND?21INV-2025-00029?30NOLADEFFXXX?31DE02120300000000202051?32SOYLENT FOODS
:61:2611231123DR3,20NCHGNONREF//MT0002
:86:805?00ENTGELT?20KONTOFUEHRUNG
:62F:C261123USD1484,80
-"""


def test_an_mt940_statement_pays_the_named_invoices_and_the_payer_is_known_by_iban_next_time(app, db, tmp_path):
    out = app("import", "bank", write(tmp_path / "stmt.sta", MT940)).stdout
    assert "mt940" in out and "1 applied" in out and "1 debits left alone" in out
    assert invoice(db, "INV-2025-00018").status == "paid" and invoice(db, "INV-2025-00029").status == "paid"

    # next statement: no name, no invoice number, the oldest open balance exactly: known by the account
    later = MT940.replace("MT0001", "MT0003").replace("1488,00", "1465,00").replace(
        "?20RE INV2025-00018 UND?21INV-2025-00029", "?20PAYMENT").replace("?32SOYLENT FOODS", "")
    assert "1 applied" in app("import", "bank", write(tmp_path / "later.sta", later)).stdout
    assert invoice(db, "INV-2025-00049").status == "paid"


def test_unapplied_cash_shows_in_credit_and_is_applied_later_only_to_its_own_customer(app, db, tally, actors,
                                                                                      tmp_path):
    from bot.blocks.console_text import credit as credit_console
    from bot.grammar import parse
    from core.errors import Conflict

    app("import", "bank", write(tmp_path / "statement.xml", STATEMENT))
    manager = actors["U0MGR1"]
    report = tally.read(manager, "check_credit", {"customer": "TYRELL"})
    assert report.unapplied_cash == Decimal("120.00") and report.credits[0].endswith(" 120.00")
    credit_id = report.credits[0].split()[0]
    assert f"Unapplied cash 120.00 USD: {credit_id}" in credit_console(report)

    command = parse(f"apply {credit_id} INV-2026-00417", tally.clock.now().date())  # Wayne's invoice
    try:
        tally.propose(manager, command.tool, command.args)
        raise AssertionError("applied to another customer's invoice")
    except Conflict as refused:
        assert "Tyrell" in str(refused)
    command = parse(f"apply {credit_id} INV-2026-00431", tally.clock.now().date())
    outcome = tally.confirm(manager, tally.propose(manager, command.tool, command.args).pending_id)
    assert outcome.status == "done", outcome.error
    assert invoice(db, "INV-2026-00431").balance == Decimal("1840.00")
    assert tally.read(manager, "check_credit", {"customer": "TYRELL"}).unapplied_cash == 0


def test_a_bank_csv_in_the_default_columns_and_money_in_another_currency_waits_for_review(app, db, tmp_path):
    file = write(tmp_path / "export.csv", "date,amount,payer,reference,currency\n"
                                          "2026-11-23,594.00,Hooli Inc,INV-2026-00295,USD\n"
                                          "2026-11-23,477.00,Hooli Inc,INV-2026-00396,EUR\n"
                                          "2026-11-23,-25.00,Bank,Wire fee,USD\n")
    out = app("import", "bank", file).stdout
    assert "csv" in out and "1 applied" in out and "1 need you" in out and "paid in EUR" in out
    assert invoice(db, "INV-2026-00295").status == "paid" and invoice(db, "INV-2026-00396").status == "open"
    assert "nothing new" in app("import", "bank", file).stdout


def test_an_automatic_application_can_be_undone_and_the_line_goes_back_to_review(app, db, tally, actors, tmp_path):
    before = tally.read(actors["U0MGR1"], "ar_ageing", {}).total.total
    app("import", "bank", write(tmp_path / "statement.xml", STATEMENT))
    with db.session() as session:
        acme, tyrell = (session.scalars(select(StatementLine.id).where(StatementLine.bank_reference == ref)).one()
                        for ref in ("E001", "E003"))
    manager = actors["U0MGR1"]
    for line_id in (acme, tyrell):
        outcome = tally.run_now(manager, "undo_statement_line", {"line_id": line_id})
        assert outcome.status == "done", outcome.error
    assert invoice(db, "INV-2026-00384").status == "open" and invoice(db, "INV-2026-00414").balance == 1586
    assert invoice(db, "INV-2026-00412").status == "open"
    with db.session() as session:
        assert session.scalars(select(CustomerCredit)).first() is None
        assert session.get(StatementLine, acme).status == "review"
    assert tally.read(manager, "ar_ageing", {}).total.total == before - 1520 - 500  # Globex and Initech stay
