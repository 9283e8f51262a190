#!/usr/bin/env bash
# Starts the django-q2 worker in the background and the web app in the foreground.
set -euo pipefail
host=$1 port=$2
export DEBUG=true
.venv/bin/python manage.py qcluster &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
cat <<MSG

  taxfree is running at http://$host:$port/
    staff pages  http://$host:$port/staff/
    admin        http://$host:$port/admin/
    API schema   http://$host:$port/api/schema/
  Demo logins: officer / demo-officer (compliance officer), staff / demo-staff (store staff),
               accountant / demo-accountant (accountant).
  Stop with Ctrl-C.

MSG
.venv/bin/python manage.py runserver "$host:$port" --noreload
