"""``manage.py load_demo_employers``: fictional employers only, loaded idempotently."""

import io
import json

import pytest
from django.core.management import call_command

from deletion_portal.employers.management.commands.load_demo_employers import DEMO_FILE
from deletion_portal.employers.models import Employer, Quality

pytestmark = pytest.mark.django_db

FICTIONAL_EMAIL_DOMAINS = ("@example.com", "@example.org", ".invalid")


def load() -> str:
    out = io.StringIO()
    call_command("load_demo_employers", stdout=out)
    return out.getvalue()


def test_it_loads_one_fictional_employer_per_demo_country():
    load()

    employers = list(Employer.objects.all())
    assert sorted(e.country for e in employers) == sorted(["DE", "FR", "GB", "US", "BR", "CA", "NL", "ES", "IT"])
    for employer in employers:
        assert "(demo)" in employer.legal_name
        assert employer.quality == Quality.UNVERIFIED
        assert "Demo" in employer.postal_address
        assert set(employer.sources.values()) == {"Fictional demo data"}
    assert "San Francisco, CA" in Employer.objects.get(country="US").postal_address
    assert "Québec" in Employer.objects.get(country="CA").postal_address


def test_every_demo_address_is_on_a_reserved_domain():
    load()

    for employer in Employer.objects.all():
        assert employer.privacy_email.endswith(FICTIONAL_EMAIL_DOMAINS), employer.privacy_email
        if employer.web_form_url:
            assert employer.web_form_url.startswith(("https://example.com/", "https://example.org/"))


def test_the_demo_file_itself_uses_only_reserved_domains():
    for row in json.loads(DEMO_FILE.read_text(encoding="utf-8")):
        assert row["privacy_email"].endswith(FICTIONAL_EMAIL_DOMAINS)
        assert row["source"] == "Fictional demo data"


def test_it_is_idempotent():
    first = load()
    before = list(Employer.objects.order_by("pk").values_list("pk", "legal_name", "updated_at"))

    second = load()

    assert "9 created" in first
    assert "0 created, 0 updated, 9 unchanged" in second
    assert list(Employer.objects.order_by("pk").values_list("pk", "legal_name", "updated_at")) == before


def test_the_demo_employers_can_be_found():
    load()

    from deletion_portal.employers.selectors import employer_search

    assert [e.country for e in employer_search(query="exana")] == ["DE"]
