"""The portal as deployed: gunicorn with the shipped ``deploy/gunicorn.conf.py``, optionally behind a real
nginx running the shipped ``deploy/nginx/deletion-portal.conf``: its http-level zones and its HTTPS server's
directives and locations verbatim, without TLS, logs and the static files' location.

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


def statements(text: str) -> list[str]:
    """The top-level statements of nginx configuration ``text`` (a directive up to its ``;``, a block up to its
    closing brace), comments removed."""
    text = re.sub(r"#[^\n]*", "", text)
    found, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                found.append(text[start:i + 1].strip())
                start = i + 1
        elif char == ";" and depth == 0:
            found.append(text[start:i + 1].strip())
            start = i + 1
    return [statement for statement in found if statement]


def _https_server() -> list[str]:
    """The statements inside the shipped config's HTTPS ``server { … }`` block."""
    servers = [s for s in statements(SHIPPED_NGINX.read_text()) if s.startswith("server") and "listen 443" in s]
    assert servers, f"no HTTPS server block in {SHIPPED_NGINX}"
    body = servers[0]
    return statements(body[body.index("{") + 1:body.rindex("}")])


def shipped_proxy_directives() -> list[str]:
    """The ``proxy_*`` directives of the shipped HTTPS server (what every location proxying to gunicorn inherits),
    as written there."""
    return [" ".join(s.rstrip(";").split()) for s in _https_server() if s.startswith("proxy_")]


#: What the test's nginx leaves out of the shipped HTTPS server: TLS, its name and port, log files and the static
#: files' location (paths of a real machine).
_MACHINE_ONLY = re.compile(r"^(listen|server_name|ssl_\w+|access_log|error_log)\b|^location\s+/static/")


def shipped_server(cache_dir: Path) -> tuple[str, str]:
    """The shipped config as the test's nginx runs it: (its http-level directives — the statistics cache and the
    PDF limit zones — with the cache in ``cache_dir``, the HTTPS server's directives and locations without what
    only a real machine has). The upstream is the test's."""
    http = [s for s in statements(SHIPPED_NGINX.read_text()) if not s.startswith(("upstream", "server"))]
    http = [re.sub(r"^proxy_cache_path\s+\S+", f"proxy_cache_path {cache_dir}", s) for s in http]
    server = [s for s in _https_server() if not _MACHINE_ONLY.match(s)]
    return "\n    ".join(http), "\n        ".join(server)


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
    app: object = None  # the gunicorn Service (its log holds gunicorn's access log)

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
    {http_level}
    upstream deletion_portal_web {{ server 127.0.0.1:{upstream} fail_timeout=0; keepalive 4; }}
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        {server}
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
        stack = WebStack(host="127.0.0.1", port=upstream, gunicorn_port=upstream, app=web)

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
        http_level, server = shipped_server(directory / "cache")
        conf.write_text(NGINX_CONF.format(dir=directory, upstream=upstream, port=port, http_level=http_level,
                                          server=server))
        proxy = services.start("nginx", [binary, "-p", str(directory), "-c", str(conf)], cwd=directory)
        stack.port = port

        def proxied():
            proxy.ensure_alive()
            return stack.request("GET", "/api/v1/laws/eu-gdpr").status == 200 or None

        wait_for(proxied, timeout=30, what="nginx")
        return stack

    return start
