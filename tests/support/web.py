"""The portal as deployed: gunicorn with the shipped ``deploy/gunicorn.conf.py``, optionally behind a real
nginx whose proxy headers are copied verbatim from the shipped ``deploy/nginx/deletion-portal.conf``.

``web_stack.start(env, ...)`` starts gunicorn on a free port (SQLite in ``env``'s PORTAL_VAR_DIR) and, with
``nginx=True``, an nginx on another free port proxying to it (single process, no TLS, temp files in the
test's directory). Requests can come from any loopback address (``source=`` 127.0.0.2, 127.0.0.3 …), so a
test can be several clients behind the one proxy. Everything is stopped at teardown (``services``).
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import REPO_ROOT, free_port, require_binary, wait_for

SHIPPED_NGINX = REPO_ROOT / "deploy" / "nginx" / "deletion-portal.conf"
SHIPPED_GUNICORN = REPO_ROOT / "deploy" / "gunicorn.conf.py"


def shipped_proxy_directives() -> list[str]:
    """The ``proxy_*`` lines of the shipped config's ``location / { … }`` block, as written there."""
    text = SHIPPED_NGINX.read_text()
    blocks = [b for b in re.findall(r"location\s+/\s*\{(.*?)\n\s*\}", text, re.DOTALL) if "proxy_pass" in b]
    assert blocks, f"no `location / {{ proxy_pass … }}` block in {SHIPPED_NGINX}"
    lines = [line.split("#", 1)[0].strip() for line in blocks[0].splitlines()]
    return [line for line in lines if line.startswith("proxy_") and not line.startswith("proxy_pass")]


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class WebStack:
    host: str
    port: int
    gunicorn_port: int

    def request(self, method: str, path: str, *, data: dict | None = None, headers: dict | None = None,
                source: str = "127.0.0.1", direct: bool = False, timeout: float = 30) -> Answer:
        port = self.gunicorn_port if direct else self.port
        conn = http.client.HTTPConnection(self.host, port, timeout=timeout, source_address=(source, 0))
        body = None
        headers = dict(headers or {})
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            conn.close()


NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/nginx-access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream deletion_portal_web {{ server 127.0.0.1:{upstream} fail_timeout=0; keepalive 4; }}
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        client_max_body_size 12m;
        location / {{
            proxy_pass http://deletion_portal_web;
            {directives}
        }}
    }}
}}
"""


@pytest.fixture
def web_stack(services, tmp_path):
    """``start(env, nginx=True, workers=2) -> WebStack``."""

    def start(env: dict[str, str], *, nginx: bool = True, workers: int = 2) -> WebStack:
        gunicorn = str(Path(REPO_ROOT / ".venv" / "bin" / "gunicorn"))
        if not Path(gunicorn).exists():
            gunicorn = require_binary("gunicorn")
        upstream = free_port()
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{upstream}", "WEB_CONCURRENCY": str(workers)}
        web = services.start("gunicorn", [gunicorn, "-c", str(SHIPPED_GUNICORN)], cwd=REPO_ROOT, env=env)
        stack = WebStack(host="127.0.0.1", port=upstream, gunicorn_port=upstream)

        def up(port):
            def ready():
                web.ensure_alive()
                return stack.request("GET", "/api/v1/laws/eu-gdpr", direct=port == upstream).status == 200 or None
            return ready

        wait_for(up(upstream), timeout=60, what="gunicorn")
        if not nginx:
            return stack
        binary = require_binary("nginx", extra_dirs=["/usr/sbin"], hint="install it (Debian: apt-get install nginx-light)")
        directory = tmp_path / "nginx"
        directory.mkdir()
        port = free_port()
        conf = directory / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=directory, upstream=upstream, port=port,
                                          directives="\n            ".join(shipped_proxy_directives())))
        proxy = services.start("nginx", [binary, "-p", str(directory), "-c", str(conf)], cwd=directory)
        stack.port = port

        def proxied():
            proxy.ensure_alive()
            return stack.request("GET", "/api/v1/laws/eu-gdpr").status == 200 or None

        wait_for(proxied, timeout=30, what="nginx")
        return stack

    return start
