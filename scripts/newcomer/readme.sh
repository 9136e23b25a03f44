#!/usr/bin/env bash
# The README's quick start, run by scripts/newcomer/check.sh inside the Debian 13 root, in a network
# namespace with only `lo`: `npm start`, a token, one order followed to DELIVERED, then Ctrl-C.
# Usage: readme.sh fresh|systemd|moved
#   systemd: first what systemd does when the packages are installed — Debian's own PostgreSQL
#            cluster `main` on 5432 and RabbitMQ with its default settings (no plugins) on 5672.
#   moved:   the project's cluster already running on 5432, as the set-up ran it before it had a
#            port of its own: the set-up moves it.
set -euo pipefail
cd /srv/orderly
say() { echo "▸ readme: $*"; }
fail() { echo "▸ readme: FAILED: $*" >&2; exit 1; }

if [[ $1 == systemd ]]; then
  # On 5432, as on a machine: installed beside this machine's own server, `main` was given 5433.
  version=$(ls /etc/postgresql)
  sed -i 's/^port = .*/port = 5432/' "/etc/postgresql/$version/main/postgresql.conf"
  pg_ctlcluster "$version" main start
  su rabbitmq -s /bin/sh -c '/usr/lib/rabbitmq/bin/rabbitmq-server -detached' >/dev/null 2>&1 || true
  for _ in $(seq 60); do rabbitmqctl -q await_startup >/dev/null 2>&1 && break; sleep 1; done
  say "Debian's servers: $(pg_lsclusters -h | awk '{print "PostgreSQL " $1 " " $2 " on " $3 " (" $4 ")"}'), RabbitMQ $(rabbitmqctl -q version)"
fi

if [[ $1 == moved ]]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
  mkdir -p /var/tmp/orderly && chown postgres: /var/tmp/orderly
  runuser -u postgres -- "$bin/initdb" -D /var/tmp/orderly/pg -U postgres --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D /var/tmp/orderly/pg -l /var/tmp/orderly/pg.log -o '-p 5432 -k /var/tmp/orderly' -w start >/dev/null
  say "the project's cluster runs on 5432"
fi

started=$SECONDS
setsid npm start >/tmp/npm-start.log 2>&1 &
npm_pid=$!
until grep -q 'Orderly is running' /tmp/npm-start.log; do
  kill -0 "$npm_pid" 2>/dev/null || { tail -40 /tmp/npm-start.log; fail "npm start exited"; }
  ((SECONDS - started < 300)) || { tail -40 /tmp/npm-start.log; fail "npm start: not running after 300 s"; }
  sleep 1
done
say "npm start: running after $((SECONDS - started)) s"
grep -aoE '(PostgreSQL|RabbitMQ) ready \([^)]*\)' /tmp/npm-start.log | sed 's/^/▸ readme: /' || true

# The README's commands, as written there.
TOKEN=$(npm run -s token -- --customer C100)
reply=$(curl -sS -i -X POST localhost:8080/orders -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"items":[{"sku":"TSHIRT-BLK-M","qty":1}]}')
grep -q '^HTTP/1.1 202' <<<"$reply" || { echo "$reply"; fail "POST /orders did not answer 202"; }
id=$(grep -o '"orderId":"[^"]*"' <<<"$reply" | cut -d'"' -f4)
say "order $id accepted (202)"
status=
for _ in $(seq 60); do
  status=$(curl -sS -H "authorization: Bearer $TOKEN" "localhost:8080/orders/$id" | grep -o '"status":"[A-Z]*"' | cut -d'"' -f4)
  [[ $status == DELIVERED ]] && break
  sleep 1
done
[[ $status == DELIVERED ]] || { tail -40 /tmp/npm-start.log; fail "order $id is $status, not DELIVERED, after 60 s"; }
say "order $id DELIVERED"

# Ctrl-C: every process stops, and npm start says so.
kill -INT -- "-$npm_pid"
for _ in $(seq 60); do kill -0 "$npm_pid" 2>/dev/null || break; sleep 1; done
! kill -0 "$npm_pid" 2>/dev/null || fail "npm start still runs 60 s after Ctrl-C"
grep -q '▸ stopped' /tmp/npm-start.log || { tail -20 /tmp/npm-start.log; fail "npm start did not stop gracefully"; }
say "stopped by Ctrl-C"
