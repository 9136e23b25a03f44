#!/usr/bin/env bash
# Downloads the upstream CRD and skaffold schemas that the k8s checks validate against, at the
# versions k8s/versions.env pins, into $ORDERLY_SCHEMAS_DIR (default: $ORDERLY_STATE_DIR/schemas,
# i.e. /var/tmp/orderly/schemas), each verified against its sha256 in k8s/schemas.sha256.
# For a clone without ../shared/schemas: run this, then
#   ORDERLY_SCHEMAS_DIR=/var/tmp/orderly/schemas npm run k8s:check   (and the ava tests).
# A file whose pinned hash is '-' (not yet recorded) is refused unless ORDERLY_SCHEMAS_RECORD=1,
# which downloads it, writes its hash into k8s/schemas.sha256 and says so: commit that after review.
# Needs curl (or wget) and internet access to raw.githubusercontent.com.
set -euo pipefail
cd "$(dirname "$0")/../.."
state=${ORDERLY_STATE_DIR:-/var/tmp/orderly}
dest=${ORDERLY_SCHEMAS_DIR:-$state/schemas}
manifest=k8s/schemas.sha256
fetch() { if command -v curl >/dev/null; then curl -fsSL --retry 3 -o "$2" "$1"; else wget -q -O "$2" "$1"; fi; }

failed=0
while read -r sum path url; do
  [[ -z $sum || $sum == \#* ]] && continue
  mkdir -p "$dest/$(dirname "$path")"
  if [[ -f $dest/$path && $sum != - ]] && echo "$sum  $dest/$path" | sha256sum -c --status; then continue; fi
  tmp=$(mktemp)
  if ! fetch "$url" "$tmp"; then echo "✗ $path: download failed ($url)" >&2; failed=1; rm -f "$tmp"; continue; fi
  got=$(sha256sum "$tmp" | cut -c1-64)
  if [[ $sum == - ]]; then
    if [[ ${ORDERLY_SCHEMAS_RECORD:-} != 1 ]]; then
      echo "✗ $path: no pinned sha256 yet (downloaded: $got); re-run with ORDERLY_SCHEMAS_RECORD=1 to record it" >&2
      failed=1; rm -f "$tmp"; continue
    fi
    sed -i "s#^- $path #$got $path #" "$manifest"
    echo "⚠ $path: recorded sha256 $got in $manifest (first fetch; review and commit)"
  elif [[ $got != "$sum" ]]; then
    echo "✗ $path: sha256 $got, expected $sum ($url)" >&2
    failed=1; rm -f "$tmp"; continue
  fi
  mv "$tmp" "$dest/$path"
  echo "✓ $path"
done <"$manifest"
((failed == 0)) || { echo "some schemas were not fetched; the checks that need them will say SKIPPED" >&2; exit 1; }
echo "schemas in $dest: ORDERLY_SCHEMAS_DIR=$dest npm run k8s:check"
