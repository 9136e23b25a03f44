#!/usr/bin/env bash
# Builds, once per machine, the Debian chroots that run the server versions the chart ships beside
# the system's (Debian 12: RabbitMQ 3.10, PostgreSQL 15), under $ORDERLY_STATE_DIR/chroots:
#   rabbitmq4     Debian sid:    rabbitmq-server 4.3.x (Erlang 28/29)  — the chart pins rabbitmq:4.3.6-management
#   postgresql17  Debian trixie: postgresql-17                          — the chart pins PostgreSQL 17
# Each is a `debootstrap --variant=minbase` tree with the package included; a finished tree carries
# a .ready stamp, so re-running is instant. Needs root (or sudo) and the Debian mirror. Measured on
# a 2-core Debian 12 machine: 5 min (rabbitmq4) and 6 min (postgresql17) side by side, about 6 min
# in all, most of it downloading; starting them afterwards takes seconds.
# Usage: scripts/k8s/servers/build.sh [rabbitmq4|postgresql17]...   (default: both)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mirror=${ORDERLY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
step() { printf '\033[1m▸ %s\033[0m\n' "$*"; }

if ! command -v debootstrap >/dev/null; then
  step "installing debootstrap (apt)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

build() {
  local name=$1 suite=$2 packages=$3 root="$state/chroots/$1"
  [[ -f $root/.ready ]] && return 0
  local started=$SECONDS
  step "building chroot $name (Debian $suite, $packages) in $root"
  as_root rm -rf "$root.tmp"
  as_root mkdir -p "$state/chroots"
  # sid's Release file may be past its Valid-Until on a snapshot mirror: debootstrap does not
  # check it, and nothing inside the chroot runs apt afterwards.
  as_root debootstrap --variant=minbase --include="$packages" "$suite" "$root.tmp" "$mirror" >"$state/chroots/$name.log" 2>&1 ||
    { tail -30 "$state/chroots/$name.log" >&2; exit 1; }
  # The servers resolve localhost (Erlang's node name, PostgreSQL's listen address) in the chroot.
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n' | as_root tee "$root.tmp/etc/hosts" >/dev/null
  as_root rm -rf "$root.tmp/var/cache/apt/archives/"*.deb
  as_root touch "$root.tmp/.ready"
  as_root mv "$root.tmp" "$root"
  step "chroot $name built in $((SECONDS - started))s"
}

targets=("$@")
((${#targets[@]})) || targets=(rabbitmq4 postgresql17)
# The builds wait on the mirror more than on the CPU: run them side by side.
pids=()
for t in "${targets[@]}"; do
  case $t in
    rabbitmq4) build rabbitmq4 sid rabbitmq-server & ;;
    postgresql17) build postgresql17 trixie postgresql-17 & ;;
    *) echo "unknown chroot: $t" >&2; exit 2 ;;
  esac
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
