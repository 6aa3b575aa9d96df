"""manage.py check_system: WeasyPrint's system libraries and writable var/ folders, with fixes."""

from __future__ import annotations

import sys

import pytest
from django.core.management import CommandError, call_command

from deletion_portal.core import system
from tests.support.processes import manage, portal_env


def test_it_finds_no_problem_on_a_machine_set_up_like_ci(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    settings.STATIC_ROOT = tmp_path / "var" / "static"
    settings.EMAIL_FILE_PATH = tmp_path / "var" / "mail"

    assert system.system_problems() == []
    assert (tmp_path / "var" / "mail").is_dir()


def test_it_renders_a_real_pdf():
    assert system.check_weasyprint() == []


def test_it_says_what_to_install_when_weasyprint_cannot_be_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # makes `import weasyprint` raise ImportError

    [problem] = system.check_weasyprint()

    text = str(problem)
    assert "import of weasyprint halted" in text
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" in text
    assert "brew install pango" in text


def test_it_says_what_to_install_when_a_system_library_is_missing(monkeypatch):
    import weasyprint

    class MissingPango:
        def __init__(self, *args, **kwargs):
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")

    monkeypatch.setattr(weasyprint, "HTML", MissingPango)

    [problem] = system.check_weasyprint()

    assert "libpango-1.0-0" in problem.detail
    assert "apt-get install libpango-1.0-0" in problem.fix


def test_it_reports_a_folder_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # mkdir under a file fails even for root

    [problem] = system.check_folder(blocker / "var")

    assert str(blocker / "var") in problem.what
    assert "PORTAL_VAR_DIR" in problem.fix


def test_it_lists_every_folder_the_portal_writes_to(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "q"), "processed_folder": str(tmp_path / "p")}

    folders = system.writable_folders()

    assert folders[0] == tmp_path
    assert {tmp_path / "mail", tmp_path / "q", tmp_path / "p"} <= set(folders)
    assert len(folders) == len(set(folders))


def test_the_command_fails_with_the_fix(settings, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.VAR_DIR = blocker / "var"

    with pytest.raises(CommandError, match="problem"):
        call_command("check_system")

    assert "PORTAL_VAR_DIR" in capsys.readouterr().err


def test_the_command_exits_non_zero_in_a_real_process(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    result = manage("check_system", env=portal_env(PORTAL_VAR_DIR=blocker / "var"), check=False)

    assert result.returncode != 0
    assert "is not writable" in result.stderr
    assert "PORTAL_VAR_DIR" in result.stderr


def test_the_command_passes_in_a_real_process(tmp_path):
    result = manage("check_system", env=portal_env(PORTAL_VAR_DIR=tmp_path / "var"), check=False)

    assert result.returncode == 0, result.stderr
    assert "System OK" in result.stdout
    assert (tmp_path / "var" / "celery" / "queue").is_dir()
