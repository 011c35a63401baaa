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
