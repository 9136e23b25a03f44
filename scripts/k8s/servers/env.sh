#!/usr/bin/env bash
# Prints, for `env $(scripts/k8s/servers/env.sh rabbitmq4) npx ava …`, the variables that point the
# test helpers (@orderly/platform/testing) at a chroot server of scripts/k8s/servers/up.sh.
set -euo pipefail
case ${1:-} in
  rabbitmq4) echo "AMQP_URL=amqp://guest:guest@127.0.0.1:5682/ RABBITMQ_MANAGEMENT_URL=http://guest:guest@127.0.0.1:15682/" ;;
  postgresql17)
    # The local administrator, with the password scripts/setup.sh generated (hex: nothing to escape).
    file=${ORDERLY_STATE_DIR:-/var/tmp/orderly}/credentials/admin.json
    password=$(sed -n 's/.*"password": *"\([^"]*\)".*/\1/p' "$file" 2>/dev/null || true)
    [[ -n $password ]] || { echo "no local administrator in $file: run scripts/setup.sh --for-tests" >&2; exit 1; }
    echo "DATABASE_URL=postgres://orderly:$password@127.0.0.1:5442/orderly" ;;
  *) echo "usage: $0 rabbitmq4|postgresql17" >&2; exit 2 ;;
esac
