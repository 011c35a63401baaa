#!/usr/bin/env bash
# Sourced by the container scripts: points podman at a containers.conf that
# works on machines without systemd or a registry (runc, cgroupfs, events in a
# file, host network) and whose default ulimits do not exceed this process's
# own hard limits (podman's defaults raise them, which fails where the root user
# lacks CAP_SYS_RESOURCE, as in some sandboxes and VMs).
# Leaves the machine's own /etc/containers alone.

CONTAINER_STATE_DIR="${SHELLWATCH_CONTAINER_DIR:-/var/tmp/shellwatch-container-$(id -u)}"
mkdir -p "$CONTAINER_STATE_DIR"

_sw_nofile="$(ulimit -Hn)"
[[ "$_sw_nofile" == unlimited || "$_sw_nofile" -gt 1048576 ]] && _sw_nofile=1048576
_sw_nproc="$(ulimit -Hu)"
[[ "$_sw_nproc" == unlimited || "$_sw_nproc" -gt 32768 ]] && _sw_nproc=32768

cat >"$CONTAINER_STATE_DIR/containers.conf" <<CONF
# Written by scripts/container/podman-env.sh
[containers]
default_ulimits = ["nofile=${_sw_nofile}:${_sw_nofile}", "nproc=${_sw_nproc}:${_sw_nproc}"]
netns = "host"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
export CONTAINERS_CONF="$CONTAINER_STATE_DIR/containers.conf"
unset _sw_nofile _sw_nproc

# A build killed half-way (a CI deadline, a signal) leaves its build containers
# ("working containers", status Storage, listed only with --external). The
# scripts note those present at start and remove, on failure, the ones that
# appeared since: their own, unless another build ran on the machine meanwhile.
sw_storage_containers() {
  podman ps -a --external --format '{{.ID}} {{.Status}}' 2>/dev/null | awk '$2 == "Storage" { print $1 }' | sort
}
sw_remove_new_storage_containers() {
  local before="$1"
  [[ -f "$before" ]] || return 0
  comm -13 "$before" <(sw_storage_containers) | xargs -r podman rm -f >/dev/null 2>&1 || true
}
