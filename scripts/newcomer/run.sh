#!/usr/bin/env bash
# scripts/newcomer/check.sh's run, as root in a private mount namespace (every mount below goes
# with it): the overlay root, the clone, the set-up with the network, then each variant of
# `npm start` in network, PID and host-name namespaces of its own.
# Usage: run.sh <repo> <base root> <run dir> <CA file or ''> <variant>...
set -euo pipefail
repo=$1 base=$2 run=$3 ca=$4
shift 4
root="$run/merged"
step() { printf '\033[1m▸ newcomer: %s\033[0m\n' "$*"; }
fail() { printf '\033[1;31m▸ newcomer: %s\033[0m\n' "$*" >&2; exit 1; }

mount -t overlay overlay -o "lowerdir=$base,upperdir=$run/upper,workdir=$run/work" "$root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
# Downloads kept between runs, so only the first run waits on the mirror and the registry.
mount --bind "$run/cache/npm" "$root/root/.npm" 2>/dev/null || { mkdir -p "$root/root/.npm" && mount --bind "$run/cache/npm" "$root/root/.npm"; }
mount --bind "$run/cache/apt" "$root/var/cache/apt/archives"
cp /etc/resolv.conf "$root/etc/resolv.conf"

# The repository as a newcomer gets it: a clone of the commit under test, nothing else.
git clone -q "$repo" "$root/srv/orderly"
git -C "$root/srv/orderly" checkout -q "$(git -C "$repo" rev-parse "${ORDERLY_NEWCOMER_REF:-HEAD}")"
git -C "$root/srv/orderly" log -1 --format='▸ newcomer: clone of %h %s'
env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb)
if [[ -n $ca ]]; then
  cp "$ca" "$root/etc/ssl/certs/machine-egress-ca.pem"
  env+=(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/machine-egress-ca.pem)
fi

step "the set-up, with the network (scripts/setup.sh --install-only: Debian packages, node dependencies)"
t=$SECONDS
chroot "$root" "${env[@]}" bash -c 'cd /srv/orderly && scripts/setup.sh --install-only' >"$run/setup.log" 2>&1 ||
  { tail -40 "$run/setup.log" >&2; fail "the set-up failed (log: $run/setup.log)"; }
step "set-up done in $((SECONDS - t))s"

for variant in "$@"; do
  step "$variant: npm start in a network namespace of its own (only lo)"
  t=$SECONDS
  # A PID namespace of its own: whatever the run leaves (servers started detached) ends with it.
  unshare --net --uts --pid --fork --mount --propagation private -- bash -c '
    ip link set lo up && hostname newcomer && mount -t proc proc "$1/proc" &&
    exec chroot "$1" "${@:3}" bash /srv/orderly/scripts/newcomer/readme.sh "$2"' \
    _ "$root" "$variant" "${env[@]}" >"$run/$variant.log" 2>&1 ||
    { tail -60 "$run/$variant.log" >&2; fail "$variant: failed (log: $run/$variant.log)"; }
  grep -ao '▸ readme: .*' "$run/$variant.log" || true
  step "$variant: passed in $((SECONDS - t))s"
done

# npm's install must leave the tree as committed (package-lock.json above all).
dirty=$(git -C "$root/srv/orderly" status --porcelain)
[[ -z $dirty ]] || fail "the clone is not as committed after the set-up and npm start:
$dirty"
step "the clone is as committed (git status is clean)"
