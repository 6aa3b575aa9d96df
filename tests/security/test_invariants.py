"""One test per security invariant of docs/DESIGN ("Security invariants"), each one failing if it is broken.

Object-level access on every view and API endpoint is ``test_access_audit.py``. Tested elsewhere, and
only checked here to still exist (``test_the_invariants_tested_elsewhere_keep_their_tests``):

* ``check --deploy`` clean under the production profile, secure cookies, HSTS and CSP:
  tests/core/test_settings_profiles.py (``test_the_production_profile_passes_check_deploy``,
  ``test_production_turns_on_https_only_settings``, ``test_production_responses_carry_hsts_and_csp``).
* Argon2 for new passwords: tests/accounts/test_login.py (``test_it_hashes_new_passwords_with_argon2``,
  ``test_it_hashes_signed_up_passwords_with_argon2``); here only that it is the first hasher.
* Login throttling: tests/accounts/test_login.py (django-axes lockout tests).
* Uploads checked by content and size by a validator, not by name or a memory setting:
  tests/cases/test_uploads.py (``test_it_refuses_an_html_file_named_pdf_and_stores_nothing``,
  ``test_it_refuses_an_oversize_file_and_stores_nothing``).
* Own-data export and account deletion: tests/accounts/test_export.py, tests/accounts/test_delete_account.py.
* Retention purge: tests/tracking (retention tests, by the tracking app).
"""

from __future__ import annotations

import ast
import inspect
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.support.world import login

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "deletion_portal"
TEMPLATES = REPO / "templates"


def source_files(root: Path = PACKAGE) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


# --- (1) WeasyPrint only through core/pdf.py -------------------------------------------------------------

PDF_MODULE = "deletion_portal/core/pdf.py"
PDF_LINES_MODULE = "deletion_portal/core/pdf_lines.py"
# The start-up check renders a constant one-line probe with a deny-all fetcher (no user input, nothing
# fetched): checked below to stay exactly that.
SYSTEM_CHECK = "deletion_portal/core/system.py"


