"""Gunicorn for the deletion portal, behind nginx (deploy/nginx/deletion-portal.conf).

    gunicorn -c deploy/gunicorn.conf.py

Environment (see deploy/env.example): GUNICORN_BIND (default 127.0.0.1:8000) and WEB_CONCURRENCY
(worker processes; default 2 x CPUs + 1, at most 12). Everything else comes from Django's settings.
"""

import multiprocessing
import os

wsgi_app = "deletion_portal.wsgi:application"

# Only nginx talks to gunicorn: listen on loopback and trust X-Forwarded-* from it alone.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
forwarded_allow_ips = "127.0.0.1,::1"

# Sync workers: nginx buffers slow clients, so a worker is busy only while Django works.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 12)))

# A request that takes longer than this is a bug (PDFs render in the worker, not in the request).
timeout = 30
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so a slow leak cannot grow forever.
max_requests = 1000
max_requests_jitter = 100

# Request limits (the body size limit lives in nginx and Django's upload validators).
limit_request_line = 8190
limit_request_fields = 100

# Logs to stdout/stderr: systemd's journal (or honcho) collects them. No query strings logged
# beyond what Django puts in URLs, and URLs never carry personal data.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

proc_name = "deletion-portal-web"
