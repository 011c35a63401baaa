#!/usr/bin/env bash
# What `npm test` needs beyond Node.js, checked before any test runs, so that a
# fresh machine never ends with a suite failing halfway:
#
#   Java 17..23     the local Kafka and Elasticsearch (scripts/stack.sh)
#   maven, unzip, curl, setpriv   fetching and starting them
#   rsyslog, rsyslog-kafka, logger   the rsyslog end-to-end test
#   python3 with venv   the schemathesis API fuzz test
#
# As root (a CI runner, a container, a fresh VM) the missing Debian packages are
# installed with apt-get; otherwise one message lists them and the script exits 1.
# SHELLWATCH_NO_INSTALL=1 only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
has() { command -v "$1" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1; }

java_ok() {
  local candidate major
  for candidate in "${JAVA_HOME:-}/bin/java" /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
    [[ -x "$candidate" ]] || continue
    major="$("$candidate" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
    [[ -n "$major" && "$major" -ge 17 && "$major" -le 23 ]] && return 0
  done
  return 1
}

java_ok || missing+=(openjdk-17-jre-headless)
for tool in mvn:maven unzip:unzip curl:curl setpriv:util-linux logger:bsdutils rsyslogd:rsyslog; do
  has "${tool%%:*}" || missing+=("${tool#*:}")
done
# rsyslog's Kafka output is a module, not a command.
compgen -G '/usr/lib/*/rsyslog/omkafka.so' >/dev/null || compgen -G '/usr/lib/rsyslog/omkafka.so' >/dev/null \
  || missing+=(rsyslog-kafka)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)

((${#missing[@]} == 0)) && exit 0

if [[ "$(id -u)" -eq 0 && -z "${SHELLWATCH_NO_INSTALL:-}" ]] && command -v apt-get >/dev/null 2>&1; then
  echo "[test prerequisites] installing: ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi

cat >&2 <<MSG
npm test needs these Debian packages before it can run (nothing was run):

  sudo apt-get install ${missing[*]}

(the local Kafka and Elasticsearch need Java 17..23, maven, unzip, curl and setpriv;
the rsyslog test needs rsyslog, rsyslog-kafka and logger; the API fuzz test needs
python3-venv). As root, npm test installs them itself.
MSG
exit 1
