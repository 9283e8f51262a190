"""gunicorn for production (`make serve`): threads per worker, because a request mostly waits on
the database; sized from the environment (README, Production)."""

import gc
import multiprocessing
import os
from typing import Any

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Two processes per core at most, each with a few threads: the API and the pages wait on
# PostgreSQL far more than they compute; a worker's memory (~100 MiB) bounds the count.
workers = int(os.environ.get("WEB_WORKERS", min(2 * multiprocessing.cpu_count(), 8)))
threads = int(os.environ.get("WEB_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("WEB_TIMEOUT", 60))  # a capture's OCR takes up to a few seconds
graceful_timeout = 30
keepalive = int(os.environ.get("WEB_KEEPALIVE", 5))
# Recycled now and then so a slow leak never grows for ever; rarely, because each restart costs.
max_requests = 20000
max_requests_jitter = 2000
# The application (Django, the URLs and every view) is imported once in the master: a new or
# recycled worker is a fork that serves at once instead of spending a second of CPU importing.
preload_app = True
accesslog = "-"
logger_class = "taxfree.gunicorn_log.SecretsOutOfPathsLogger"  # a traveller's link is a credential
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server: Any) -> None:  # gunicorn's Arbiter (gunicorn ships no types)
    from django.urls import get_resolver

    # Reading the patterns imports every view, once, before the workers fork.
    server.log.info("%d URL patterns loaded", len(get_resolver().url_patterns))
    # What was imported lives as long as the process: out of the collector's sight, a worker's
    # collections stop walking it, and stop writing to (and so copying) the pages it shares.
    gc.freeze()
