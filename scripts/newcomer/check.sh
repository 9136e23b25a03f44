#!/usr/bin/env bash
# The newcomer check: the README's two steps on a fresh Debian 13, as someone new would take them.
# A `debootstrap --variant=minbase trixie` root with only nodejs, npm, git and ca-certificates
# (built once per machine under $ORDERLY_STATE_DIR/chroots, then reused read-only below an overlay
# that each run throws away); a clone of this repository's HEAD in it; the project's set-up run in
# it with the network (the apt mirror and the npm registry, nothing else); then, in a network
# namespace of its own with only `lo` — so it neither touches this machine's servers nor reaches the
# internet — `npm start`, one order placed with a token as the README shows, followed to DELIVERED,
# and Ctrl-C. Twice: on a fresh machine, and on one where Debian's own PostgreSQL and RabbitMQ were
# started by the packages' installation, as systemd does. Finally the clone must be as committed
# (npm's install left package-lock.json alone). Exits non-zero on any failure.
# Needs root (or sudo), debootstrap (installed when missing) and the Debian mirror.
# Usage: scripts/newcomer/check.sh [fresh|systemd|moved]...   (default: fresh systemd)
#   moved: the project's cluster found on 5432, where the set-up ran it before (scripts/newcomer/readme.sh)
#   ORDERLY_NEWCOMER_REF=<commit>: check that commit instead of HEAD
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$repo/scripts/k8s/servers/lib.sh"
step() { printf '\033[1m▸ newcomer: %s\033[0m\n' "$*"; }

# The host's own Debian mirror (its first deb.debian.org-like "…/debian" source), so the check needs
# no other egress than the machine's; ORDERLY_DEBIAN_MIRROR overrides it.
host_mirror() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -oE '(https?|ftp)://[^ ]+/debian/?( |$)' | head -1 | tr -d ' ' || true
}
mirror=${ORDERLY_DEBIAN_MIRROR:-$(host_mirror)}
mirror=${mirror:-http://deb.debian.org/debian}
base="$state/chroots/newcomer-trixie"
variants=("$@")
((${#variants[@]})) || variants=(fresh systemd)
started=$SECONDS

if ! command -v debootstrap >/dev/null; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

if [[ ! -f $base/.ready ]]; then
  step "building the Debian 13 root in $base (from $mirror)"
  as_root rm -rf "$base.tmp"
  as_root mkdir -p "$state/chroots"
  as_root debootstrap --variant=minbase trixie "$base.tmp" "$mirror" >"$base.log" 2>&1 || { tail -30 "$base.log" >&2; exit 1; }
  # A root is no machine with an init: packages installed in it start nothing (the systemd variant
  # below starts Debian's servers itself, as systemd would).
  printf '#!/bin/sh\nexit 101\n' | as_root tee "$base.tmp/usr/sbin/policy-rc.d" >/dev/null
  as_root chmod 0755 "$base.tmp/usr/sbin/policy-rc.d"
  printf '127.0.0.1\tlocalhost newcomer\n::1\tlocalhost ip6-localhost\n' | as_root tee "$base.tmp/etc/hosts" >/dev/null
  as_root cp /etc/resolv.conf "$base.tmp/etc/resolv.conf"
  # What the README asks of a machine, and nothing more (without recommends: no compiler).
  in_root "$base.tmp" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    nodejs npm git ca-certificates >/dev/null && apt-get clean' >>"$base.log" 2>&1 || { tail -30 "$base.log" >&2; exit 1; }
  as_root touch "$base.tmp/.ready"
  as_root mv "$base.tmp" "$base"
  step "root built in $((SECONDS - started))s"
fi

# Each run: an overlay on the root, a fresh clone, kept after a failure for a look (run/log).
run="$state/newcomer"
as_root rm -rf "$run/upper" "$run/work" "$run/merged"
as_root mkdir -p "$run/upper" "$run/work" "$run/merged" "$run/cache/npm" "$run/cache/apt/partial"
# The CA bundle this machine's egress needs, if it has one (the machine's business, not the project's).
ca=${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null || true)}
[[ -f $ca ]] || ca=
as_root env ORDERLY_NEWCOMER_REF="${ORDERLY_NEWCOMER_REF:-HEAD}" unshare --mount --propagation private -- bash "$here/run.sh" "$repo" "$base" "$run" "$ca" "${variants[@]}"
step "passed (${variants[*]}) in $((SECONDS - started))s"
