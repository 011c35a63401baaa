#!/usr/bin/env bash
# Sourced by the container scripts: numbered steps, one-line failures that name
# the step, and free-port helpers. The sourcing script sets STEP_PREFIX (the tag
# of its lines) and `started` (its $SECONDS at start) before it sources this.

step_no=0
current_step="start"
step() {
  step_no=$((step_no + 1))
  current_step="$*"
  printf '\n[%s] %d. %s (%ds)\n' "$STEP_PREFIX" "$step_no" "$*" "$((SECONDS - started))"
}
info() { printf '[%s]    %s\n' "$STEP_PREFIX" "$*"; }
fail() {
  printf '\n[%s] FAILED at step %d (%s): %s\n' "$STEP_PREFIX" "$step_no" "$current_step" "$*" >&2
  exit 1
}
# A command that fails outside fail() still says where the script stopped.
trap 'rc=$?; [[ $rc -ne 0 ]] && printf "[%s] FAILED at step %d (%s): command exited with %d (line %d)\n" "$STEP_PREFIX" "$step_no" "$current_step" "$rc" "$LINENO" >&2' ERR

port_open() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }
# A port of the range "LOW-HIGH" nothing listens on, or a failing status.
free_port() {
  local candidate
  for candidate in $(shuf -i "$1" -n 40); do
    port_open "127.0.0.1:$candidate" || { echo "$candidate"; return 0; }
  done
  return 1
}
