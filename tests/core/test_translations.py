"""The interface speaks German and French (issue 12): every string of the catalogues is translated, the
committed .mo files are the compiled .po files, placeholders survive translation, and the pages switch."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from tests.support.processes import REPO_ROOT

LANGS = ("de", "fr")
pytestmark = pytest.mark.django_db


def entries(lang: str) -> list[tuple[str, list[str]]]:
    """(msgid, msgstrs) of a --no-wrap catalogue, the header left out."""
    text = (REPO_ROOT / "locale" / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    found = []
    for block in text.split("\n\n")[1:]:
        msgid = re.search(r'^msgid "(.*)"$', block, re.M)
        strs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', block, re.M)
        if msgid:
            found.append((msgid[1], strs))
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_every_interface_string_is_translated(lang):
    untranslated = [msgid for msgid, strs in entries(lang) if not all(strs)]
    assert entries(lang) and not untranslated, untranslated


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_survive_translation(lang):
    wrong = [msgid for msgid, strs in entries(lang)
             if any(set(re.findall(r"%\(\w+\)s", s)) != set(re.findall(r"%\(\w+\)s", msgid)) for s in strs)]
    assert not wrong, wrong


@pytest.mark.parametrize("lang", LANGS)
def test_the_committed_mo_is_the_compiled_po(lang, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext (msgfmt) is not installed: apt-get install gettext")
    folder = REPO_ROOT / "locale" / lang / "LC_MESSAGES"
    subprocess.run([msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(folder / "django.po")], check=True)
    assert (tmp_path / "django.mo").read_bytes() == (folder / "django.mo").read_bytes(), "run `make messages`"


@pytest.mark.parametrize(("lang", "words"), [
    ("de", ["Antrag beginnen", "Bis wann muss mein Arbeitgeber antworten?", "Gesetze", "Arbeitgeber"]),
    ("fr", ["Commencer une demande", "Quand mon employeur doit-il répondre ?", "Lois", "Employeurs"]),
])
def test_the_home_page_speaks_the_chosen_language(client, lang, words):
    client.cookies["django_language"] = lang
    html = client.get(reverse("laws:calculator")).content.decode()
    assert f'<html lang="{lang}">' in html
    for word in words:
        assert word in html, word
