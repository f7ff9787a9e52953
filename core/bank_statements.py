"""Bank statements read into typed lines: camt.053 (ISO 20022, .001.02 to .001.08), MT940 and bank CSV,
the format detected from the content. Pure: bytes in, lines out; nothing here touches the database."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from core.errors import InvalidInput

CSV_COLUMNS = {"date": "date", "amount": "amount", "payer": "payer", "reference": "reference",
               "iban": "iban", "bank_reference": "bank_reference", "currency": "currency"}
CSV_ALIASES = {"reference": ("description", "remittance", "details"), "payer": ("name", "counterparty")}


@dataclass(frozen=True)
class StatementLine:
    booking_date: date
    amount: Decimal  # always positive; `credit` says the direction
    credit: bool
    currency: str = ""
    payer_name: str = ""
    payer_iban: str = ""
    remittance: str = ""
    bank_reference: str = ""
    account: str = ""

    @property
    def dedupe_key(self) -> str:
        """The bank's own entry reference when it gives one, else a fingerprint of what the line says,
        within its account: an overlapping statement imported again finds the same keys."""
        if self.bank_reference:
            return f"ref:{self.account}:{self.bank_reference}"[:128]
        text = "|".join((self.account, self.booking_date.isoformat(), str(self.amount), "C" if self.credit else "D",
                         " ".join(self.remittance.split()), " ".join(self.payer_name.split()), self.payer_iban))
        return "fp:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Statement:
    format: str  # camt.053, mt940, csv
    account: str = ""
    reference: str = ""
    lines: list[StatementLine] = field(default_factory=list)


def detect_format(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "camt.053"
    if re.search(rb"^:20:", head, re.M) and b":61:" in data:
        return "mt940"
    return "csv"


def read_statement(data: bytes, csv_columns: dict[str, str] | None = None) -> Statement:
    kind = detect_format(data)
    if kind == "camt.053":
        return read_camt053(data)
    if kind == "mt940":
        from core.mt940_statements import read_mt940

        return read_mt940(data)
    return read_csv(data, csv_columns)


# camt.053 ----------------------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(node: ET.Element | None, path: str) -> ET.Element | None:
    """The first element down a slash path of local names (any namespace, any camt version)."""
    for name in path.split("/") if node is not None else ():
        node = next((child for child in node if _local(child.tag) == name), None)
        if node is None:
            return None
    return node


def _all(node: ET.Element | None, name: str) -> list[ET.Element]:
    return [child for child in node if _local(child.tag) == name] if node is not None else []


def _text(node: ET.Element | None, path: str) -> str:
    found = _find(node, path)
    return (found.text or "").strip() if found is not None else ""


def _party_name(party: ET.Element | None) -> str:
    # .001.02-.07 name the debtor at Dbtr/Nm, .001.08 at Dbtr/Pty/Nm
    return _text(party, "Nm") or _text(party, "Pty/Nm")


def _remittance(tx: ET.Element | None) -> str:
    info = _find(tx, "RmtInf")
    parts = [(u.text or "").strip() for u in _all(info, "Ustrd")]
    parts += [_text(s, "CdtrRefInf/Ref") for s in _all(info, "Strd")]
    parts += [_text(s, "AddtlRmtInf") for s in _all(info, "Strd")]
    return " ".join(p for p in parts if p)


def _camt_date(node: ET.Element | None) -> date:
    raw = _text(node, "Dt") or _text(node, "DtTm")[:10]
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"A camt.053 entry has no readable booking date ({raw!r}).") from None


def read_camt053(data: bytes) -> Statement:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InvalidInput(f"The file is not readable XML ({exc}).") from None
    report = _find(root, "BkToCstmrStmt")
    if report is None:
        raise InvalidInput("The XML file is not a camt.053 statement (no BkToCstmrStmt).")
    statements = _all(report, "Stmt")
    result = Statement("camt.053", reference=_text(statements[0], "Id") if statements else "")
    for stmt in statements:
        account = _text(stmt, "Acct/Id/IBAN") or _text(stmt, "Acct/Id/Othr/Id")
        result.account = result.account or account
        for entry in _all(stmt, "Ntry"):
            result.lines.extend(_entry_lines(entry, account))
    return result


def _entry_lines(entry: ET.Element, account: str) -> list[StatementLine]:
    amount_node = _find(entry, "Amt")
    credit = _text(entry, "CdtDbtInd") == "CRDT"
    booked = _camt_date(_find(entry, "BookgDt"))
    entry_ref = _text(entry, "AcctSvcrRef")
    details = [tx for d in _all(entry, "NtryDtls") for tx in _all(d, "TxDtls")] or [None]
    lines = []
    for n, tx in enumerate(details, start=1):
        tx_amount = _find(tx, "Amt")
        if tx_amount is None:  # an Element without children is falsy: no `or` here
            tx_amount = _find(tx, "AmtDtls/TxAmt/Amt")
        node = tx_amount if len(details) > 1 and tx_amount is not None else amount_node
        ref = _text(tx, "Refs/AcctSvcrRef") or (f"{entry_ref}/{n}" if entry_ref and len(details) > 1 else entry_ref)
        lines.append(StatementLine(
            booking_date=booked, amount=_decimal(node.text if node is not None else ""), credit=credit,
            currency=node.get("Ccy", "") if node is not None else "",
            payer_name=_party_name(_find(tx, "RltdPties/Dbtr")) if credit else "",
            payer_iban=_text(tx, "RltdPties/DbtrAcct/Id/IBAN") if credit else "",
            remittance=_remittance(tx) or _text(entry, "AddtlNtryInf"), bank_reference=ref, account=account))
    return lines


# CSV ---------------------------------------------------------------------------------------------------

def _decimal(raw: str | None) -> Decimal:
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and (("." not in text) or text.rfind(",") > text.rfind(".")):
        text = text.replace(".", "").replace(",", ".")  # 1.234,56
    text = text.replace(",", "")
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidInput(f"{raw!r} is not an amount.") from None


def _csv_date(raw: str) -> date:
    text = raw.strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InvalidInput(f"{raw!r} is not a date.")


def read_csv(data: bytes, columns: dict[str, str] | None = None) -> Statement:
    """`columns` maps our names (date, amount, payer, reference, iban, bank_reference, currency) to the
    bank's header names; a negative amount is a debit."""
    mapping = {**CSV_COLUMNS, **(columns or {})}
    text = data.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t") if text.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    headers = {(h or "").strip().lower(): h for h in reader.fieldnames or []}

    def column(ours: str) -> str | None:
        for name in (mapping[ours], *CSV_ALIASES.get(ours, ())):
            if name.lower() in headers:
                return headers[name.lower()]
        return None

    date_col, amount_col = column("date"), column("amount")
    if not date_col or not amount_col:
        raise InvalidInput("The CSV statement needs a date and an amount column (see bank_csv_columns).")
    result = Statement("csv")
    for row in reader:
        if not any((v or "").strip() for v in row.values()):
            continue
        amount = _decimal(row[amount_col])
        cell = {ours: (row.get(col) or "").strip() if (col := column(ours)) else "" for ours in mapping}
        result.lines.append(StatementLine(
            booking_date=_csv_date(row[date_col]), amount=abs(amount), credit=amount > 0, currency=cell["currency"],
            payer_name=cell["payer"], payer_iban=cell["iban"].replace(" ", "").upper(),
            remittance=cell["reference"], bank_reference=cell["bank_reference"]))
    return result
