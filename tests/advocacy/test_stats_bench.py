"""``manage.py bench stats`` on a real PostgreSQL server (started by the test): the figures are printed, the
queries of each page do not grow with the number of cases, and everything the bench wrote is deleted."""

from __future__ import annotations

import re

import pytest

from tests.support.processes import manage, portal_env, python_c

pytestmark = [pytest.mark.postgres]

PAGES = ("public page of the employer with", "public page of an average employer", "ranking of 2,000 employers",
         "dashboard of a publishing campaign with", "dashboard of a non-publishing campaign with")


@pytest.fixture(scope="module")
def pg_env(postgres_server):
    url = postgres_server.create_database("portal_bench_stats")
    env = portal_env(DATABASE_URL=url)
    manage("migrate", "--noinput", env=env, timeout=240)
    return env


def queries(output: str) -> dict[str, int]:
    found = {}
    for page in PAGES:
        match = re.search(rf"^{re.escape(page)}.*: p50 [0-9.]+ ms, p95 [0-9.]+ ms \((\d+) queries", output, re.MULTILINE)
        assert match, f"{page!r} missing from the bench output:\n{output}"
        found[page] = int(match.group(1))
    return found


def test_the_stats_bench_prints_p50_and_p95_and_its_queries_do_not_grow_with_n(pg_env):
    small = manage("bench", "stats", "--cases", "6000", "--repeat", "2", env=pg_env, timeout=300).stdout
    large = manage("bench", "stats", "--cases", "12000", "--repeat", "2", env=pg_env, timeout=300).stdout
    assert "Built 6,000 cases across 2,000 employers" in small and "Built 12,000 cases" in large
    assert "public page of the employer with 1,200 cases" in large
    assert queries(small) == queries(large)
    assert re.search(r"an event shows in the figures at the next refresh: .*\(checked: late \+1\)", large), large
    assert re.search(r"^refresh of the precomputed counts: [0-9.]+ s", large, re.MULTILINE), large
    assert re.search(r"^an incremental refresh with nothing changed: [0-9.]+ s", large, re.MULTILINE), large
    assert re.search(r"200 campaigns, [0-9,]+ cases counted in the public figures", large), large
    left = python_c("import django; django.setup(); from deletion_portal.cases.models import Case; "
                    "from deletion_portal.employers.models import Employer; "
                    "from deletion_portal.advocacy.models import Campaign, CampaignMember; "
                    "print(Case.objects.count(), Employer.objects.filter(legal_name__startswith='Bench Stats').count(), "
                    "Campaign.objects.count(), CampaignMember.objects.count())",
                    env={**pg_env, "DJANGO_SETTINGS_MODULE": "deletion_portal.settings"})
    assert left.stdout.split() == ["0", "0", "0", "0"], left.stderr
