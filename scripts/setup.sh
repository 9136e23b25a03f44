#!/usr/bin/env bash
# One idempotent set-up shared by `npm start`, `npm test` and CI: installs what is missing and
# starts RabbitMQ and PostgreSQL unless AMQP_URL / DATABASE_URL point at servers that already run.
# Its PostgreSQL is a cluster of its own on a port of its own (5440): a machine's own server —
# Debian's `main` cluster, which systemd starts on 5432 as soon as `postgresql` is installed — is
# left alone. Its RabbitMQ is Debian's: one started by systemd is used as it is.
# Usage: scripts/setup.sh [--for-tests | --install-only]
#   --for-tests     also what the tests need (Chromium, the chroots of the versions the chart ships)
#   --install-only  install what is missing (Debian packages, node dependencies), start nothing
set -euo pipefail
cd "$(dirname "$0")/.."

for_tests=false install_only=false
case ${1:-} in
  --for-tests) for_tests=true ;;
  --install-only) install_only=true ;;
  '') ;;
  *) echo "usage: $0 [--for-tests | --install-only]" >&2; exit 2 ;;
esac
state=${ORDERLY_STATE_DIR:-/var/tmp/orderly}
# Also the port in the local defaults of DATABASE_URL (scripts/local/services.ts, the test helpers').
pg_port=${ORDERLY_PG_PORT:-5440}

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
# `npm ci`: exactly what package-lock.json pins, and the lock file left as committed. `npm install`
# rewrites it whenever its npm writes the lock another way (Debian 13's npm 9.2 drops the `libc`
# fields of the platform packages), leaving a newcomer's clone modified.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "installing node dependencies (npm ci, as locked)"
  # SCARF_ANALYTICS=false: a dependency's install step (@scarf/scarf) would otherwise report usage.
  SCARF_ANALYTICS=false npm ci --no-audit --no-fund --loglevel=error
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
# curl: the README's examples use it, and a fresh Debian has none.
apt_install curl
[[ -n ${AMQP_URL:-} ]] || apt_install rabbitmq-server
if [[ -z ${DATABASE_URL:-} ]] && ! compgen -G '/usr/lib/postgresql/*/bin' >/dev/null; then apt_install postgresql; fi
if $install_only; then step "installed; nothing started (--install-only)"; exit 0; fi

# --- RabbitMQ ---------------------------------------------------------------------------------
if [[ -z ${AMQP_URL:-} ]]; then
  # Not listening: a broker of Debian's package, started here with the plugins and the tuning below.
  # Listening: one started elsewhere — under systemd, by the package's installation, with default
  # settings — which is the same node (rabbit@<host>, /var/lib/rabbitmq), used as it is.
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
  # A broker started elsewhere lacks the plugins: the management API (the credentials step, the
  # tests) and the Prometheus endpoint (:15692, which npm start's Prometheus scrapes). Enabled online.
  if ! listening 15672 || ! listening 15692; then
    for _ in $(seq 10); do listening 15672 && listening 15692 && break; sleep 1; done
    listening 15672 && listening 15692 || as_root rabbitmq-plugins enable rabbitmq_management rabbitmq_prometheus >/dev/null
  fi
  for _ in $(seq 60); do listening 15672 && break; sleep 1; done
  as_root rabbitmqctl list_vhosts --quiet | grep -qx orderly || as_root rabbitmqctl add_vhost orderly >/dev/null
  as_root rabbitmqctl set_permissions -p orderly guest '.*' '.*' '.*' >/dev/null
  step "RabbitMQ ready (amqp://127.0.0.1:5672, management http://127.0.0.1:15672)"
fi

# Generated passwords (the administrator's below, the services' after it): $state/credentials,
# 0700, each file 0600, for the user who runs the stack.
as_root mkdir -p "$state/credentials"
as_root chown "$(id -u):$(id -g)" "$state/credentials"
chmod 0700 "$state/credentials"

# --- PostgreSQL -------------------------------------------------------------------------------
if [[ -z ${DATABASE_URL:-} ]]; then
  pg() { as_root runuser -u postgres -- "$@"; }
  # The cluster's own major version's binaries (a machine may gain a newer PostgreSQL later).
  if [[ -f $state/pg/PG_VERSION ]]; then pg_bin=/usr/lib/postgresql/$(cat "$state/pg/PG_VERSION")/bin
  else pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); fi
  # Ours is the cluster in $state/pg, never whatever answers on a port: when it runs, its port is
  # line 4 of its postmaster.pid.
  running_port=
  if [[ -f $state/pg/PG_VERSION ]] && pg "$pg_bin/pg_ctl" -D "$state/pg" status >/dev/null 2>&1; then
    running_port=$(as_root sed -n 4p "$state/pg/postmaster.pid")
  fi
  if [[ -n $running_port && $running_port != "$pg_port" ]]; then
    # Started on another port (5432, before the cluster had a port of its own): moved.
    step "moving the project's PostgreSQL from port $running_port to $pg_port"
    pg "$pg_bin/pg_ctl" -D "$state/pg" -m fast -w stop >/dev/null
    running_port=
  fi
  if [[ -z $running_port ]]; then
    if listening "$pg_port"; then
      echo "port $pg_port is taken by a server that is not this project's ($state/pg): free it, set ORDERLY_PG_PORT" \
        "to a free port, or set DATABASE_URL to an administrator of that server" >&2
      exit 1
    fi
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
  # The administrator `orderly` (CREATEDB, no CREATEROLE, owner of the database `orderly`), set up as
  # the cluster's superuser over its socket; the same steps on every PostgreSQL Debian ships. Its
  # password is generated once ($state/credentials/admin.json) and set on every run, which replaces
  # the well-known `orderly` of earlier set-ups; given on stdin, never on a command line.
  admin_password=$(ORDERLY_STATE_DIR=$state node --conditions=source --import tsx scripts/local/admin-credentials.ts)
  { printf '\\set password %s\n' "$admin_password"; cat scripts/local/admin.sql; } |
    pg psql -h "$state" -p "$pg_port" -U postgres -qtAX -v ON_ERROR_STOP=1 -v role=orderly -v database=orderly -f - >/dev/null
  step "PostgreSQL ready (postgres://orderly@127.0.0.1:$pg_port/orderly, password in $state/credentials/admin.json)"
fi

# --- a broker user and a database role per service ---------------------------------------------
# As on Kubernetes: each service connects as `orderly-<service>` with the chart's
# Permission and as `orderly_<service>`, owner of its schema only; passwords generated once, kept in
# $state/credentials (0700, the file 0600) for the user who runs the stack. Idempotent. On the
# local cluster the roles are created by its superuser over the socket (the administrator may not).
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
