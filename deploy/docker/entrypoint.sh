#!/bin/sh
# The image's entry point: `gateway` (default), `idp`, `echo`, `check`, or any `gatehouse` command with its
# flags. exec, so the part is PID 1's child no more: it gets SIGTERM (drain) and SIGHUP (reload) itself.
#   gateway  npx gatehouse gateway --config $GATEHOUSE_CONFIG
#   idp      npx gatehouse idp --host 0.0.0.0 --port $GATEHOUSE_IDP_PORT --database $GATEHOUSE_DATABASE
#            [--kickstart $GATEHOUSE_KICKSTART]
#   echo     npx gatehouse echo --host 0.0.0.0 --port $GATEHOUSE_ECHO_PORT
set -eu
app=$(cd "$(dirname "$0")/../.." && pwd)
cli="$app/dist/src/cli/main.js"
command=${1:-gateway}
[ $# -gt 0 ] && shift

case "$command" in
  gateway)
    exec node "$cli" gateway --config "${GATEHOUSE_CONFIG:?set GATEHOUSE_CONFIG to the gateway config file}" "$@"
    ;;
  idp)
    set -- --host "${GATEHOUSE_HOST:-0.0.0.0}" --port "${GATEHOUSE_IDP_PORT:-9011}" \
      --database "${GATEHOUSE_DATABASE:-${GATEHOUSE_DATA:-/var/lib/gatehouse}/idp.sqlite}" "$@"
    if [ -n "${GATEHOUSE_KICKSTART:-}" ]; then set -- "$@" --kickstart "$GATEHOUSE_KICKSTART"; fi
    exec node "$cli" idp "$@"
    ;;
  echo)
    exec node "$cli" echo --host "${GATEHOUSE_HOST:-0.0.0.0}" --port "${GATEHOUSE_ECHO_PORT:-9001}" "$@"
    ;;
  *)
    exec node "$cli" "$command" "$@"
    ;;
esac
