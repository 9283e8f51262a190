#!/usr/bin/env bash
# Production-style start (`make serve`): gunicorn, one django-q2 cluster and one record sender, with
# DEBUG off. The environment (or .env) must hold the production variables (README, Configuration).
set -euo pipefail
export DEBUG=${DEBUG:-false}
.venv/bin/python manage.py check --deploy --fail-level ERROR
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM
.venv/bin/python manage.py qcluster & pids+=($!)
.venv/bin/python manage.py send_records --loop & pids+=($!)
.venv/bin/gunicorn -c taxfree/gunicorn_conf.py taxfree.wsgi & pids+=($!)
wait -n "${pids[@]}"
