"""The integration tests' stack: Redis processes, databases read without Django, one portal installation
(environment, worker, beat, manage.py) and the scripts it runs. Shared by test_reliability and
test_done_means (fixtures: tests/integration/conftest.py)."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tests.integration.smtp import SMTPServer
from tests.support.processes import REPO_ROOT, Service, free_port, manage, portal_env, require_binary, wait_for
from tests.support.servers import WORKER_ARGS, celery_argv

SWEEP_SECONDS = 5
WAIT = 60  # the longest any single wait may take

TEMPLATE_DB = "portal_reliability_template"

# --- Servers -----------------------------------------------------------------------------------------


class RedisProcess:
    """A redis-server with AOF on, in its own directory, that can be stopped and started again on the
    same port and directory (what a restart of the machine's Redis does)."""

    def __init__(self, services, directory: Path):
        self.binary = require_binary("redis-server", hint="install it (Debian: apt-get install redis-server)")
        self.services = services
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.service: Service | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=0, socket_timeout=5)

    def start(self) -> RedisProcess:
        self.starts += 1
        self.service = self.services.start(
            f"redis-{self.starts}",
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--appendonly", "yes", "--save", "", "--daemonize", "no", "--logfile", ""],
            cwd=self.directory,
        )

        def ready():
            self.service.ensure_alive()
            with self.client() as client:
                return client.ping()

        wait_for(ready, timeout=20, what=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        """SIGTERM: Redis writes its AOF and exits (a clean restart, as systemd does it)."""
        assert self.service is not None
        self.service.stop(timeout=15)
        assert not self.service.alive()

    def queue_length(self, queue: str = "celery") -> int:
        with self.client() as client:
            return client.llen(queue)

    def queued_messages(self, queue: str = "celery") -> list[dict]:
        with self.client() as client:
            return [json.loads(raw) for raw in client.lrange(queue, 0, -1)]

    def result_keys(self) -> list[bytes]:
        with self.client() as client:
            return client.keys("celery-task-meta-*")





class Database:
    """Reads for the assertions, straight from the database (no Django in the test process)."""

    def __init__(self, *, url: str, connect):
        self.url = url
        self._connect = connect
        self.postgres = url.startswith("postgres")

    def rows(self, sql: str) -> list[dict]:
        conn = self._connect()
        try:
            cursor = conn.execute(sql)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            conn.close()

    def outbox(self) -> list[dict]:
        return self.rows(
            "SELECT id, key, topic, state, attempts, last_error, next_attempt_at, claimed_at, sent_at "
            "FROM core_outboxmessage ORDER BY id"
        )

    def letters(self, case_id: int) -> list[dict]:
        return self.rows(f"SELECT id, kind, is_final, short_id FROM cases_letter WHERE case_id = {int(case_id)} ORDER BY id")





def sqlite_database(path: Path) -> Database:
    return Database(url=f"sqlite:///{path}", connect=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10))





# --- The portal's processes ---------------------------------------------------------------------------


@dataclass
class Portal:
    """One portal installation: its environment, and its worker / beat / manage.py processes."""

    services: object
    env: dict
    database: Database
    var_dir: Path
    started: list = field(default_factory=list)

    def worker(self, name: str = "worker", *, concurrency: int = 1) -> Service:
        args = [a for a in WORKER_ARGS if not a.startswith("--concurrency")] + [f"--concurrency={concurrency}"]
        return self.services.start(name, celery_argv(*args), cwd=REPO_ROOT, env=self.env)

    def beat(self, name: str = "beat") -> Service:
        schedule = self.var_dir / f"{name}-schedule"
        return self.services.start(name, celery_argv("beat", "--loglevel=INFO", "-s", str(schedule)),
                                   cwd=REPO_ROOT, env=self.env)

    def shell(self, code: str, *, timeout: float = WAIT):
        """Run ``code`` in ``manage.py shell -c``; it prints one JSON line last, which is returned."""
        result = manage("shell", "-c", textwrap.dedent(code), env=self.env, timeout=timeout)
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        assert lines, f"no output from the shell\n{result.stderr[-3000:]}"
        return json.loads(lines[-1])

    def logs(self) -> str:
        return self.services.logs()


def make_portal(services, tmp_path: Path, database: Database, *, redis: RedisProcess | None, smtp: SMTPServer,
                var_dir: Path | None = None, **overrides) -> Portal:
    var_dir = var_dir or tmp_path / "var"
    var_dir.mkdir(exist_ok=True)
    settings = {
        "PORTAL_VAR_DIR": var_dir,
        "DATABASE_URL": database.url if database.postgres else None,
        "REDIS_URL": redis.url if redis else None,
        "EMAIL_HOST": smtp.host, "EMAIL_PORT": str(smtp.port), "EMAIL_USE_TLS": "0", "EMAIL_TIMEOUT": "30",
        "DEFAULT_FROM_EMAIL": "Deletion portal <noreply@portal.example>",
        "SITE_URL": "https://portal.example",
        "SWEEP_INTERVAL_SECONDS": str(SWEEP_SECONDS),
        "OUTBOX_STALE_SECONDS": "3", "OUTBOX_QUEUED_GRACE_SECONDS": "2", "OUTBOX_RETRY_BASE_SECONDS": "1",
        "LOG_LEVEL": "INFO",
    }
    env = portal_env(**{**settings, **overrides})
    return Portal(services=services, env=env, database=database, var_dir=var_dir)


