# Shared by build.sh, up.sh and down.sh: where the chroots live and how to run a command in one.
state=${ORDERLY_STATE_DIR:-/var/tmp/orderly}
as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }
# Runs a command in a chroot with /proc and /dev mounted in a private mount namespace: nothing is
# left mounted on the host, and the namespace lives as long as the server does.
in_root() {
  local root=$1
  shift
  as_root unshare --mount --propagation private -- sh -c \
    'mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" && exec chroot "$0" "$@"' "$root" "$@"
}
