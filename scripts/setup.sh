#!/usr/bin/env bash
# One idempotent set-up shared by `npm start`, `npm test` and CI: installs what is missing and
# starts RabbitMQ and PostgreSQL unless AMQP_URL / DATABASE_URL point at servers that already run.
# Usage: scripts/setup.sh [--for-tests]
set -euo pipefail
cd "$(dirname "$0")/.."

for_tests=false
[[ ${1:-} == --for-tests ]] && for_tests=true
state=${ORDERLY_STATE_DIR:-/var/tmp/orderly}
pg_port=${ORDERLY_PG_PORT:-5432}

step() { printf '\033[1m▸ %s\033[0m\n' "$*"; }
as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_updated=false
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  ((${#missing[@]})) || return 0
  step "installing ${missing[*]} (apt)"
  $apt_updated || { as_root apt-get update -qq; apt_updated=true; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- node dependencies ------------------------------------------------------------------------
# `npm install` rather than `npm ci`: it installs exactly what package-lock.json pins, but unlike
# `npm ci` it tolerates optional platform packages the registry here does not carry (biome's
# builds for other systems), which `npm ci` refuses as a lock-file mismatch.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "installing node dependencies (npm install, as locked)"
  npm install --no-audit --no-fund --loglevel=error
fi

# Prometheus (Debian's): npm start runs it on :9090 over the stack with the chart's alert rules;
# promtool checks those rules, and the observability proof scrapes the stack with a real Prometheus.
if ! dpkg -s prometheus >/dev/null 2>&1; then
  apt_install prometheus
  # Under systemd the package starts a system Prometheus on :9090, where npm start runs its own:
  # installed for this project only, it is stopped and disabled.
  if [[ -d /run/systemd/system ]]; then as_root systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
fi
# Chromium (Debian's, never a browser download): the console's browser tests drive it headless.
$for_tests && apt_install chromium
# ShellCheck: the Kubernetes checks lint scripts/cluster-up, cluster-down and images with it.
$for_tests && apt_install shellcheck

# --- RabbitMQ ---------------------------------------------------------------------------------
if [[ -z ${AMQP_URL:-} ]]; then
  apt_install rabbitmq-server
  if ! listening 5672; then
    step "starting RabbitMQ"
    as_root rabbitmq-plugins enable --offline rabbitmq_management rabbitmq_prometheus >/dev/null
    # Every quorum queue holds files open, and the default soft limit of 1024 (which su's PAM
    # session resets to) wedged vhost recovery under test load: raise it to the hard limit.
    # Erlang's schedulers spin while idle by default, taking CPU the services need on a small
    # machine; +sbwt none makes them sleep instead (RabbitMQ's advice for shared hosts).
    as_root su rabbitmq -s /bin/sh -c 'ulimit -n "$(ulimit -Hn)"; RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+sbwt none +sbwtdcpu none +sbwtdio none" exec /usr/lib/rabbitmq/bin/rabbitmq-server -detached' >/dev/null 2>&1 || true
  fi
  # -detached returns before the node registers with epmd; wait for it, then for the boot to end.
  for _ in $(seq 60); do as_root rabbitmqctl ping >/dev/null 2>&1 && break; sleep 1; done
  as_root rabbitmqctl await_startup --timeout 120 >/dev/null
  for _ in $(seq 60); do listening 15672 && break; sleep 1; done
  # npm start's Prometheus scrapes the broker's own plugin (:15692); a broker started elsewhere may lack it.
  listening 15692 || as_root rabbitmq-plugins enable rabbitmq_prometheus >/dev/null
  as_root rabbitmqctl list_vhosts --quiet | grep -qx orderly || as_root rabbitmqctl add_vhost orderly >/dev/null
  as_root rabbitmqctl set_permissions -p orderly guest '.*' '.*' '.*' >/dev/null
  step "RabbitMQ ready (amqp://127.0.0.1:5672, management http://127.0.0.1:15672)"
fi

# --- PostgreSQL -------------------------------------------------------------------------------
if [[ -z ${DATABASE_URL:-} ]]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [[ -z $pg_bin ]]; then apt_install postgresql; pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); fi
  pg() { as_root runuser -u postgres -- "$@"; }
  if ! listening "$pg_port"; then
    if [[ ! -f $state/pg/PG_VERSION ]]; then
      step "creating a PostgreSQL cluster in $state/pg"
      as_root mkdir -p "$state" && as_root chown postgres: "$state"
      pg "$pg_bin/initdb" -D "$state/pg" -U postgres --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    fi
    # Durability is traded for speed only when the cluster exists for tests.
    # pg_stat_statements: `npm run bench` shows where PostgreSQL's time goes.
    tuning="-c max_connections=400 -c shared_buffers=256MB -c unix_socket_directories=$state -c shared_preload_libraries=pg_stat_statements"
    $for_tests && tuning+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    step "starting PostgreSQL on port $pg_port"
    pg "$pg_bin/pg_ctl" -D "$state/pg" -l "$state/pg.log" -o "-p $pg_port -k $state $tuning" -w start >/dev/null
  fi
  psql_admin() { pg psql -h "$state" -p "$pg_port" -U postgres -qtAX "$@"; }
  if [[ -d $state/pg ]]; then
    psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='orderly'" | grep -q 1 ||
      psql_admin -c "CREATE ROLE orderly LOGIN CREATEDB PASSWORD 'orderly'"
    psql_admin -c "SELECT 1 FROM pg_database WHERE datname='orderly'" | grep -q 1 ||
      psql_admin -c "CREATE DATABASE orderly OWNER orderly"
    # Created even when the running server lacks the preload (started before it was added): the
    # view then errors until a restart, which the bench reports instead of failing. The bench
    # resets the statistics of the database it measures, which only a superuser may by default.
    psql_admin -d orderly -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
    psql_admin -d orderly -c "GRANT EXECUTE ON FUNCTION pg_stat_statements_reset(oid, oid, bigint) TO orderly"
    # Each service runs as its own role: without pg_read_all_stats the bench sees their statements
    # only as "<insufficient privilege>".
    psql_admin -c "GRANT pg_read_all_stats TO orderly"
    # The administrator role creates each service's own role (below, scripts/local/credentials.ts),
    # and the role/grant contract test (scripts/k8s/test/database-versions.test.ts) the chart's.
    psql_admin -c "ALTER ROLE orderly CREATEROLE"
  fi
  step "PostgreSQL ready (postgres://orderly@127.0.0.1:$pg_port/orderly)"
fi

# --- a broker user and a database role per service ---------------------------------------------
# As on Kubernetes (issue 14): each service connects as `orderly-<service>` with the chart's
# Permission and as `orderly_<service>`, owner of its schema only; passwords generated once, kept in
# $state/credentials (0700, the file 0600) for the user who runs the stack. Idempotent.
as_root mkdir -p "$state/credentials"
as_root chown "$(id -u):$(id -g)" "$state/credentials"
chmod 0700 "$state/credentials"
if ! ORDERLY_STATE_DIR=$state node --conditions=source --import tsx scripts/local/credentials.ts; then
  # Servers of your own (AMQP_URL / DATABASE_URL) may not let their user create users and roles:
  # the tests do not need these, npm start does.
  [[ -n ${AMQP_URL:-}${DATABASE_URL:-} ]] || exit 1
  step "could not create the per-service credentials on your servers: npm start needs an administrator in AMQP_URL / DATABASE_URL (CREATEROLE)"
fi

# --- the versions the chart ships -----------------------------------------------------------------
# RabbitMQ 4.x (Debian sid) and PostgreSQL 17 (Debian trixie), each in a debootstrap chroot under
# $state/chroots, built once per machine (a few minutes) and started beside the servers above on
# their own ports: the broker- and database-facing contract tests run against both versions.
if $for_tests && [[ ${ORDERLY_VERSIONED_SERVERS:-1} != 0 ]]; then
  scripts/k8s/servers/up.sh
fi
