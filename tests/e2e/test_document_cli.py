"""`python app.py document ...` in-process (typer's runner): the PDF file it writes is one a reader opens."""

from __future__ import annotations

import gc
import io

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from cli import cli
from config import get_settings
from tests.helpers import invoice_of


@pytest.fixture
def app(db, backend, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", backend.url)
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args, code: int = 0):
        result = runner.invoke(cli, [str(a) for a in args])
        gc.collect()  # the command's engine and its pooled connections go with it
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        return result

    yield run
    get_settings.cache_clear()


def text_of(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_document_invoice_writes_a_pdf(app, db, tmp_path):
    invoice = invoice_of(db, "ACME")
    out = tmp_path / "docs" / "invoice.pdf"
    result = app("document", "invoice", invoice.number, "--out", out)
    assert out.read_bytes().startswith(b"%PDF-") and invoice.number in text_of(out)
    assert f"Written to {out}" in result.stdout


def test_document_statement_as_of_a_day(app, tmp_path):
    out = tmp_path / "acme.pdf"
    app("document", "statement", "ACME", "--as-of", "2026-10-31", "--out", out)
    assert "ST-ACME-20261031" in text_of(out) and "Acme Corp" in text_of(out)


def test_document_refuses_an_unknown_kind_and_a_missing_number(app, tmp_path):
    assert "Unknown kind" in app("document", "quote", "X", "--out", tmp_path / "x.pdf", code=1).stdout
    assert "No invoice" in app("document", "invoice", "INV-1999-00001", "--out", tmp_path / "y.pdf", code=1).stdout
    assert not (tmp_path / "y.pdf").exists()


def test_document_delivery_and_credit_note_write_their_pdfs(app, tally, actors, db, tmp_path):
    from tests.helpers import order_of

    manager = actors["U0MGR1"]
    order = order_of(db, "ACME", "confirmed").number
    shipped = tally.confirm(manager, tally.propose(manager, "ship_order", {"order_number": order}).pending_id)
    note = shipped.result.shipment.number
    invoice = invoice_of(db, "ACME").number
    credited = tally.confirm(manager, tally.propose(manager, "issue_credit_note", {
        "invoice_number": invoice, "amount": "12.50", "reason": "damaged box"}).pending_id)
    number = credited.result.credit_note.number
    delivery, credit = tmp_path / "dn.pdf", tmp_path / "cn.pdf"
    app("document", "delivery", note, "--out", delivery)
    app("document", "credit-note", number, "--out", credit)
    dn_text, cn_text = text_of(delivery), text_of(credit)
    assert note in dn_text and order in dn_text and "Acme Corp" in dn_text
    assert number in cn_text and invoice in cn_text and "12.50" in cn_text and "damaged box" in cn_text
