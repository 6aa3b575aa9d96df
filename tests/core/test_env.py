"""deletion_portal/env.py: typed readers; a bad value stops start-up naming the variable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from deletion_portal.env import env_bool, env_choice, env_int, env_list, env_str, env_url

VAR = "PORTAL_TEST_VARIABLE"


@pytest.fixture
def setenv(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)

    def set_(value):
        if value is None:
            monkeypatch.delenv(VAR, raising=False)
        else:
            monkeypatch.setenv(VAR, value)

    return set_


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        (None, "fallback", "fallback"),
        ("", "fallback", "fallback"),
        ("   ", "fallback", "fallback"),
        ("value", "fallback", "value"),
        ("  padded  ", "", "padded"),
    ],
)
def test_it_reads_strings(setenv, raw, default, expected):
    setenv(raw)
    assert env_str(VAR, default) == expected


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        (None, True, True),
        (None, False, False),
        ("1", False, True),
        ("true", False, True),
        ("TRUE", False, True),
        ("Yes", False, True),
        ("on", False, True),
        (" on ", False, True),
        ("0", True, False),
        ("false", True, False),
        ("No", True, False),
        ("off", True, False),
        ("", True, False),
    ],
)
def test_it_reads_booleans(setenv, raw, default, expected):
    setenv(raw)
    assert env_bool(VAR, default=default) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "enabled", "y es", "tru"])
def test_it_rejects_other_booleans_naming_the_variable(setenv, raw):
    setenv(raw)
    with pytest.raises(ImproperlyConfigured) as error:
        env_bool(VAR)
    assert VAR in str(error.value)
    assert repr(raw) in str(error.value)
    assert "true/false" in str(error.value)


@pytest.mark.parametrize(
    ("raw", "kwargs", "expected"),
    [
        (None, {}, 7),
        ("", {}, 7),
        ("42", {}, 42),
        (" 42 ", {}, 42),
        ("-3", {}, -3),
        ("5", {"minimum": 5}, 5),
        ("65535", {"minimum": 1, "maximum": 65535}, 65535),
    ],
)
def test_it_reads_whole_numbers(setenv, raw, kwargs, expected):
    setenv(raw)
    assert env_int(VAR, 7, **kwargs) == expected


@pytest.mark.parametrize(
    ("raw", "kwargs", "fragment"),
    [
        ("abc", {}, "not a whole number"),
        ("1.5", {}, "not a whole number"),
        ("1e3", {}, "not a whole number"),
        ("4", {"minimum": 5}, "minimum is 5"),
        ("70000", {"maximum": 65535}, "maximum is 65535"),
    ],
)
def test_it_rejects_bad_numbers_naming_the_variable(setenv, raw, kwargs, fragment):
    setenv(raw)
    with pytest.raises(ImproperlyConfigured) as error:
        env_int(VAR, 7, **kwargs)
    assert VAR in str(error.value)
    assert fragment in str(error.value)


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        (None, None, []),
        (None, ["a"], ["a"]),
        ("", ["a"], ["a"]),
        ("one", None, ["one"]),
        ("one, two ,three", None, ["one", "two", "three"]),
        ("one,,two,", None, ["one", "two"]),
    ],
)
def test_it_reads_comma_separated_lists(setenv, raw, default, expected):
    setenv(raw)
    assert env_list(VAR, default) == expected


def test_it_does_not_share_the_default_list(setenv):
    default = ["a"]
    env_list(VAR, default).append("b")
    assert default == ["a"]


@pytest.mark.parametrize(("raw", "expected"), [(None, "development"), ("", "development"), ("production", "production")])
def test_it_reads_choices(setenv, raw, expected):
    setenv(raw)
    assert env_choice(VAR, "development", ("development", "production")) == expected


@pytest.mark.parametrize("raw", ["prod", "Production", "staging"])
def test_it_rejects_unknown_choices_listing_the_valid_ones(setenv, raw):
    setenv(raw)
    with pytest.raises(ImproperlyConfigured) as error:
        env_choice(VAR, "development", ("development", "production"))
    message = str(error.value)
    assert VAR in message and repr(raw) in message
    assert "development, production" in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("postgresql://user:secret@db.internal:5432/portal", "postgresql://user:secret@db.internal:5432/portal"),
        ("postgres://db/portal", "postgres://db/portal"),
        ("sqlite:////tmp/portal.sqlite3", "sqlite:////tmp/portal.sqlite3"),
    ],
)
def test_it_reads_urls_with_allowed_schemes(setenv, raw, expected):
    setenv(raw)
    assert env_url(VAR, schemes=("postgres", "postgresql", "sqlite")) == expected


def test_it_uses_the_default_url(setenv):
    assert env_url(VAR, "http://127.0.0.1:8000", schemes=("http", "https")) == "http://127.0.0.1:8000"


@pytest.mark.parametrize("raw", ["mysql://x", "localhost:5432", "postgresql://", "just-a-word", "http://db/portal"])
def test_it_rejects_urls_with_other_schemes_naming_the_variable(setenv, raw):
    setenv(raw)
    with pytest.raises(ImproperlyConfigured) as error:
        env_url(VAR, schemes=("postgres", "postgresql", "sqlite"))
    message = str(error.value)
    assert VAR in message
    assert "postgresql://" in message


def test_it_does_not_echo_credentials_of_a_rejected_url(setenv):
    setenv("mysql://admin:hunter2@db.internal/portal")
    with pytest.raises(ImproperlyConfigured) as error:
        env_url(VAR, schemes=("postgresql",))
    assert "hunter2" not in str(error.value)
    assert "db.internal/portal" in str(error.value)