# Snippets run in `manage.py shell -c` (the web side, as a fresh process would run it).

ENQUEUE = """
import json
from django.db import transaction
from deletion_portal.core.outbox import outbox_enqueue
with transaction.atomic():
    ids = [outbox_enqueue(key=f"test:{{i}}", topic="test", to=["dpo@employer.example"],
                          subject=f"Message {{i}}", body=f"Body of message {{i}}").pk for i in range({count})]
print(json.dumps(ids))
"""

CASE_FIELDS = {
    "work_country": "DE", "work_region": "DE-BY", "residence_country": "DE", "law_key": "eu-gdpr", "region": "DE-BY",
    "language": "en", "rights": ["access", "erasure"], "categories": ["keystrokes"], "requester_name": "Olive Owner",
    "requester_address": "Gartenweg 5\n80333 München", "requester_email": "olive.private@mail.example",
}

OWNER = """
from deletion_portal.accounts.models import Role, User
from deletion_portal.accounts.services import account_create
from deletion_portal.employers.models import Employer
owner = User.objects.filter(email="olive@mail.example").first() or account_create(
    email="olive@mail.example", password="correct horse battery staple 42", role=Role.EMPLOYEE,
    display_name="Olive Owner", confirmed=True)
employer, _ = Employer.objects.get_or_create(legal_name="Acme Analytics GmbH",
                                             defaults={"country": "DE", "privacy_email": "privacy@acme.example"})
"""

#: A case whose request letter is final (rendered to PDF), ready for "Send by email".
FINAL_LETTER_CASE = OWNER + """
import json
from deletion_portal.cases.services import case_create, letter_finalize
case = case_create(owner=owner, employer=employer, **%s)
letter = letter_finalize(case=case, actor=owner)
print(json.dumps({"case": case.pk, "reference": case.reference, "letter": letter.pk}))
""" % json.dumps(CASE_FIELDS)

#: The issue's case: a GDPR request sent outside the portal by email, received 40 days ago.
LATE_CASES = OWNER.replace("{", "{{").replace("}", "}}") + """
import json
from datetime import timedelta
from django.utils import timezone
from deletion_portal.cases.services import case_create, case_record_event
out = []
for _ in range({count}):
    case = case_create(owner=owner, employer=employer, sent_outside_portal=True, **%s)
    case_record_event(case=case, kind="sent", details={{"channel": "email"}},
                      on=timezone.localdate() - timedelta(days=40))
    out.append({{"case": case.pk, "reference": case.reference}})
print(json.dumps(out))
""" % json.dumps(CASE_FIELDS).replace("{", "{{").replace("}", "}}")

#: The user presses "Send by email" on the case page (Django's test client: the real view, session
#: and middleware, without a web server). Prints the status and how long the request took.
PRESS_SEND = """
import json, time
from django.test import Client
from deletion_portal.accounts.models import User
client = Client()
client.force_login(User.objects.get(email="olive@mail.example"), backend="django.contrib.auth.backends.ModelBackend")
started = time.monotonic()
response = client.post("/cases/{case}/send-email/")
print(json.dumps({{"status": response.status_code, "location": response.get("Location", ""),
                   "seconds": time.monotonic() - started}}))
"""

#: The case page as its owner sees it; ``wait_state`` first waits for the outbox row to be in that state.
CASE_PAGE = """
import json, re, time
from django.test import Client
from deletion_portal.accounts.models import User
from deletion_portal.core.models import OutboxMessage
wait_state = {wait_state!r}
deadline = time.monotonic() + 40
while wait_state and time.monotonic() < deadline:
    if OutboxMessage.objects.filter(topic="case:{case}", state=wait_state).exists():
        break
    time.sleep(0.05)
client = Client()
client.force_login(User.objects.get(email="olive@mail.example"), backend="django.contrib.auth.backends.ModelBackend")
response = client.get("/cases/{case}/")
html = response.content.decode()
table = re.search(r'<table class="outbox">.*?</table>', html, re.S)
print(json.dumps({{"status": response.status_code, "outbox": table.group(0) if table else "", "html": html}}))
"""


def body_of(message) -> str:
    return message.body.replace("\r\n", "\n").strip()


def stamp(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def assert_no_results_stored(redis: RedisProcess) -> None:
    assert redis.result_keys() == [], "a task result was stored: CELERY_TASK_IGNORE_RESULT must hold"
