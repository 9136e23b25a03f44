#!/usr/bin/env bash
# Stops the chroot servers of scripts/k8s/servers/up.sh (the chroots stay, for the next start).
# Usage: scripts/k8s/servers/down.sh [rabbitmq4|postgresql17]...   (default: both)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
targets=("$@")
((${#targets[@]})) || targets=(rabbitmq4 postgresql17)
for t in "${targets[@]}"; do
  case $t in
    rabbitmq4)
      in_root "$state/chroots/rabbitmq4" runuser -u rabbitmq -- env HOME=/var/lib/rabbitmq RABBITMQ_NODENAME=rabbit4@localhost \
        ERL_EPMD_PORT=4379 /usr/lib/rabbitmq/bin/rabbitmqctl stop >/dev/null 2>&1 || true
      # The node's own epmd (port 4379) is left running, as the system's is.
      ;;
    postgresql17)
      in_root "$state/chroots/postgresql17" runuser -u postgres -- /usr/lib/postgresql/17/bin/pg_ctl \
        -D /var/lib/postgresql/17/orderly -m fast stop >/dev/null 2>&1 || true
      ;;
    *) echo "unknown server: $t" >&2; exit 2 ;;
  esac
done
