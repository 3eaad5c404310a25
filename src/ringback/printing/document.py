"""An fpdf2 document with the bundled fonts, and drawing laid-out text on it."""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF

from ringback.printing.faces import Face, metrics
from ringback.printing.fitting import Fitted


def new_document(*, width: float, height: float, title: str, created: datetime | None) -> FPDF:
    """A PDF of pages ``width`` × ``height`` mm, no automatic page breaks, both fonts loaded.

    ``created`` is written as its creation date (give the one clock's time, so that a PDF is
    the same byte for byte when made again at the same time).
    """
    pdf = FPDF(orientation="P", unit="mm", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    for face in Face:
        pdf.add_font(face.value, fname=str(metrics(face).path))
    pdf.set_creator("Ringback")
    pdf.set_title(title)
    if created is not None:
        pdf.set_creation_date(created)
    return pdf


def draw_text(pdf: FPDF, fitted: Fitted, face: Face) -> None:
    """Write each line of ``fitted`` at its place in ``face``."""
    pdf.set_font(face.value, size=fitted.size)
    for line, baseline in zip(fitted.lines, fitted.baselines, strict=True):
        pdf.text(fitted.x, baseline, line)


def finish(pdf: FPDF) -> bytes:
    """The document as PDF bytes."""
    return bytes(pdf.output())
