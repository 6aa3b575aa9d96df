"""``manage.py import_employers``: CSV and JSON, dry runs, row errors, all or nothing."""

import json

import pytest
from django.core.management import CommandError, call_command

from deletion_portal.employers.models import Employer, Quality
from deletion_portal.employers.services import employer_import

pytestmark = pytest.mark.django_db

HEADER = "legal_name,other_names,country,postal_address,privacy_email,web_form_url,preferred_language,demands_id,quality,source"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def run(*args):
    """Run the command; return (stdout, stderr)."""
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command("import_employers", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args):
    import io

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_employers", *map(str, args), stdout=out, stderr=err)
    return caught.value, out.getvalue(), err.getvalue()


GOOD_CSV = "\n".join(
    [
        HEADER,
        'Example Analytics GmbH,ExAna|KeyCount,DE,"Demostraße 1\n10115 Berlin",dpo@example.com,https://example.com/form,de,no,verified,https://example.com/imprint',
        "Name Only SA,,FR,,,,,,,",
        "",
    ]
)

GOOD_JSON = [
    {
        "legal_name": "Example Analytics GmbH",
        "other_names": ["ExAna", "KeyCount"],
        "country": "DE",
        "postal_address": "Demostraße 1\n10115 Berlin",
        "privacy_email": "dpo@example.com",
        "web_form_url": "https://example.com/form",
        "preferred_language": "de",
        "demands_id": False,
        "quality": "verified",
        "source": "https://example.com/imprint",
    },
    {"legal_name": "Name Only SA", "country": "FR"},
]


def assert_imported():
    analytics = Employer.objects.get(legal_name="Example Analytics GmbH")
    assert analytics.other_names == ["ExAna", "KeyCount"]
    assert analytics.country == "DE"
    assert analytics.postal_address == "Demostraße 1\n10115 Berlin"
    assert analytics.demands_id is False
    assert analytics.quality == Quality.VERIFIED
    assert analytics.added_by is None
    assert analytics.sources == {
        field: "https://example.com/imprint"
        for field in ("postal_address", "privacy_email", "web_form_url", "preferred_language", "demands_id")
    }
    name_only = Employer.objects.get(legal_name="Name Only SA")
    assert name_only.quality == Quality.UNVERIFIED
    assert name_only.sources == {}


# --- happy paths ----------------------------------------------------------------------------------------


def test_it_imports_a_csv_file(tmp_path):
    out, err = run(write(tmp_path, "employers.csv", GOOD_CSV))

    assert_imported()
    assert "row 2: created Example Analytics GmbH (DE)" in out
    assert "row 3: created Name Only SA (FR)" in out
    assert "Imported 2 row(s): 2 created, 0 updated, 0 unchanged." in out
    assert err == ""


def test_it_imports_a_json_file(tmp_path):
    out, _ = run(write(tmp_path, "employers.json", json.dumps(GOOD_JSON)))

    assert_imported()
    assert "row 1: created Example Analytics GmbH (DE)" in out


def test_it_takes_the_format_from_the_option_over_the_extension(tmp_path):
    run(write(tmp_path, "employers.txt", json.dumps(GOOD_JSON)), "--format", "json")

    assert Employer.objects.count() == 2


def test_it_reads_a_csv_with_a_byte_order_mark_and_without_the_quality_column(tmp_path):
    header = HEADER.replace(",quality", "")
    text = "\ufeff" + header + "\nNo Quality Ltd,,GB,,privacy@example.org,,,,https://example.org/privacy\n"

    run(write(tmp_path, "employers.csv", text))

    assert Employer.objects.get().quality == Quality.UNVERIFIED


def test_a_dry_run_changes_nothing_but_reports_what_would_happen(tmp_path):
    out, _ = run(write(tmp_path, "employers.csv", GOOD_CSV), "--dry-run")

    assert not Employer.objects.exists()
    assert "row 2: created Example Analytics GmbH (DE)" in out
    assert "Dry run, nothing was saved. The import would give: 2 created, 0 updated, 0 unchanged." in out


def test_it_updates_an_existing_employer_matched_by_name_ignoring_case_and_country(tmp_path):
    existing = Employer.objects.create(
        legal_name="example analytics gmbh",
        country="DE",
        privacy_email="old@example.com",
        postal_address="Kept Street 1",
        sources={"privacy_email": "old source", "postal_address": "kept source"},
        quality=Quality.SUBMITTED,
    )
    Employer.objects.create(legal_name="Example Analytics GmbH", country="AT")
    text = HEADER + "\nExample Analytics GmbH,ExAna,DE,,new@example.com,,,,,https://example.com/new\n"

    out, _ = run(write(tmp_path, "update.csv", text))

    existing.refresh_from_db()
    assert existing.legal_name == "Example Analytics GmbH"
    assert existing.privacy_email == "new@example.com"
    assert existing.postal_address == "Kept Street 1"  # an empty cell keeps what is stored
    assert existing.other_names == ["ExAna"]
    assert existing.sources == {"privacy_email": "https://example.com/new", "postal_address": "kept source"}
    assert existing.quality == Quality.SUBMITTED  # no quality given: unchanged
    assert Employer.objects.count() == 2
    assert "row 2: updated Example Analytics GmbH (DE)" in out
    assert "0 created, 1 updated, 0 unchanged" in out


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path):
    path = write(tmp_path, "employers.json", json.dumps(GOOD_JSON))
    run(path)
    before = list(Employer.objects.values_list("pk", "updated_at"))

    out, _ = run(path)

    assert list(Employer.objects.values_list("pk", "updated_at")) == before
    assert "0 created, 0 updated, 2 unchanged" in out


# --- row errors: reported with their row numbers; nothing imported ----------------------------------------