def weasyprint_uses(tree: ast.AST) -> list[int]:
    """Lines that import WeasyPrint (``import``, ``from``, ``importlib.import_module``, ``__import__``)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "weasyprint" for a in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "weasyprint":
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) and node.args[0].value.split(".")[0] == "weasyprint":
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"import_module", "__import__"}:
                lines.append(node.lineno)
    return lines


def test_the_weasyprint_scan_finds_every_way_of_importing_it():
    for code in ("import weasyprint", "import weasyprint.urls as u", "from weasyprint import HTML",
                 "from weasyprint.urls import URLFetcher", "importlib.import_module('weasyprint')",
                 "__import__('weasyprint.html')"):
        assert weasyprint_uses(ast.parse(code)) == [1], code
    assert weasyprint_uses(ast.parse("from deletion_portal.core.pdf import render_pdf")) == []


def test_weasyprint_is_imported_only_by_the_pdf_module():
    offenders = {rel(path): weasyprint_uses(parse(path)) for path in source_files()}
    offenders = {path: lines for path, lines in offenders.items()
                 if lines and path not in (PDF_MODULE, SYSTEM_CHECK, PDF_LINES_MODULE)}
    assert not offenders, (
        f"WeasyPrint is used outside {PDF_MODULE} (render PDFs with core.pdf.render_pdf, whose fetcher "
        f"refuses everything but bundled assets): {offenders}"
    )
    assert weasyprint_uses(parse(REPO / PDF_MODULE)), "the PDF module no longer imports WeasyPrint?"


def test_the_line_cache_patches_text_layout_only_and_never_loads_a_document():
    """core/pdf_lines.py (the bulk job's cache of line breaks) touches WeasyPrint's text layout, nothing that
    parses HTML or CSS or fetches a URL: documents are made only by core.pdf and its deny-all fetcher."""
    tree = parse(REPO / PDF_LINES_MODULE)
    names = {getattr(n, "id", None) or getattr(n, "attr", None) for n in ast.walk(tree)
             if isinstance(n, (ast.Name, ast.Attribute))}
    assert not names & {"HTML", "CSS", "default_url_fetcher", "fetch", "URLFetcher"}, names & {
        "HTML", "CSS", "default_url_fetcher", "fetch", "URLFetcher"}


def test_the_system_check_renders_only_its_constant_probe_with_a_deny_all_fetcher():
    tree = parse(REPO / SYSTEM_CHECK)
    probe = [n for n in tree.body if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "_PROBE_HTML" for t in n.targets)]
    assert probe and isinstance(probe[0].value, ast.Constant), "_PROBE_HTML must be a constant string"
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and (getattr(n.func, "id", None) == "HTML" or getattr(n.func, "attr", None) == "HTML")]
    assert calls, "the system check no longer renders? then drop it from SYSTEM_CHECK"
    for call in calls:
        keywords = {k.arg: k.value for k in call.keywords}
        assert not call.args, "HTML() must take its input as string=_PROBE_HTML"
        assert getattr(keywords.get("string"), "id", None) == "_PROBE_HTML"
        assert isinstance(keywords.get("base_url"), ast.Constant) and keywords["base_url"].value is None
        fetcher = keywords.get("url_fetcher")
        assert isinstance(fetcher, ast.Call) and getattr(fetcher.func, "id", None) == "URLFetcher"
        allowed = {k.arg: k.value for k in fetcher.keywords}.get("allowed_protocols")
        assert isinstance(allowed, ast.Tuple) and not allowed.elts, "the probe's fetcher must allow no protocol"


# --- (2) Autoescaping: no |safe in letters, no mark_safe in the code ---------------------------------------

UNSAFE_TEMPLATE = re.compile(r"\|\s*safe(seq)?\b|\bmark_safe\b|{%-?\s*autoescape\s+off\s*-?%}")


def pdf_templates() -> list[Path]:
    """Everything rendered into a PDF: the letters, and the timeline of the evidence bundle."""
    files = sorted((TEMPLATES / "letters").rglob("*.html")) + sorted((TEMPLATES / "letters").rglob("*.txt"))
    files += sorted(p for p in TEMPLATES.rglob("*pdf*.html"))
    return files


def test_the_template_scan_finds_each_unsafe_construct():
    for text in ("{{ name|safe }}", "{{ x | safe }}", "{{ xs|safeseq }}", "{% autoescape off %}", "{%- autoescape off -%}"):
        assert UNSAFE_TEMPLATE.search(text), text
    assert not UNSAFE_TEMPLATE.search("{{ name }} {{ note|linebreaksbr }} a safe place")


def test_letter_templates_never_turn_autoescaping_off():
    files = pdf_templates()
    assert len(files) > 10 and any("tracking" in p.parts for p in files)
    found = [f"{rel(p)}:{n}: {line.strip()}" for p in files
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if UNSAFE_TEMPLATE.search(line)]
    assert not found, "user text in letters must stay autoescaped:\n" + "\n".join(found)


def test_the_html_template_engine_autoescapes():
    from django.template import engines

    assert engines["django"].engine.autoescape is True


def mark_safe_uses(tree: ast.AST) -> list[int]:
    banned = {"mark_safe", "SafeString", "SafeText"}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in banned or isinstance(node, ast.Attribute) and node.attr in banned:
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and any(a.name in banned for a in node.names):
            lines.append(node.lineno)
    return lines


def test_the_code_never_marks_text_safe():
    assert mark_safe_uses(ast.parse("from django.utils.safestring import mark_safe\nmark_safe(x)")) == [1, 2]
    found = {rel(p): lines for p in source_files() if (lines := mark_safe_uses(parse(p)))}
    assert not found, f"mark_safe / SafeString in the code (use format_html or a template): {found}"


# --- (3) Celery tasks: time limits, JSON, ids not personal data ------------------------------------------

PROJECT_TASK_PREFIXES = ("core.", "tracking.", "cases.", "accounts.", "employers.", "laws.", "dpo.", "advocacy.",
                         "deletion_portal.")
PERSONAL_TOKENS = {"email", "mail", "name", "address", "text", "body", "phone", "username", "html"}


def project_tasks() -> dict:
    from deletion_portal.celery import app

    app.loader.import_default_modules()  # autodiscovery is lazy: import every app's tasks.py now
    return {
        name: task for name, task in sorted(app.tasks.items())
        if name.startswith(PROJECT_TASK_PREFIXES) or getattr(task.run, "__module__", "").startswith("deletion_portal.")
    }


def test_the_project_tasks_are_found():
    assert {"core.heartbeat", "core.deliver_outbox_message", "tracking.sweep"} <= set(project_tasks())


def test_every_task_has_a_time_limit():
    missing = [name for name, task in project_tasks().items() if not task.time_limit]
    assert not missing, f"tasks without an explicit time_limit: {missing}"
    soft = [name for name, task in project_tasks().items() if task.soft_time_limit and task.soft_time_limit >= task.time_limit]
    assert not soft, f"soft_time_limit must be below time_limit: {soft}"


def test_every_task_is_json_serialised():
    from deletion_portal.celery import app

    assert list(app.conf.accept_content) == ["json"]
    assert app.conf.task_serializer == "json" and app.conf.result_serializer == "json"
    wrong = [name for name, task in project_tasks().items() if task.serializer != "json"]
    assert not wrong, f"tasks that are not JSON-serialised: {wrong}"


def personal_parameters(func) -> list[str]:
    return [
        name for name in inspect.signature(func).parameters
        if set(name.lower().split("_")) & PERSONAL_TOKENS
    ]


def test_the_parameter_check_spots_personal_data():
    def task(case_id, requester_email, body, display_name, message_ids): ...

    assert personal_parameters(task) == ["requester_email", "body", "display_name"]


def test_no_task_takes_personal_data():
    found = {name: bad for name, task in project_tasks().items() if (bad := personal_parameters(task.run))}
    assert not found, f"tasks must take ids and re-read rows, never personal data: {found}"


def test_no_task_retries_after_a_long_delay():
    slow = {name: (task.default_retry_delay, getattr(task, "retry_backoff_max", 0))
            for name, task in project_tasks().items()
            if (task.default_retry_delay or 0) >= 1000 or (getattr(task, "retry_backoff_max", 0) or 0) >= 1000}
    assert not slow, f"long retry delays hold messages in the broker; use rows and the beat sweep: {slow}"


# --- (4) No long countdown / eta: deadlines are rows ------------------------------------------------------

LONG_COUNTDOWN = 1000  # seconds


def scheduling_offences(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg == "eta":
                found.append(f"line {node.lineno}: eta=")
            elif keyword.arg == "countdown":
                value = keyword.value
                if not (isinstance(value, ast.Constant) and isinstance(value.value, (int, float))):
                    found.append(f"line {node.lineno}: countdown= not a literal (cannot prove it short)")
                elif value.value >= LONG_COUNTDOWN:
                    found.append(f"line {node.lineno}: countdown={value.value}")
    return found


def test_the_countdown_scan_finds_long_delays():
    assert scheduling_offences(ast.parse("t.apply_async((1,), countdown=86400)"))
    assert scheduling_offences(ast.parse("t.apply_async((1,), eta=when)"))
    assert scheduling_offences(ast.parse("self.retry(countdown=delay)"))
    assert not scheduling_offences(ast.parse("self.retry(countdown=30)"))


def test_nothing_is_scheduled_with_a_long_countdown_or_an_eta():
    found = {rel(p): offences for p in source_files() if (offences := scheduling_offences(parse(p)))}
    assert not found, f"never a long countdown/eta: a deadline is a row the beat sweep claims: {found}"


# --- (5)-(7) Tested elsewhere: keep those tests ------------------------------------------------------------

ELSEWHERE = {
    # (5) production profile: check --deploy clean, secure cookies, HSTS, CSP
    "tests/core/test_settings_profiles.py": ["test_the_production_profile_passes_check_deploy",
                                             "test_production_turns_on_https_only_settings",
                                             "test_production_responses_carry_hsts_and_csp"],
    # (6) Argon2 for new passwords
    "tests/accounts/test_login.py": ["test_it_hashes_new_passwords_with_argon2",
                                     "test_it_hashes_signed_up_passwords_with_argon2"],
    # (7) uploads: type by content, size by the validator
    "tests/cases/test_uploads.py": ["test_it_refuses_an_html_file_named_pdf_and_stores_nothing",
                                    "test_it_refuses_an_oversize_file_and_stores_nothing"],
    # own data
    "tests/accounts/test_export.py": ["test_it_exports_the_account_every_case_every_file_and_a_manifest",
                                      "test_it_never_contains_another_users_cases_or_files"],
    "tests/accounts/test_delete_account.py": ["test_it_deletes_the_user_every_case_file_token_feed_and_outbox_row",
                                              "test_a_wrong_password_deletes_nothing"],
}


def test_the_invariants_tested_elsewhere_keep_their_tests():
    for path, names in ELSEWHERE.items():
        tree = parse(REPO / path)
        defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        missing = [name for name in names if name not in defined]
        assert not missing, f"{path} lost the tests {missing} that a security invariant relies on"


def test_argon2_is_the_first_password_hasher():
    assert django_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


# --- (8) No personal data in URLs -----------------------------------------------------------------------

PERSONAL_URL_TOKENS = {"email", "mail", "name", "address", "phone", "username", "requester"}


def personal_url_parameters(route: str) -> list[str]:
    names = re.findall(r"(?<!\?P)<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)
    return [n for n in names if set(n.lower().split("_")) & PERSONAL_URL_TOKENS]


def test_the_url_scan_spots_personal_parameters():
    assert personal_url_parameters("cases/<str:email>/") == ["email"]
    assert personal_url_parameters("x/<requester_name>/") == ["requester_name"]
    assert personal_url_parameters(r"^u/(?P<user_name>\w+)$") == ["user_name"]
    assert personal_url_parameters("cases/<int:pk>/letters/<int:letter_pk>/pdf") == []


def test_url_patterns_carry_no_personal_data():
    from tests.support.urls import all_patterns

    routes = [p.route for p in all_patterns() if not p.route.startswith("admin/")]
    routes += [m for path in sorted(PACKAGE.rglob("*urls.py")) for m in re.findall(r"""path\(\s*r?["']([^"']*)""", path.read_text())]
    found = {route: bad for route in routes if (bad := personal_url_parameters(route))}
    assert not found, f"URL parameters that carry personal data: {found}"


# --- (9) No personal data in logs ---------------------------------------------------------------------------

NAME = "Zelda Quintessa-Marlowe"
EMAIL = "zelda.q.private@mail.example"
ADDRESS = "Kirschallee 77\n12345 Nirgendwo"
EMPLOYEE_ID = "EMP-77Q31"
PERSONAL = [NAME, "Quintessa", EMAIL, "zelda.q.private", "Kirschallee 77", "Nirgendwo", EMPLOYEE_ID]


class RefusingBackend:
    """A mail server that refuses, quoting the recipient and subject in its error (as real ones do)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused({m.cc[0] if m.cc else m.to[0]: (550, f"refused {m.subject}") for m in messages})


def record_text(record: logging.LogRecord) -> str:
    text = [record.name, record.getMessage(), repr(record.args)]
    if record.exc_info:
        text.append(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        text.append(record.exc_text)
    text.append(repr({k: v for k, v in record.__dict__.items() if k not in logging.LogRecord("", 0, "", 0, "", (), None).__dict__}))
    return "\n".join(text)


def assert_no_personal_data(records):
    for record in records:
        text = record_text(record)
        leaked = [value for value in PERSONAL if value.lower() in text.lower()]
        assert not leaked, f"log record {record.name} {record.levelname} carries {leaked}: {text[:500]}"


@pytest.fixture
def logging_case(db, settings, tmp_path):
    from django.core.cache import cache

    from deletion_portal.accounts.models import Role
    from deletion_portal.accounts.services import account_create
    from deletion_portal.cases.services import case_create
    from deletion_portal.employers.models import Employer

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # the letter PDF cache must not answer for the renderer
    owner = account_create(email=EMAIL, password="correct horse battery staple 42", role=Role.EMPLOYEE,
                           display_name=NAME, confirmed=True)
    employer = Employer.objects.create(legal_name="Acme Analytics GmbH", country="DE",
                                       privacy_email="privacy@acme.example", postal_address="Hauptstraße 1\n80331 München")

    def make():
        return case_create(
            owner=owner, employer=employer, work_country="DE", work_region="DE-BY", residence_country="DE",
            residence_region="DE-BY", law_key="eu-gdpr", region="DE-BY", language="en", bundle="erase_training",
            rights=["access", "erasure"], categories=["keystrokes"], requester_name=NAME, requester_address=ADDRESS,
            requester_email=EMAIL, employee_id=EMPLOYEE_ID, job_title="Data annotator", wizard_step=7,
        )

    yield owner, make
    cache.clear()


def test_finalising_and_sending_a_letter_logs_no_personal_data(client, caplog, logging_case, settings):
    from deletion_portal.cases.models import Letter
    from deletion_portal.core.models import OutboxMessage
    from deletion_portal.core.outbox import outbox_deliver

    owner, make = logging_case
    case = make()
    login(client, owner)
    caplog.set_level(logging.DEBUG)
    response = client.post(reverse("cases:finalize", args=[case.pk]))
    assert response.status_code == 302, response.content[:500]
    assert Letter.objects.get(case=case, is_final=True).pdf

    settings.EMAIL_BACKEND = "tests.security.test_invariants.RefusingBackend"
    client.post(reverse("cases:send-email", args=[case.pk]))
    message = OutboxMessage.objects.get(topic=f"case:{case.pk}")
    assert outbox_deliver(message_id=message.pk) == "retrying"

    assert caplog.records, "nothing was logged at all: is the capture working?"
    assert any("outbox" in r.getMessage() for r in caplog.records)
    assert_no_personal_data(caplog.records)


def test_a_failing_pdf_render_logs_no_personal_data(client, caplog, logging_case, monkeypatch):
    import deletion_portal.core.pdf as pdf

    owner, make = logging_case
    case = make()

    class Exploding:
        def __init__(self, *args, string="", **kwargs):
            # A library error that quotes the document, as parsers do.
            raise RuntimeError(f"cannot lay out {string[:5000]}")

    monkeypatch.setattr(pdf.weasyprint, "HTML", Exploding)
    login(client, owner)
    caplog.set_level(logging.DEBUG)
    response = client.post(reverse("cases:finalize", args=[case.pk]))
    assert response.status_code == 400
    assert any(r.levelno >= logging.ERROR and "PDF rendering failed" in r.getMessage() for r in caplog.records)
    assert_no_personal_data(caplog.records)
