#!/usr/bin/env bash
# Starts the NTA sandbox, the card provider's stand-in, the django-q2 worker and the record sender in the background,
# then the web app; prints the addresses (and the demo traveller's link) once the web app answers.
set -euo pipefail
host=$1 port=$2
sandbox_port=${SANDBOX_PORT:-8443} control_port=${SANDBOX_CONTROL_PORT:-8444}
payments_port=${PAYMENTS_SANDBOX_PORT:-8445}
export DEBUG=true NTA_API_URL=${NTA_API_URL:-https://127.0.0.1:$sandbox_port}
export NTA_SANDBOX_CONTROL_URL=${NTA_SANDBOX_CONTROL_URL:-http://127.0.0.1:$control_port}
export STRIPE_API_BASE=${STRIPE_API_BASE:-http://127.0.0.1:$payments_port} SITE_URL=${SITE_URL:-http://$host:$port}
if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  echo "Port $port on $host is already in use: stop what runs there, or choose another, e.g. PORT=8001 make run" >&2
  exit 1
fi
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM
.venv/bin/python manage.py nta_sandbox --port "$sandbox_port" --control-port "$control_port" &
pids+=($!)
for _ in $(seq 1 40); do  # the worker sends the demo's records at once: let the sandbox listen first
  curl -s -o /dev/null "http://127.0.0.1:$control_port/sandbox/records" && break
  sleep 0.25
done
.venv/bin/python manage.py payments_sandbox --port "$payments_port" --demo >/dev/null &
pids+=($!)
.venv/bin/python manage.py qcluster &
pids+=($!)
.venv/bin/python manage.py send_records --loop &
pids+=($!)
.venv/bin/python manage.py runserver "$host:$port" --noreload &
pids+=($!)
# The demo's customer from Taiwan goes through customs once the records are sent: a refund to pay.
(for _ in $(seq 1 60); do .venv/bin/python manage.py demo_customs >/dev/null 2>&1 && break; sleep 1; done) &
for _ in $(seq 1 60); do
  curl -s -o /dev/null "http://$host:$port/accounts/login/" && break
  sleep 0.5
done
traveller=$(.venv/bin/python manage.py traveller_link --demo 2>/dev/null | head -1)
cat <<MSG

  taxfree is running at http://$host:$port/
    staff pages  http://$host:$port/staff/
    admin        http://$host:$port/admin/
    API docs     http://$host:$port/api/docs/ (schema: /api/schema/)
    NTA sandbox  https://127.0.0.1:$sandbox_port/ (control API http://127.0.0.1:$control_port/sandbox/records)
    card refunds the Stripe stand-in at $STRIPE_API_BASE (modes: POST /sandbox/mode {"mode": "declined"})
  A traveller's page (no login; the QR code on the receipt): $traveller
  Customs in the sandbox: .venv/bin/python manage.py customs_confirm SALE_ID [--missing LINE]
    then .venv/bin/python manage.py pull_confirmations (or wait for the scheduled pull);
    refunds queue http://$host:$port/admin/sales/refund/queue/
  Demo logins: officer / demo-officer (compliance officer), staff / demo-staff (store staff),
               accountant / demo-accountant (accountant).
  Another port: PORT=8001 make run (SANDBOX_PORT and SANDBOX_CONTROL_PORT move the sandbox).
  Stop with Ctrl-C.

MSG
wait -n "${pids[@]}"
