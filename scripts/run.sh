#!/usr/bin/env bash
# Starts the NTA sandbox, the card provider's stand-in, the django-q2 worker and the record sender, then
# the web app, each under a
# supervisor that starts it again if it dies (scripts/supervise.sh); prints the addresses once the
# web app answers. Ctrl-C stops them all.
set -euo pipefail
host=$1 port=$2
export DEBUG=true
source scripts/supervise.sh
# The sandbox's ports and the addresses the commands use come from the settings, as for every
# manage.py command (SANDBOX_PORT, SANDBOX_CONTROL_PORT; NTA_API_URL and NTA_SANDBOX_CONTROL_URL).
read -r sandbox_port control_port nta_url control_url payments_port stripe_url < <(
  DJANGO_SETTINGS_MODULE=taxfree.settings .venv/bin/python -c 'from django.conf import settings as s
print(s.SANDBOX_PORT, s.SANDBOX_CONTROL_PORT, s.NTA_API_URL, s.NTA_SANDBOX_CONTROL_URL, s.PAYMENTS_SANDBOX_PORT,
      s.STRIPE_API_BASE)'
)
export SITE_URL=${SITE_URL:-http://$host:$port}
# Commands run by hand must ask this instance's sandbox, not one on the default ports.
ports=""
[[ $sandbox_port$control_port == 84438444 ]] || ports="SANDBOX_PORT=$sandbox_port SANDBOX_CONTROL_PORT=$control_port "
# and the e-mails they write (customs confirmed, refund paid) must link to this instance's pages.
[[ $SITE_URL == http://127.0.0.1:8000 ]] || ports+="SITE_URL=$SITE_URL "
for taken in "$host:$port:PORT=8001" "127.0.0.1:$sandbox_port:SANDBOX_PORT=8453" \
  "127.0.0.1:$control_port:SANDBOX_CONTROL_PORT=8454" "127.0.0.1:$payments_port:PAYMENTS_SANDBOX_PORT=8455"; do
  IFS=: read -r at number example <<<"$taken"
  if (exec 3<>"/dev/tcp/$at/$number") 2>/dev/null; then
    echo "Port $number on $at is already in use: stop what runs there, or choose another, e.g. $example make run" >&2
    exit 1
  fi
done

supervisors=() helpers=()
stop() {
  trap - INT TERM EXIT
  echo "taxfree: stopping everything" >&2
  kill -TERM "${supervisors[@]}" "${helpers[@]}" 2>/dev/null || true
  wait || true
  exit "$1"
}
trap 'stop 0' INT TERM HUP
trap 'stop 1' EXIT

supervise "NTA sandbox" .venv/bin/python manage.py nta_sandbox &
supervisors+=($!)
for _ in $(seq 1 40); do  # the worker sends the demo's records at once: let the sandbox listen first
  curl -s -o /dev/null "$control_url/sandbox/records" && break
  sleep 0.25
done
supervise "card provider's stand-in (payments_sandbox)" .venv/bin/python manage.py payments_sandbox \
  --demo >/dev/null &
supervisors+=($!)
supervise "task worker (qcluster)" .venv/bin/python manage.py qcluster &
supervisors+=($!)
supervise "record sender (send_records --loop)" .venv/bin/python manage.py send_records --loop &
supervisors+=($!)
supervise "web server (runserver)" .venv/bin/python manage.py runserver "$host:$port" --noreload &
web=$!
supervisors+=("$web")
# The demo's customer from Taiwan goes through customs once the records are sent: a refund to pay.
(for _ in $(seq 1 60); do .venv/bin/python manage.py demo_customs >/dev/null 2>&1 && break; sleep 1; done) &
helpers+=($!)
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
    NTA sandbox  $nta_url/ (control API $control_url/sandbox/records)
  Customs in the sandbox: ${ports}.venv/bin/python manage.py customs_confirm SALE_ID [--missing LINE]
    then ${ports}.venv/bin/python manage.py pull_confirmations (or wait for the scheduled pull);
    card refunds the Stripe stand-in at $stripe_url (modes: POST /sandbox/mode {"mode": "declined"})
  A traveller's page (no login; the QR code on the receipt): $traveller
    refunds queue http://$host:$port/admin/sales/refund/queue/
  Demo logins: officer / demo-officer (compliance officer), staff / demo-staff (store staff),
               accountant / demo-accountant (accountant).
  The officers' second factor is off in development; with OTP_REQUIRED=true the e-mailed set-up code
    is printed here (the console e-mail backend).
  Another port: PORT=8001 make run (SANDBOX_PORT and SANDBOX_CONTROL_PORT move the NTA sandbox,
    PAYMENTS_SANDBOX_PORT the payment provider's stand-in).
  A process that dies is started again (and named here). Stop with Ctrl-C.

MSG
# A supervisor returns only when it gave up on its process: without the web server nothing is
# reachable, so everything stops; without another the rest goes on.
running=("${supervisors[@]}")
while ((${#running[@]})); do
  gone=""
  wait -n -p gone "${running[@]}" || true
  [[ -z $gone ]] && continue
  if [[ $gone == "$web" ]]; then
    echo "taxfree: the web server cannot stay up" >&2
    stop 1
  fi
  left=()
  for pid in "${running[@]}"; do [[ $pid == "$gone" ]] || left+=("$pid"); done
  running=("${left[@]}")
done
stop 1
