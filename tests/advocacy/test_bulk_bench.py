"""``manage.py bench bulk``: it prints the bulk job's and the one-by-one figures of the same run, the render-only
comparison and the memory run, leaves nothing behind, and the batch renderer gives byte-identical PDFs."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from deletion_portal.advocacy.bulk_models import BulkJob
from deletion_portal.cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_bulk_prints_both_paths_and_the_memory_run_and_rolls_back(settings, tmp_path, pdf_rendering):
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()

    call_command("bench", "bulk", "--letters", "2", "--memory-letters", "3", stdout=out)

    text = out.getvalue()
    assert re.search(r"one by one .*letters/s per CPU-second", text), text
    assert re.search(r"bulk job .*letters/s per CPU-second\s+\(\d+\.\d+x one by one per core; "
                     r"\d+\.\d+x the Finalise button\)", text), text
    assert re.search(r"through the Finalise button .*letters/s per CPU-second", text), text
    assert "byte-identical PDFs: True" in text
    painted = re.search(r"painted lines \(glyph walk\): (\d+) of (\d+) replayed", text)
    assert painted and 0 < int(painted[1]) < int(painted[2]), text  # the second letter replays the first's lines
    assert re.search(r"memory, bulk job of 3 letters.*peak RSS \d+ MB before, \d+ MB after", text), text
    assert not Case.objects.exists() and not BulkJob.objects.exists()
