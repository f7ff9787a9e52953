"""One renderer for every document: `DocumentData` in, PDF bytes out (fpdf2, the font cut to the text)."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from core.money import fmt
from tools.documents.fonts import FAMILY, font_files
from tools.documents.model import DocumentData, Table

MARGIN = 15
SMALL, BODY, TITLE = 7.5, 9, 16
GREY = (110, 110, 110)


class _Page(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", SMALL)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.footer_text}   Page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)


def render(doc: DocumentData, *, archival: bool = False) -> bytes:
    """`archival`: PDF/A-3B (sRGB output intent, XMP), the base a Factur-X PDF is made on."""
    pdf = _Page(format="A4", enforce_compliance="PDFA_3B" if archival else None)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    for style, path in font_files(doc.text()).items():
        pdf.add_font(FAMILY, style, str(path))
    pdf.set_title(f"{doc.title} {doc.number}")
    pdf.set_creator("Tally")
    pdf.footer_text = f"{doc.number} · generated {doc.generated_at:%Y-%m-%d %H:%M} UTC"
    pdf.add_page()
    _header(pdf, doc)
    _parties(pdf, doc)
    for table in doc.tables:
        _table(pdf, table)
    _totals(pdf, doc)
    for note in doc.notes:
        pdf.set_font(FAMILY, "", BODY)
        pdf.multi_cell(0, 5, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _header(pdf: FPDF, doc: DocumentData) -> None:
    pdf.set_font(FAMILY, "B", TITLE)
    pdf.cell(0, 9, doc.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", BODY)
    pdf.cell(0, 5, f"No. {doc.number}    Date {doc.date.isoformat()}    Currency {doc.currency}",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*GREY)
    pdf.cell(0, 5, f"Generated at {doc.generated_at:%Y-%m-%d %H:%M:%S} UTC", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    pdf.ln(3)


def _block(pdf: FPDF, x: float, width: float, heading: str, lines: list[str]) -> float:
    y = pdf.get_y()
    pdf.set_xy(x, y)
    pdf.set_font(FAMILY, "B", BODY)
    pdf.cell(width, 5, heading, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", BODY)
    for line in lines:
        pdf.set_x(x)
        pdf.multi_cell(width, 4.5, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
    return pdf.get_y()


def _parties(pdf: FPDF, doc: DocumentData) -> None:
    half = (pdf.epw - 6) / 2
    s, c = doc.seller, doc.customer
    seller = [v for v in (s.name, s.address, s.tax_id and f"Tax ID {s.tax_id}",
                          s.bank_details and f"Bank {s.bank_details}") if v]
    customer = [v for v in (c.name + (f" ({c.code})" if c.code else ""), c.address,
                            c.tax_id and f"Tax ID {c.tax_id}", c.email) if v]
    top = pdf.get_y()
    left = _block(pdf, MARGIN, half, "From", seller or ["(seller details not set)"])
    pdf.set_y(top)
    right = _block(pdf, MARGIN + half + 6, half, "Bill to", customer)
    pdf.set_xy(MARGIN, max(left, right) + 2)
    if doc.facts:
        pdf.set_font(FAMILY, "", BODY)
        for label, value in doc.facts:
            pdf.set_font(FAMILY, "B", BODY)
            pdf.cell(40, 5, label)
            pdf.set_font(FAMILY, "", BODY)
            pdf.multi_cell(0, 5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _table(pdf: FPDF, table: Table) -> None:
    pdf.set_font(FAMILY, "B", BODY + 1)
    pdf.cell(0, 6, table.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not table.lines:
        pdf.set_font(FAMILY, "", BODY)
        pdf.cell(0, 5, table.empty, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
        return
    count = len(table.headers)
    shares = table.widths or tuple(1 for _ in table.headers)
    widths = tuple(pdf.epw * w / sum(shares) for w in shares)
    align = tuple("RIGHT" if i in table.numeric else "LEFT" for i in range(count))
    pdf.set_font(FAMILY, "", BODY)
    with pdf.table(col_widths=widths, text_align=align, line_height=5, first_row_as_headings=True,
                   headings_style=_headings(), borders_layout="HORIZONTAL_LINES") as grid:
        grid.row(table.headers)
        for line in table.lines:
            grid.row(line.cells)
    pdf.ln(3)


def _headings():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(235, 235, 235))


def _totals(pdf: FPDF, doc: DocumentData) -> None:
    width = pdf.epw * 0.45
    for total in doc.totals:
        pdf.set_x(MARGIN + pdf.epw - width)
        pdf.set_font(FAMILY, "B" if total.strong else "", BODY + (1 if total.strong else 0))
        pdf.cell(width * 0.6, 6, total.label)
        pdf.cell(width * 0.4, 6, fmt(total.amount, doc.currency), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
