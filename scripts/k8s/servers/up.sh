#!/usr/bin/env bash
# Starts the servers of the versions the chart ships, each in its chroot (scripts/k8s/servers/build.sh
# builds them first when missing), beside the system's RabbitMQ 3.10 / PostgreSQL 15 and never
# touching them: own node name, ports and epmd.
#   rabbitmq4     AMQP 127.0.0.1:5682, management :15682, distribution :25682, epmd :4379, node rabbit4@localhost
#   postgresql17  127.0.0.1:5442 (user orderly, CREATEDB, the password of $ORDERLY_STATE_DIR/credentials/admin.json;
#                 cluster in the chroot)
# Idempotent: a server that already answers is not restarted (its administrator's password is set again). `scripts/k8s/servers/env.sh <name>`
# prints the AMQP_URL / RABBITMQ_MANAGEMENT_URL / DATABASE_URL that point the tests at one of them.
# Usage: scripts/k8s/servers/up.sh [rabbitmq4|postgresql17]...   (default: both)
set -euo pipefail
here=$(dirname "$0")
source "$(dirname "$0")/lib.sh"
step() { printf '\033[1m▸ %s\033[0m\n' "$*"; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

targets=("$@")
((${#targets[@]})) || targets=(rabbitmq4 postgresql17)
"$here/build.sh" "${targets[@]}"

rabbitmq4() {
  local root="$state/chroots/rabbitmq4"
  local env=(env HOME=/var/lib/rabbitmq RABBITMQ_NODENAME=rabbit4@localhost ERL_EPMD_PORT=4379 RABBITMQ_DIST_PORT=25682)
  listening 5682 && listening 15682 && return 0
  as_root tee "$root/etc/rabbitmq/rabbitmq.conf" >/dev/null <<'CONF'
listeners.tcp.default = 5682
management.tcp.port = 15682
# The tests log in as guest from 127.0.0.1, which the default loopback_users allows.
CONF
  echo '[rabbitmq_management].' | as_root tee "$root/etc/rabbitmq/enabled_plugins" >/dev/null
  if ! listening 5682; then
    step "starting RabbitMQ $(ls "$root/usr/lib/rabbitmq/lib" | sed -n 's/^rabbitmq_server-//p') in $root (amqp :5682)"
    # As in scripts/setup.sh: a raised open-file limit, and schedulers that sleep when idle.
    as_root setsid bash -c "$(declare -f in_root as_root); ulimit -n \"\$(ulimit -Hn)\"; in_root '$root' runuser -u rabbitmq -- ${env[*]} \
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='+sbwt none +sbwtdcpu none +sbwtdio none' /usr/lib/rabbitmq/bin/rabbitmq-server" \
      >"$state/rabbitmq4.log" 2>&1 </dev/null &
  fi
  for _ in $(seq 90); do listening 5682 && break; sleep 1; done
  in_root "$root" runuser -u rabbitmq -- "${env[@]}" /usr/lib/rabbitmq/bin/rabbitmqctl await_startup --timeout 120 >/dev/null
  for _ in $(seq 60); do listening 15682 && break; sleep 1; done
  listening 15682 || { echo "RabbitMQ 4 did not open :15682; see $state/rabbitmq4.log" >&2; exit 1; }
  step "RabbitMQ 4 ready (amqp://127.0.0.1:5682, http://127.0.0.1:15682)"
}

postgresql17() {
  local root="$state/chroots/postgresql17" data=/var/lib/postgresql/17/orderly
  local bin=/usr/lib/postgresql/17/bin
  listening 5442 || postgresql17_start
  # The administrator `orderly` and its database, by the same steps as the machine's cluster, with
  # the same generated password (on stdin): a cluster that still has the old `orderly` gets it too.
  local password
  password=$(cd "$here/../../.." && ORDERLY_STATE_DIR=$state node --conditions=source --import tsx scripts/local/admin-credentials.ts)
  { printf '\\set password %s\n' "$password"; cat "$here/../../local/admin.sql"; } |
    in_root "$root" runuser -u postgres -- "$bin/psql" -h /tmp -p 5442 -U postgres -qtAX -v ON_ERROR_STOP=1 \
      -v role=orderly -v database=orderly -f - >/dev/null
  step "PostgreSQL 17 ready (postgres://orderly@127.0.0.1:5442/orderly)"
}

postgresql17_start() {
  if [[ ! -f $root$data/PG_VERSION ]]; then
    step "creating a PostgreSQL 17 cluster in $root$data"
    in_root "$root" runuser -u postgres -- "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  fi
  step "starting PostgreSQL 17 in $root (:5442)"
  # As the system cluster under --for-tests: durability traded for speed.
  in_root "$root" runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w start \
    -o "-p 5442 -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
}

for t in "${targets[@]}"; do "$t"; done
