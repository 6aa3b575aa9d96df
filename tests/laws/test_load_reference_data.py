"""``manage.py load_reference_data``: validate every law record and print one line per regime."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from deletion_portal.laws.registry import DATA_DIR, all_regimes

REPO_ROOT = Path(__file__).resolve().parents[2]


def _broken_data_dir(tmp_path: Path) -> Path:
    for key in ("eu-gdpr", "us-va-vcdpa"):
        (tmp_path / f"{key}.json").write_text((DATA_DIR / f"{key}.json").read_text(encoding="utf-8"), encoding="utf-8")
    raw = json.loads((DATA_DIR / "uk-gdpr.json").read_text(encoding="utf-8"))
    raw["rights"][0]["code"] = "forget_me"
    (tmp_path / "uk-gdpr.json").write_text(json.dumps(raw), encoding="utf-8")
    return tmp_path


def test_it_prints_a_line_per_regime_with_coverage_and_mark():
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    lines = out.getvalue().splitlines()
    regimes = all_regimes()
    assert len(lines) == len(regimes) + 1
    for line, regime in zip(lines[:-1], regimes, strict=True):
        assert line.split() == [regime.key, "employees:", regime.coverage.status, "verification:", regime.verification]
    assert lines[-1] == f"{len(regimes)} law records loaded and valid."


def test_it_reads_another_data_directory(tmp_path):
    (tmp_path / "eu-gdpr.json").write_text((DATA_DIR / "eu-gdpr.json").read_text(encoding="utf-8"), encoding="utf-8")
    out = StringIO()
    call_command("load_reference_data", "--data-dir", str(tmp_path), stdout=out)
    assert out.getvalue().splitlines()[-1] == "1 law records loaded and valid."


def test_it_fails_on_a_broken_record_naming_the_file_and_field(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("load_reference_data", "--data-dir", str(_broken_data_dir(tmp_path)), stdout=StringIO())
    assert "uk-gdpr.json: rights[0].code: unknown right code 'forget_me'" in str(error.value)


def test_it_exits_with_code_1_from_the_command_line(tmp_path):
    completed = subprocess.run(
        [sys.executable, "manage.py", "load_reference_data", "--data-dir", str(_broken_data_dir(tmp_path))],
        cwd=REPO_ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "deletion_portal.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 1
    assert "uk-gdpr.json: rights[0].code" in completed.stderr
    assert completed.stdout == ""
