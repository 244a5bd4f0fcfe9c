"""Assemble the PDF/A-3b document: pages, embedded fonts, the QR code, the attached XML, the
XMP metadata with ``pdfaid:part 3``, an sRGB output intent, and the empty signature fields of the
plan (so every lock exists before the first signature).

Signature fields are widgets where the page layout placed them (``Canvas.place_field``), with
the print flag and an empty appearance until signed, as PDF/A-3 requires of a visible widget;
signing draws the signer's name into them (``signing.appearance``). A field the layout did not
place stays invisible (a zero-size widget with the print flag).
"""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from importlib import resources

from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.metadata import model as xmp
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import fields as sigfields

from doisoat.errors import SigningError
from signing import messages as msg
from signing import qr
from signing.canvas import A4, Canvas
from signing.model import Transcript
from signing.plan import SigningPlan
from signing.typeface import load_font

XML_NAME = "hocba.xml"
QR_XOBJECT = "DoisoatQR"
_PDFAID_PART = xmp.ExpandedName(xmp.NS["pdfaid"], "part")
_PDFAID_CONF = xmp.ExpandedName(xmp.NS["pdfaid"], "conformance")


@lru_cache(maxsize=1)
def _icc() -> bytes:
    return resources.files("signing").joinpath("icc", "sRGB.icc").read_bytes()


def _output_intent(writer: PdfFileWriter) -> generic.IndirectObject:
    profile = generic.StreamObject({pdf_name("/N"): generic.NumberObject(3)}, stream_data=_icc())
    profile.compress()
    return writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/OutputIntent"),
                pdf_name("/S"): pdf_name("/GTS_PDFA1"),
                pdf_name("/OutputConditionIdentifier"): generic.TextStringObject(
                    "sRGB IEC61966-2.1"
                ),
                pdf_name("/Info"): generic.TextStringObject("sRGB IEC61966-2.1"),
                pdf_name("/DestOutputProfile"): writer.add_object(profile),
            }
        )
    )


def _qr_xobject(writer: PdfFileWriter, text: str, verify_url: str) -> generic.IndirectObject:
    modules = qr.matrix(text)
    n = len(modules)
    from signing.render import QR_SIZE

    scale = QR_SIZE / n
    stream = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(generic.NumberObject(v) for v in (0, 0, n, n)),
            pdf_name("/Matrix"): generic.ArrayObject(
                generic.FloatObject(v) for v in (scale, 0, 0, scale, 0, 0)
            ),
            pdf_name("/DoisoatQRModules"): generic.NumberObject(n),
        },
        stream_data=qr.content_stream(modules),
    )
    if verify_url:  # under the signatures: the verifier rebuilds the link from it (qr.text)
        stream[pdf_name("/DoisoatVerifyURL")] = generic.TextStringObject(verify_url)
    stream.compress()
    return writer.add_object(stream)


def _rounded(
    box: tuple[float, float, float, float] | None,
) -> tuple[int, int, int, int] | None:
    if box is None:
        return None
    x1, y1, x2, y2 = box
    return round(x1), round(y1), round(x2), round(y2)


def build_pdf(
    transcript: Transcript,
    pages: list[Canvas],
    xml: bytes,
    plan: SigningPlan | None,
    *,
    created: dt.datetime,
    verify_url: str = "",
) -> bytes:
    """The unsigned PDF/A-3b document (bytes), ready for the first signature.

    ``verify_url``: the service's public address, for the QR code to link to its verification
    page; empty, the code holds the bare payload (offline use)."""
    try:
        return _build(transcript, pages, xml, plan, created, verify_url)
    except SigningError:
        raise
    except Exception as exc:  # pyHanko / fontTools internals, translated at our boundary
        raise SigningError(
            f"cannot render transcript PDF: {exc}", message_vi=msg.RENDER_FAILED.format(problem=exc)
        ) from exc


def _build(
    t: Transcript,
    pages: list[Canvas],
    xml: bytes,
    plan: SigningPlan | None,
    created: dt.datetime,
    verify_url: str = "",
) -> bytes:
    writer = PdfFileWriter()
    fonts = generic.DictionaryObject(
        {
            pdf_name("/F1"): load_font(False).to_pdf(writer),
            pdf_name("/F2"): load_font(True).to_pdf(writer),
        }
    )
    fonts_ref = writer.add_object(fonts)
    verify_url = verify_url.rstrip("/")
    qr_ref = _qr_xobject(writer, qr.text(t.number, xml, verify_url), verify_url)
    for page in pages:
        resources_dict = generic.DictionaryObject({pdf_name("/Font"): fonts_ref})
        if page.xobjects:
            resources_dict[pdf_name("/XObject")] = generic.DictionaryObject(
                {pdf_name("/" + QR_XOBJECT): qr_ref}
            )
        contents = generic.StreamObject(stream_data=page.content())
        contents.compress()
        writer.insert_page(
            PageObject(writer.add_object(contents), (0, 0, *A4), resources=resources_dict)
        )

    root = writer.root
    root[pdf_name("/Lang")] = generic.TextStringObject("vi-VN")
    root[pdf_name("/OutputIntents")] = generic.ArrayObject([_output_intent(writer)])
    root[pdf_name("/ViewerPreferences")] = generic.DictionaryObject(
        {pdf_name("/DisplayDocTitle"): generic.BooleanObject(True)}
    )
    embed.embed_file(
        writer,
        embed.FileSpec(
            file_spec_string=XML_NAME,
            file_name=XML_NAME,
            embedded_data=embed.EmbeddedFileObject.from_file_data(
                writer,
                xml,
                mime_type="application/xml",
                params=embed.EmbeddedFileParams(
                    creation_date=created, modification_date=created, embed_checksum=False
                ),
            ),
            description=f"Học bạ {t.number} (XML, lược đồ {t.schema_version})",
            af_relationship=pdf_name("/Source"),
        ),
    )
    title = ("Hồ sơ xác nhận quá trình học tập" if t.kind == "xac_nhan" else "Học bạ") + (
        f" {t.number} - {t.student.full_name}"
    )
    meta = writer.document_meta
    meta.title = title
    meta.author = t.issuing_school_name or t.issuing_school_code
    meta.subject = f"Học bạ {t.number}"
    meta.creator = "doisoat"
    meta.created = created
    meta.xmp_extra = [
        xmp.XmpStructure.of((_PDFAID_PART, xmp.XmpValue("3")), (_PDFAID_CONF, xmp.XmpValue("B")))
    ]
    if plan is not None:
        n_pages = len(pages)
        placed = {
            name: (i, box) for i, page in enumerate(pages) for name, box in page.fields.items()
        }
        for step in plan.steps:
            on_page, box = placed.get(step.field, (step.page % n_pages, None))
            lock = sigfields.FieldMDPSpec(
                sigfields.FieldMDPAction.ALL
                if step.lock.all_fields
                else sigfields.FieldMDPAction.INCLUDE,
                None if step.lock.all_fields else list(step.lock.fields),
            )
            sigfields.append_signature_field(
                writer,
                sigfields.SigFieldSpec(
                    sig_field_name=step.field,
                    on_page=on_page,
                    box=_rounded(box),
                    field_mdp_spec=lock,
                    doc_mdp_update_value=(
                        sigfields.MDPPerm.NO_CHANGES if step.lock.no_changes_after else None
                    ),
                    readable_field_name=step.label or step.field,
                ),
            )
    # pyHanko asks for PDF 2.0 when /AF is used; PDF/A-3 is PDF 1.7 with /AF allowed by ISO
    # 19005-3 itself, and its header must read %PDF-1.7.
    writer.output_version = (1, 7)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
