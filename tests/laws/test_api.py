"""The public JSON API: /api/v1/laws, /laws/<key>, /laws/applicable, /deadlines.

Expected dates are hand-checked against a calendar and the `holidays` library's list of public
holidays; the rule behind each is named in the test id.
"""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return Client()


def test_it_lists_every_law_with_the_documented_fields(api):
    response = api.get("/api/v1/laws")
    assert response.status_code == 200
    laws = response.json()
    keys = [law["key"] for law in laws]
    for key in ("eu-gdpr", "uk-gdpr", "us-ca-ccpa", "ca-pipeda", "ca-qc-law25", "br-lgpd", "ch-fadp",
                "kr-pipa", "jp-appi", "cn-pipl", "in-dpdp", "au-privacy", "us-il-bipa", "us-va-vcdpa"):
        assert key in keys
    gdpr = laws[keys.index("eu-gdpr")]
    assert gdpr["employee_coverage"] == "covered"
    erasure = next(r for r in gdpr["rights"] if r["code"] == "erasure")
    assert erasure["citation"].startswith("Art. 17")
    assert gdpr["authority"]["name"] and gdpr["authority"]["url"].startswith("https://")
    assert gdpr["reviewed"] == "2026-11-29"


def test_it_names_ccpas_right_to_know_as_access(api):
    ccpa = api.get("/api/v1/laws/us-ca-ccpa").json()
    access = next(r for r in ccpa["rights"] if r["code"] == "access")
    assert "know" in access["name"].lower()


def test_it_says_plainly_that_virginia_excludes_employees(api):
    vcdpa = api.get("/api/v1/laws/us-va-vcdpa").json()
    assert vcdpa["employee_coverage"] == "excluded"
    assert "employment" in vcdpa["employee_coverage_reason"].lower()
    assert vcdpa["rights"] == []


def test_it_answers_404_for_an_unknown_law_with_the_valid_keys(api):
    response = api.get("/api/v1/laws/xx-nope")
    assert response.status_code == 404
    assert "eu-gdpr" in response.json()["detail"]


