"""Page layout of the học bạ after the Ministry's form: cover, page 1 (identity, photo, study
record), one page per school year, and a closing confirmation with the page count (or the
one-page study-record confirmation). Pure: a transcript and its signing plan in, canvases out.

Signature fields are placed where the form has a signature: each subject teacher in the row of
their first subject, the homeroom teacher and the principal under their blocks, the school's
seal across the photo of page 1 (as the documents ask for the paper seal). The plan's names are
printed under the blocks; the signature itself writes the certificate's name into its widget.

The pages live in their own modules along the form's seams: ``front`` (cover, page 1),
``year`` (a school year's page), ``closing`` (the page-count confirmation, the study-record
confirmation); ``table`` is the form's bordered table and ``words`` the wording of codes and
the pieces every page shares (labelled values, the signer's name under a block).
"""

from __future__ import annotations

from signing.canvas import Canvas
from signing.form import page_numbers
from signing.model import Transcript
from signing.plan import SigningPlan
from signing.render.closing import closing, confirmation
from signing.render.front import cover, personal
from signing.render.words import QR_SIZE, steps_of
from signing.render.year import year_page

__all__ = ["QR_SIZE", "layout"]


def layout(t: Transcript, plan: SigningPlan | None = None) -> list[Canvas]:
    """Every page of the document, in order, numbered «Trang x/y»."""
    steps = steps_of(plan)
    if t.kind == "xac_nhan":
        page = Canvas()
        confirmation(page, t, steps)
        return [page]
    total = 3 + len(t.years)
    pages = [Canvas(), Canvas()]
    cover(pages[0], t)
    personal(pages[1], t, steps, total)
    for yr in t.years:
        page = Canvas()
        year_page(page, t, yr, steps, total)
        pages.append(page)
    last = Canvas()
    closing(last, t, steps, total)
    pages.append(last)
    page_numbers(pages)
    return pages
