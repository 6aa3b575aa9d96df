"""Concurrent finalisations on SQLite never answer "database is locked" (issue 13, item 4).

Real processes on one SQLite file (WAL, IMMEDIATE transactions, SQLITE_BUSY_TIMEOUT=3 s). Each finalises a
letter whose rendering takes 2 s (the real renderer behind a sleep, as for a long letter on a busy machine):
five at once, two of them on the same case, and a writer recording events meanwhile. Rendering inside the
write transaction kept the database lock for the whole render, so the fifth waited ~10 s and failed; now the
render happens first and only a short transaction claims and stores the letter. The same case finalised twice
gives one letter, and its stored PDF is byte-for-byte what a fresh render of it gives.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.support.processes import REPO_ROOT, manage, portal_env

SETUP = textwrap.dedent("""
    import json
    from deletion_portal.accounts.services import account_create
    from deletion_portal.cases.services import case_create
    from deletion_portal.employers.models import Employer
    from tests.support.data import DRAFT_FIELDS, PASSWORD
    owner = account_create(email="olive@mail.example", password=PASSWORD, role="employee", confirmed=True)
    employer = Employer.objects.create(legal_name="Acme Analytics GmbH", country="DE", privacy_email="privacy@acme.example",
                                       postal_address="Hauptstrasse 1\\n80331 Muenchen")
    print(json.dumps([case_create(owner=owner, employer=employer, **DRAFT_FIELDS).pk for _ in range(4)]))
""")

FINALISE = textwrap.dedent("""
    import json, sys, time, django
    django.setup()
    from datetime import date
    import deletion_portal.core.pdf as pdf
    real = pdf.render_pdf
    def slow(*args, **kwargs):
        time.sleep(2)
        return real(*args, **kwargs)
    pdf.render_pdf = slow
    from deletion_portal.cases.models import Case
    from deletion_portal.cases.services import letter_finalize
    case = Case.objects.get(pk=int(sys.argv[1]))
    started = time.monotonic()
    letter = letter_finalize(case=case, today=date(2025, 5, 2))
    print(json.dumps({"case": case.pk, "letter": letter.pk, "sha256": letter.sha256, "seconds": time.monotonic() - started}))
""")

WRITER = textwrap.dedent("""
    import json, time, django
    django.setup()
    from deletion_portal.accounts.models import User
    user = User.objects.get(email="olive@mail.example")
    worst = 0.0
    for i in range(20):
        started = time.monotonic()
        User.objects.filter(pk=user.pk).update(display_name=f"Olive {i}")
        worst = max(worst, time.monotonic() - started)
        time.sleep(0.25)
    print(json.dumps({"worst_write_seconds": worst}))
""")

CHECK = textwrap.dedent("""
    import hashlib, json, sys, django
    django.setup()
    from deletion_portal.cases.models import Case, Letter
    from deletion_portal.cases.services import letter_pdf_bytes
    out = []
    for pk in json.loads(sys.argv[1]):
        case = Case.objects.get(pk=pk)
        finals = list(case.letters.filter(is_final=True))
        stored = finals[0].pdf.read()
        fresh = letter_pdf_bytes(case=case, letter=finals[0])
        out.append({"case": pk, "finals": len(finals), "status": case.status, "stored_matches_sha": hashlib.sha256(stored).hexdigest() == finals[0].sha256,
                    "fresh_render_same_bytes": fresh == stored, "events": case.events.filter(kind="finalised").count()})
    print(json.dumps(out))
""")


@pytest.mark.timeout(240)
def test_concurrent_finalisations_on_sqlite_never_hit_database_is_locked(portal_var_dir, tmp_path):
    env = portal_env(PORTAL_VAR_DIR=portal_var_dir, SQLITE_BUSY_TIMEOUT="3", MEDIA_ROOT=tmp_path / "media",
                     PYTHONPATH=str(REPO_ROOT))
    cases = json.loads(manage("shell", "-c", SETUP, env=env).stdout.strip().splitlines()[-1])
    targets = [*cases, cases[0]]  # five finalisations, two of them on the first case

    def spawn(code, *args):
        return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=REPO_ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    writer = spawn(WRITER)
    finalisers = [spawn(FINALISE, pk) for pk in targets]
    results = []
    for process in [*finalisers, writer]:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, f"exit {process.returncode}:\n{err[-3000:]}"
        assert "database is locked" not in err
        results.append(json.loads(out.strip().splitlines()[-1]))

    finals, write = results[:-1], results[-1]
    assert finals[0]["letter"] == finals[-1]["letter"] and finals[0]["sha256"] == finals[-1]["sha256"]
    assert write["worst_write_seconds"] < 2.5, write  # other writers are not held up by a render

    checked = json.loads(subprocess.run([sys.executable, "-c", CHECK, json.dumps(cases)], cwd=REPO_ROOT, env=env,
                                        capture_output=True, text=True, timeout=120, check=True).stdout.strip().splitlines()[-1])
    for row in checked:
        assert row == {"case": row["case"], "finals": 1, "status": "finalised", "stored_matches_sha": True,
                       "fresh_render_same_bytes": True, "events": 1}, row
