"""The advocacy tests use the shared base (tests/support/world.py); here: files under tmp_path, a fast PDF."""

import pytest

from tests.support.data import PDF_BYTES


@pytest.fixture(autouse=True)
def _media(isolated_media):
    pass


@pytest.fixture
def fast_pdf(monkeypatch):
    """Authorisation PDFs without WeasyPrint (rendering is core's tested job)."""
    import deletion_portal.core.pdf as pdf

    monkeypatch.setattr(pdf, "render_pdf", lambda *args, **kwargs: PDF_BYTES)