def test_it_reports_row_errors_with_row_numbers_and_imports_nothing(tmp_path):
    text = "\n".join(
        [
            HEADER,
            "Good One Ltd,,GB,,,,,,,",
            "Bad Email Ltd,,GB,,not-an-email,,,,,https://example.org/src",
            ",,GB,,,,,,,",
            "Bad Country,,Narnia,,,,,,,",
            "Bad Url,,FR,,,javascript:alert(1),,,,Some source",
            "Bad Flag,,FR,,,,,maybe,,Some source",
        ]
    )

    error, out, err = run_failing(write(tmp_path, "bad.csv", text))

    assert not Employer.objects.exists()
    assert error.returncode == 1
    assert "5 row(s) with errors; nothing was imported" in str(error)
    assert "row 2: created Good One Ltd (GB)" in out
    assert "row 3: error in Bad Email Ltd (GB): privacy_email: Enter a valid email address" in err
    assert "row 4: error in (no name)" in err and "legal_name: Enter the employer's legal name." in err
    assert "row 5: error in Bad Country: country: Unknown country 'Narnia'" in err
    assert "row 6: error in Bad Url (FR): web_form_url:" in err
    assert "row 7: error in Bad Flag (FR): demands_id:" in err


def test_it_rejects_a_contact_detail_without_a_source(tmp_path):
    text = HEADER + "\nInvented Contacts Ltd,,GB,,privacy@example.org,,,,,\n"

    error, _, err = run_failing(write(tmp_path, "nosource.csv", text))

    assert not Employer.objects.exists()
    assert "row 2: error in Invented Contacts Ltd (GB): source: Cite the public source of privacy_email" in err
    assert "no invented contact details" in err


def test_it_rejects_an_unknown_quality(tmp_path):
    rows = [{"legal_name": "Quality Test", "country": "DE", "quality": "excellent"}]

    _, _, err = run_failing(write(tmp_path, "q.json", json.dumps(rows)))

    assert "row 1: error in Quality Test (DE): quality: Unknown quality 'excellent': use one of verified, submitted, unverified." in err
    assert not Employer.objects.exists()


def test_it_reports_a_missing_source_alongside_other_errors_of_the_row(tmp_path):
    text = HEADER + "\nTwo Problems Ltd,,GB,,not-an-email,,,,,\n"

    _, _, err = run_failing(write(tmp_path, "two.csv", text))

    assert "row 2: error in Two Problems Ltd (GB): privacy_email: Enter a valid email address" in err
    assert "row 2: error in Two Problems Ltd (GB): source: Cite the public source of privacy_email" in err


def test_it_rejects_unknown_fields_wrong_types_and_duplicates_in_json(tmp_path):
    rows = [
        {"legal_name": "Typo GmbH", "country": "DE", "emial": "x@example.com"},
        "not an object",
        {"legal_name": "Listless", "country": "DE", "other_names": "A|B"},
        {"legal_name": "Twice AG", "country": "DE"},
        {"legal_name": "TWICE ag", "country": "DE"},
        {"legal_name": "N" * 301, "country": "DE"},
        {"legal_name": "State Code Inc", "country": "US-CA"},
    ]

    _, _, err = run_failing(write(tmp_path, "bad.json", json.dumps(rows)))

    assert "row 1: error in Typo GmbH (DE): Unknown field(s) emial" in err
    assert "row 2: error in (no name): Expected an object with named fields." in err
    assert "row 3: error in Listless (DE): other_names: Expected a list of names." in err
    assert "row 5: error in TWICE ag (DE): legal_name: The same employer as row 4." in err
    assert "row 6: error in" in err and "at most 300 characters" in err
    assert "row 7: error in State Code Inc: country: Use the country code alone (US)" in err
    assert not Employer.objects.exists()


def test_a_row_error_rolls_back_updates_too(tmp_path):
    existing = Employer.objects.create(legal_name="Keep Me", country="DE", privacy_email="old@example.com")
    rows = [
        {"legal_name": "Keep Me", "country": "DE", "privacy_email": "new@example.com", "source": "https://example.com"},
        {"legal_name": "Broken", "country": "ZZ"},
    ]

    run_failing(write(tmp_path, "mixed.json", json.dumps(rows)))

    existing.refresh_from_db()
    assert existing.privacy_email == "old@example.com"


def test_the_service_returns_a_report_with_counts_and_errors():
    report = employer_import(
        rows=[{"legal_name": "A Corp", "country": "DE"}, {"legal_name": "", "country": "DE"}],
        dry_run=False,
    )

    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    assert [(e.row, e.field) for e in report.errors] == [(2, "legal_name")]
    assert not report.saved
    assert not Employer.objects.exists()


# --- bad files: a clear CommandError ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "No such file"),
        ("latin1.csv", (HEADER + "\nMüller,,DE,,,,,,,\n").encode("latin-1"), "is not UTF-8"),
        ("broken.json", "[{", "is not valid JSON"),
        ("object.json", '{"legal_name": "X"}', "must hold a JSON list"),
        ("short.csv", "legal_name,country\nX,DE\n", "missing column(s): other_names, postal_address"),
        ("extra.csv", HEADER + ",fax\n", "unknown column(s): fax"),
        ("empty.csv", "", "is empty"),
        ("employers.xlsx", "whatever", "--format csv or json"),
    ],
)
def test_it_stops_with_a_clear_message_on_a_bad_file(tmp_path, name, content, message):
    path = tmp_path / name if content is None else write(tmp_path, name, content)

    with pytest.raises(CommandError, match=None) as caught:
        call_command("import_employers", str(path))

    assert message in str(caught.value)
    assert not Employer.objects.exists()


def test_its_help_says_it_is_all_or_nothing():
    from deletion_portal.employers.management.commands.import_employers import Command

    assert "nothing is imported" in Command.help
