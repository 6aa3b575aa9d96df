"""The portal behind the shipped nginx (issue 13, items 1 and 3), with real nginx and gunicorn processes:
the proxy headers come verbatim from deploy/nginx/deletion-portal.conf, gunicorn from deploy/gunicorn.conf.py.

* One client failing to sign in as someone locks out that client for that account — not the account for
  everybody else behind the same proxy (axes on user + address, the address from the trusted proxy).
* A forged X-Forwarded-For does not escape the lockout nor the anonymous API limit.
* Two gunicorn workers count the anonymous limit together (the database cache, without Redis).
* An employer's public statistics are kept by nginx's cache: an identical request does not reach gunicorn; a
  signed-in visitor's does; the public PDF is limited per client address (issue 11).
"""

from __future__ import annotations

import pytest

from tests.support.processes import manage, portal_env
from tests.support.web import shipped_proxy_directives

PASSWORD = "correct horse battery staple 42"
EMAIL = "victim@mail.example"
ATTACKER, VICTIM = "127.0.0.2", "127.0.0.3"


@pytest.fixture
def env(portal_var_dir):
    return portal_env(PORTAL_VAR_DIR=portal_var_dir, TRUSTED_PROXY_COUNT="1", API_ANON_RATE="5/minute",
                      AXES_FAILURE_LIMIT="3", ACCOUNT_PASSWORD=PASSWORD, STATS_REFRESH_SECONDS="300")


@pytest.fixture
def portal(web_stack, env):
    manage("create_account", EMAIL, "--role", "employee", env=env)
    return web_stack(env, nginx=True, workers=2)


def token(portal, password, *, source, forged=None):
    headers = {"X-Forwarded-For": forged} if forged else {}
    return portal.request("POST", "/api/v1/auth/token", data={"email": EMAIL, "password": password},
                          source=source, headers=headers)


def test_the_shipped_nginx_passes_the_client_address():
    directives = " ".join(shipped_proxy_directives())
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in directives
    assert "X-Real-IP $remote_addr" in directives


def test_a_stranger_behind_the_proxy_cannot_lock_the_owner_out(portal):
    statuses = [token(portal, "wrong password!!", source=ATTACKER).status for _ in range(3)]
    assert statuses == [400, 400, 429]  # AXES_FAILURE_LIMIT=3: the third failure locks
    assert token(portal, PASSWORD, source=ATTACKER).status == 429  # the attacker's address is locked for this account
    # …even claiming to be somebody else: nginx appends the real address, the forged part is ignored
    assert token(portal, PASSWORD, source=ATTACKER, forged=VICTIM).status == 429
    owner = token(portal, PASSWORD, source=VICTIM)
    assert owner.status == 200, owner.body
    assert owner.json()["token"]


def test_the_anonymous_api_limit_is_per_client_shared_by_workers_and_not_fooled_by_a_forged_header(portal):
    statuses = [
        portal.request("GET", "/api/v1/laws/eu-gdpr", source=ATTACKER, headers={"X-Forwarded-For": f"10.0.0.{i}"}).status
        for i in range(12)
    ]
    # 5/minute in total, although two workers answered and every request claimed another address
    assert statuses.count(200) == 5 and statuses.count(429) == 7, statuses
    assert portal.request("GET", "/api/v1/laws/eu-gdpr", source=VICTIM).status == 200  # another client is not limited


def employer_in_directory(env) -> int:
    code = ("from deletion_portal.employers.models import Employer; "
            "print(Employer.objects.create(legal_name='Acme', country='DE', privacy_email='p@acme.example').pk)")
    return int(manage("shell", "-c", code, env=env).stdout.split()[-1])


def reached_gunicorn(portal, path: str) -> int:
    """How many requests for ``path`` gunicorn's access log shows."""
    return portal.app.log(tail=1_000_000).count(f'"GET {path} HTTP/1.')


def test_the_public_statistics_come_from_nginx_s_cache_and_the_pdf_is_limited(portal, env):
    pk = employer_in_directory(env)
    page = f"/employers/{pk}/outcomes"
    first = portal.request("GET", page)
    assert first.status == 200 and first.headers["x-cache-status"] == "MISS"
    assert first.headers["etag"].startswith('"') and "public" in first.headers["cache-control"]
    second = portal.request("GET", page, source=VICTIM)  # another visitor, the same answer
    assert second.status == 200 and second.headers["x-cache-status"] == "HIT" and second.body == first.body
    assert reached_gunicorn(portal, page) == 1
    # Django answers a revalidation with a 304 itself (what nginx asks once the answer expires).
    revalidated = portal.request("GET", page, direct=True, headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status == 304
    # A session cookie: never from (nor into) the cache.
    signed_in = portal.request("GET", page, headers={"Cookie": "sessionid=anything"})
    assert signed_in.status == 200 and signed_in.headers["x-cache-status"] == "BYPASS"
    assert reached_gunicorn(portal, page) == 3  # the first, the direct revalidation, the signed-in one
    # The organisation's dashboards are not in a cached location.
    assert "x-cache-status" not in portal.request("GET", "/campaigns/1/stats").headers

    pdf = f"/employers/{pk}/outcomes.pdf"
    statuses = [portal.request("GET", pdf, source=ATTACKER, timeout=60) for _ in range(10)]
    assert statuses[0].headers["x-cache-status"] == "MISS" and statuses[0].body.startswith(b"%PDF")
    assert [a.status for a in statuses[:6]] == [200] * 6, [a.status for a in statuses]  # 1 + a burst of 5
    assert [a.status for a in statuses].count(429) >= 2  # then 10 a minute (a slow first PDF lets one more in)
    assert reached_gunicorn(portal, pdf) == 1  # built once; the rest from the cache or refused by nginx
    other = portal.request("GET", pdf, source=VICTIM)  # another client is not limited
    assert other.status == 200 and other.headers["x-cache-status"] == "HIT"