def test_it_finds_no_help_for_a_virginia_employee_and_says_why(api):
    response = api.get(
        "/api/v1/laws/applicable",
        {"work_country": "US", "work_region": "US-VA", "residence_region": "US-VA", "employer_country": "US"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["applicable"] == []
    excluded = {item["key"]: item for item in body["excluded"]}
    assert "us-va-vcdpa" in excluded
    assert "employment" in excluded["us-va-vcdpa"]["coverage_reason"].lower()


def test_it_applies_the_gdpr_to_a_worker_in_germany(api):
    body = api.get("/api/v1/laws/applicable", {"work_country": "DE", "work_region": "DE-BY"}).json()
    keys = [item["key"] for item in body["applicable"]]
    assert "eu-gdpr" in keys
    gdpr = next(item for item in body["applicable"] if item["key"] == "eu-gdpr")
    assert "Art. 3" in gdpr["citation"]


def test_it_applies_the_ccpa_to_a_california_resident(api):
    body = api.get("/api/v1/laws/applicable", {"work_country": "US", "residence_region": "US-CA"}).json()
    assert "us-ca-ccpa" in [item["key"] for item in body["applicable"]]


@pytest.mark.parametrize(
    "params, field, fragment",
    [
        ({}, "work_country", "required"),
        ({"work_country": "ZZ"}, "work_country", "ISO 3166"),
        ({"work_country": "US-CA"}, "work_country", "country code"),
        ({"work_country": "US", "work_region": "US-XX"}, "work_region", "CA"),
        ({"work_country": "DE", "work_region": "US-CA"}, "work_region", "not in"),
        ({"work_country": "DE", "employer_country": "Narnia"}, "employer_country", "ISO 3166"),
    ],
)
def test_it_rejects_bad_applicability_queries_naming_the_field(api, params, field, fragment):
    response = api.get("/api/v1/laws/applicable", params)
    assert response.status_code == 400
    message = " ".join(response.json()[field])
    assert fragment.lower() in message.lower()


@pytest.mark.parametrize(
    "law, received, region, respond_by, extended, acknowledge",
    [
        # Art. 12(3) GDPR + Reg. 1182/71 Art. 3(4): 15 Feb 2026 is a Sunday → Monday 16 Feb;
        # extension to three months from receipt: 15 Apr 2026, a Wednesday.
        pytest.param("eu-gdpr", "2026-01-15", "DE", "2026-02-16", "2026-04-15", None, id="GDPR Art.12(3) Sunday roll-forward DE"),
        # 6 Jan (Epiphany) is a public holiday in Bavaria, not in Berlin (LEGAL.md §2 rule 4).
        pytest.param("eu-gdpr", "2025-12-06", "DE-BY", "2026-01-07", "2026-03-06", None, id="GDPR Art.12(3) Epiphany DE-BY"),
        pytest.param("eu-gdpr", "2025-12-06", "DE-BE", "2026-01-06", "2026-03-06", None, id="GDPR Art.12(3) no Epiphany DE-BE"),
        # 11 CCR §7021(b): 45 days with receipt as day one → Sun 15 Feb 2026 (not moved); under Civ.
        # Code §10 (first day excluded) Mon 16 Feb, Presidents' Day → Tue 17 Feb (§12a): the later
        # date is used. §7021(a): 10 business days → 16 Jan. §1798.130(a)(2): 90 days in all → Wed
        # 1 Apr under §7021(b), Thu 2 Apr under Civ. Code §10: the later one.
        pytest.param("us-ca-ccpa", "2026-01-02", "US-CA", "2026-02-17", "2026-04-02", "2026-01-16", id="CCPA §7021 45 days, 10 business days, later of §7021(b) and Civ. Code §10"),
    ],
)
def test_it_computes_deadlines(api, law, received, region, respond_by, extended, acknowledge):
    response = api.get("/api/v1/deadlines", {"law": law, "received": received, "region": region})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["respond_by"] == respond_by
    assert body["extended_respond_by"] == extended
    assert body["acknowledge_by"] == acknowledge
    assert body["employee_coverage"] == "covered"
    assert body["steps"] and all(isinstance(step, str) for step in body["steps"])
    assert body["citations"] and all(isinstance(c, str) and c for c in body["citations"])
    assert received in body["steps"][0]


def test_it_gives_no_date_but_a_labelled_suggestion_where_the_law_sets_no_period(api):
    # APPI: "without delay", no day count; Art. 39 allows a lawsuit two weeks after the request.
    body = api.get("/api/v1/deadlines", {"law": "jp-appi", "received": "2026-03-02", "region": "JP"}).json()
    assert body["respond_by"] is None
    assert body["extended_respond_by"] is None
    assert body["has_fixed_period"] is False
    assert body["suggested_follow_up"] == "2026-03-16"
    assert any("suggest" in step.lower() for step in body["steps"])


@pytest.mark.parametrize(
    "params, field, fragment",
    [
        ({"law": "xx", "received": "2026-01-15", "region": "DE"}, "law", "eu-gdpr"),
        ({"received": "2026-01-15", "region": "DE"}, "law", "required"),
        ({"law": "eu-gdpr", "received": "2026-02-30", "region": "DE"}, "received", "YYYY-MM-DD"),
        ({"law": "eu-gdpr", "received": "15/01/2026", "region": "DE"}, "received", "YYYY-MM-DD"),
        ({"law": "eu-gdpr", "received": "1850-01-01", "region": "DE"}, "received", "between"),
        ({"law": "eu-gdpr", "received": "2026-01-15", "region": "XX"}, "region", "ISO 3166"),
        ({"law": "eu-gdpr", "received": "2026-01-15", "region": "DE-ZZ"}, "region", "BY"),
        ({"law": "eu-gdpr", "received": "2026-01-15"}, "region", "required"),
    ],
)
def test_it_rejects_bad_deadline_queries_with_400_naming_the_field(api, params, field, fragment):
    response = api.get("/api/v1/deadlines", params)
    assert response.status_code == 400
    message = " ".join(response.json()[field])
    assert fragment.lower() in message.lower()


@pytest.mark.parametrize("junk", ["\x00", "' OR 1=1 --", "<script>", "9" * 500, "2026-01-15T00:00:00"])
def test_it_never_answers_500_to_junk(api, junk):
    for params in (
        {"law": junk, "received": junk, "region": junk},
        {"law": "eu-gdpr", "received": junk, "region": "DE"},
        {"law": "eu-gdpr", "received": "2026-01-15", "region": junk},
    ):
        assert api.get("/api/v1/deadlines", params).status_code == 400
    assert api.get("/api/v1/laws/applicable", {"work_country": junk, "work_region": junk}).status_code == 400


def test_it_serves_an_openapi_schema_and_a_browsable_ui(api):
    schema = api.get("/api/v1/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/laws", "/api/v1/laws/applicable", "/api/v1/deadlines"):
        assert path in text
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    # The UI's assets are served by the portal itself (CSP allows 'self' only; no CDN).
    assert b"cdn." not in docs.content
