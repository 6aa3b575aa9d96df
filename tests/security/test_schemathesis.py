"""The API answers what its OpenAPI schema says (issue 13): schemathesis (pinned in requirements.txt) runs
``--checks all`` against every operation of /api/v1/schema/ on a real gunicorn (DEBUG off, SQLite), as a
signed-in employee who owns a case with a final letter; it must report 0 failures — which includes 0 server
errors (``not_a_server_error``). Per-operation settings and the ids are in tests/security/schemathesis.toml.
``PORTAL_SCHEMATHESIS_EXAMPLES`` (default 15) and ``PORTAL_SCHEMATHESIS_SEED`` tune a run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import REPO_ROOT, manage, portal_env, skip_or_fail

CONFIG = Path(__file__).with_name("schemathesis.toml")

SETUP = """
import json
from deletion_portal.accounts.api_tokens import api_token_create
from deletion_portal.accounts.services import account_create
from deletion_portal.cases.services import case_create, letter_finalize
from deletion_portal.employers.models import Employer, Quality
from tests.support.data import DRAFT_FIELDS, PASSWORD
owner = account_create(email="fuzz@mail.example", password=PASSWORD, role="employee", confirmed=True)
employer = Employer.objects.create(legal_name="Acme Analytics GmbH", country="DE", privacy_email="privacy@acme.example",
                                   postal_address="Hauptstrasse 1\\n80331 Muenchen", quality=Quality.VERIFIED)
case = case_create(owner=owner, employer=employer, **DRAFT_FIELDS)
letter = letter_finalize(case=case)
print(json.dumps({"token": api_token_create(user=owner, name="schemathesis")[1], "case": case.pk, "letter": letter.pk}))
"""


def schemathesis_binary() -> str:
    found = Path(sys.executable).with_name("schemathesis")
    if found.exists():
        return str(found)
    found = shutil.which("schemathesis")
    if not found:
        skip_or_fail("schemathesis is not installed (pip install -r requirements.txt)")
    return found


@pytest.mark.timeout(400)
def test_the_api_matches_its_schema_under_schemathesis(web_stack, portal_var_dir, tmp_path):
    binary = schemathesis_binary()
    env = portal_env(PORTAL_VAR_DIR=portal_var_dir, DEBUG="0", API_ANON_RATE="100000/minute",
                     MEDIA_ROOT=tmp_path / "media", PYTHONPATH=str(REPO_ROOT))
    world = json.loads(manage("shell", "-c", SETUP, env=env, timeout=180).stdout.strip().splitlines()[-1])
    portal = web_stack(env, nginx=False, workers=2)
    base = f"http://{portal.host}:{portal.gunicorn_port}"

    examples = os.environ.get("PORTAL_SCHEMATHESIS_EXAMPLES", "15")
    seed = os.environ.get("PORTAL_SCHEMATHESIS_SEED", "20261202")
    # The shared settings, plus the ids of the test's own case and final letter (integers, as the schema
    # says), so that the operations on a case reach its logic instead of answering 404 to random ids.
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.read_text() + f'\n[parameters]\n"path.id" = {world["case"]}\n'
                      f'"path.letter_pk" = {world["letter"]}\n')
    run = subprocess.run(
        [binary, "--config-file", str(config), "run", f"{base}/api/v1/schema/", "--checks", "all",
         "--max-examples", examples, "--seed", seed, "--workers", "2", "--no-color", "--generation-database", "none",
         "--request-timeout", "30", "-H", f"Authorization: Token {world['token']}",
         "--report", "junit", "--report-junit-path", str(tmp_path / "schemathesis.xml")],
        cwd=tmp_path, capture_output=True, text=True, timeout=360,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-12000:]
    summary = output.strip().splitlines()[-1]
    assert "failure" not in summary and "error" not in summary, output[-4000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", output)
    assert counts and counts[1] == counts[2] and int(counts[1]) > 500, output[-4000:]  # 0 failures, 0 errors
    selected = re.search(r"Selected: (\d+)/(\d+)", output)
    assert selected and selected[1] == selected[2] and int(selected[1]) >= 25, output[-4000:]  # every operation
