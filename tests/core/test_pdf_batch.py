"""``core.pdf.render_pdf_batch`` (bulk letters): each result is byte-for-byte what ``render_pdf`` gives for the same
input, with the same sandbox; one bad document does not stop the others. ``merge_pdfs`` counts each part's pages."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader

from deletion_portal.core.pdf import PdfInput, PdfMetadata, merge_pdfs, render_pdf, render_pdf_batch

META = PdfMetadata(title="Letter", author="Olive Owner", subject="GDPR", language="en")


def test_batch_results_are_byte_identical_to_render_pdf_and_a_bad_document_only_fails_itself(pdf_rendering):
    good = [PdfInput(html=f"<p>Letter {i} &lt;b&gt;</p>" + "<p>text</p>" * (40 * i), metadata=META,
                     footer=f"REF{i} · {{page}}/{{pages}}") for i in range(1, 3)]
    too_long = PdfInput(html="<p>x</p>" * 2000, metadata=META, max_pages=1)

    results = render_pdf_batch([good[0], too_long, good[1]])

    assert results[0].pdf == render_pdf(good[0].html, metadata=META, footer=good[0].footer)
    assert results[2].pdf == render_pdf(good[1].html, metadata=META, footer=good[1].footer)
    assert results[1].pdf == b"" and "too long" in results[1].error
    assert [r.pages for r in results] == [len(PdfReader(io.BytesIO(results[0].pdf)).pages), 0,
                                          len(PdfReader(io.BytesIO(results[2].pdf)).pages)]
    assert results[2].pages > 1


def test_the_batch_keeps_the_sandbox(pdf_rendering, caplog):
    """The same deny-by-default fetcher: an asset: path out of the assets folder is refused (and logged)."""
    with caplog.at_level(logging.WARNING, logger="deletion_portal.core.pdf"):
        [result] = render_pdf_batch([PdfInput(html='<img src="asset:../pdf.py"><p>kept</p>', metadata=META)])
    assert result.pdf.startswith(b"%PDF") and not result.error
    refused = [r.getMessage() for r in caplog.records if r.name == "deletion_portal.core.pdf"]
    assert any("refused to fetch" in m.lower() and "asset:../pdf.py" in m for m in refused), refused


def test_merge_pdfs_concatenates_and_counts_each_parts_pages(pdf_rendering):
    one = render_pdf("<p>one</p>", metadata=META)
    two = render_pdf("<p>two</p>" + '<p style="break-before: page">2b</p>' * 1 + "<h1>x</h1>" * 80, metadata=META)
    out = io.BytesIO()
    counts = merge_pdfs([one, two, one], out)
    assert counts[0] == counts[2] == 1 and counts[1] >= 2
    assert len(PdfReader(io.BytesIO(out.getvalue())).pages) == sum(counts)
