"""Can this machine run the portal? Checked by ``manage.py check_system`` before ``make run``.

Two things that pip cannot install: the system libraries WeasyPrint loads at import (Pango,
HarfBuzz, fontconfig) and writable folders under ``var/``. Each problem comes back with what to do.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

WEASYPRINT_INSTALL_HINT = (
    "WeasyPrint needs Pango and HarfBuzz from the operating system.\n"
    "  Debian / Ubuntu:  sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 "
    "fonts-dejavu-core\n"
    "  Fedora:           sudo dnf install pango\n"
    "  macOS (Homebrew): brew install pango\n"
    "See https://doc.courtbouillon.org/weasyprint/stable/first_steps.html#installation"
)

_PROBE_HTML = "<!doctype html><html><head><meta charset='utf-8'></head><body><p>check_system</p></body></html>"


@dataclass(frozen=True)
class Problem:
    what: str
    detail: str
    fix: str

    def __str__(self) -> str:
        return f"{self.what}: {self.detail}\n{self.fix}"


def check_weasyprint() -> list[Problem]:
    """Import WeasyPrint and render a one-line PDF, fetching nothing from anywhere."""
    progress = logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(logging.WARNING)  # seven INFO lines per render are noise here
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher

        pdf = HTML(string=_PROBE_HTML, base_url=None, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
    except (ImportError, OSError) as error:
        # A missing shared library shows up as OSError ("cannot load library 'libpango-1.0-0'")
        # or, for some loaders, as ImportError.
        return [Problem("WeasyPrint cannot render PDFs", f"{type(error).__name__}: {error}", WEASYPRINT_INSTALL_HINT)]
    finally:
        progress.setLevel(level)
    if not pdf or not pdf.startswith(b"%PDF-"):
        return [Problem("WeasyPrint cannot render PDFs", "the probe did not produce a PDF", WEASYPRINT_INSTALL_HINT)]
    return []


def writable_folders() -> list[Path]:
    """The folders the portal writes to: var/ and what lives under it (broker, mail, media, static)."""
    folders = [Path(settings.VAR_DIR), Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT)]
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            folders.append(Path(options[key]))
    if getattr(settings, "EMAIL_FILE_PATH", None):
        folders.append(Path(settings.EMAIL_FILE_PATH))
    unique: list[Path] = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique


def check_folder(folder: Path) -> list[Problem]:
    """Create ``folder`` if needed and prove a file can be written in it."""
    fix = (
        f"Make it writable by the user running the portal (now uid {os.getuid()}), e.g.\n"
        f"  mkdir -p {folder} && chown -R $(id -u):$(id -g) {folder}\n"
        "or point PORTAL_VAR_DIR at a writable folder."
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".check_system-"):
            pass
    except OSError as error:
        return [Problem(f"{folder} is not writable", f"{type(error).__name__}: {error.strerror or error}", fix)]
    return []


def system_problems() -> list[Problem]:
    problems = check_weasyprint()
    for folder in writable_folders():
        problems += check_folder(folder)
    return problems
