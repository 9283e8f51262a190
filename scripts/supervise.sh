# Sourced by run.sh. `supervise NAME COMMAND...` runs COMMAND and starts it again whenever it dies,
# saying which died and how, after a back-off of 1 s doubling to 30 s (1 s again after a run that
# lasted). After SUPERVISE_QUICK_LIMIT deaths in a row, each within SUPERVISE_QUICK_SECONDS of its
# start, it gives up on that command and returns 1. SIGTERM stops the command and the supervisor.
SUPERVISE_QUICK_SECONDS=${SUPERVISE_QUICK_SECONDS:-10}
SUPERVISE_QUICK_LIMIT=${SUPERVISE_QUICK_LIMIT:-5}

exit_described() {
  local code=$1
  if ((code > 128)); then
    echo "exit code $code (killed by SIG$(kill -l $((code - 128))))"
  else
    echo "exit code $code"
  fi
}

# SIGTERM to the command, then to whatever is left of its process group (a cluster's workers outlive
# a killed master); a command still there after SUPERVISE_STOP_SECONDS is killed with its group.
SUPERVISE_STOP_SECONDS=${SUPERVISE_STOP_SECONDS:-10}
stop_group() {
  local watchdog
  kill -TERM "$1" 2>/dev/null || true
  (
    trap 'kill -TERM $nap; exit 0' TERM
    sleep "$SUPERVISE_STOP_SECONDS" &
    nap=$!
    wait $nap && kill -KILL -- "-$1"
  ) 2>/dev/null &
  watchdog=$!
  wait "$1" 2>/dev/null || true
  kill -TERM -- "-$1" 2>/dev/null || true
  # Signals are delivered, not obeyed at once: return only when the group is gone (or the watchdog
  # has killed it), so that stopping the supervisor means its processes are stopped.
  while kill -0 -- "-$1" 2>/dev/null && kill -0 "$watchdog" 2>/dev/null; do sleep 0.1; done
  kill -TERM "$watchdog" 2>/dev/null || true
}

supervise() {
  local name=$1 child="" pause="" quick=0 delay=1 started code
  shift
  # Ctrl-C is run.sh's to handle: it stops the supervisors in order. (Never `kill 0` here: that
  # would signal this whole process group, make and run.sh included.)
  trap '' INT
  trap '[[ -z $pause ]] || kill -TERM "$pause" 2>/dev/null || true; [[ -z $child ]] || stop_group "$child"; exit 0' TERM
  while true; do
    started=$SECONDS
    # A process group of its own: what it forks is stopped with it, and Ctrl-C reaches run.sh alone,
    # which then stops everything in order.
    setsid "$@" &
    child=$!
    wait "$child" 2>/dev/null && code=0 || code=$? # the report below says how it ended, not bash's "Killed"
    kill -TERM -- "-$child" 2>/dev/null || true
    if ((SECONDS - started < SUPERVISE_QUICK_SECONDS)); then quick=$((quick + 1)); else quick=0 delay=1; fi
    if ((quick >= SUPERVISE_QUICK_LIMIT)); then
      echo "taxfree: the $name died $quick times in a row within ${SUPERVISE_QUICK_SECONDS} s of its start" \
        "(pid $child: $(exit_described "$code")): giving up on it (see its messages above)" >&2
      return 1
    fi
    echo "taxfree: the $name (pid $child) died with $(exit_described "$code"); starting it again in ${delay} s" >&2
    sleep "$delay" &
    pause=$!
    wait "$pause" || true
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}
