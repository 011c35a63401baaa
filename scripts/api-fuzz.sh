#!/usr/bin/env bash
# Property-based run of the REST API from its own OpenAPI document, with
# schemathesis (PyPI, pinned, installed once into the cache): every operation
# is called with generated valid and invalid inputs, with and without the API
# key, and the run fails on any 5xx or any response that breaks the spec.
#
#   npm run api:fuzz        (needs the local stack: npm run stack:up)
#   API_FUZZ_EXAMPLES=200 npm run api:fuzz   for a longer run
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION="4.32.5"
CACHE_DIR="${SHELLWATCH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shellwatch}"
VENV="$CACHE_DIR/venv-schemathesis-$SCHEMATHESIS_VERSION"
# A port nobody holds (the kernel's pick), unless one is given: with a fixed port, two
# runs at once (two checkouts on one machine) fuzzed each other's service.
PORT="${API_FUZZ_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
EXAMPLES="${API_FUZZ_EXAMPLES:-40}"
KEY="fuzz-$(date +%s)-$RANDOM"
log() { printf '[api-fuzz] %s\n' "$*" >&2; }

if [[ ! -x "$VENV/bin/schemathesis" ]]; then
  log "installing schemathesis $SCHEMATHESIS_VERSION into $VENV (once)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

[[ -f dist/src/main.js ]] || npm run build --silent
work="$(mktemp -d)"
cp -r test/fixtures/rules/basic "$work/rules"
run_id="api-fuzz-$RANDOM"
# The topic exists, as in production, so that readiness is about the API, not a missing topic.
node -e '
  const { Kafka, logLevel } = require("kafkajs");
  const admin = new Kafka({ brokers: [process.env.KAFKA_BROKERS || "127.0.0.1:9092"], logLevel: logLevel.NOTHING }).admin();
  admin.connect().then(() => admin.createTopics({ topics: [{ topic: process.argv[1] }], waitForLeaders: true }))
    .then(() => admin.disconnect(), (e) => { console.error(e.message); process.exit(1); });
' "$run_id"
log "starting the service on 127.0.0.1:$PORT (rules in $work/rules)"
HTTP_PORT="$PORT" HTTP_HOST=127.0.0.1 API_KEY="$KEY" RULES_DIR="$work/rules" LOG_LEVEL=warn \
  KAFKA_TOPIC="$run_id" KAFKA_GROUP_ID="$run_id" KAFKA_DLQ_TOPIC="$run_id.dlq" \
  ES_ALERTS_INDEX="$run_id-alerts" ES_COMMANDS_INDEX="$run_id-commands" ES_AUDIT_INDEX="$run_id-audit" \
  node dist/src/main.js >"$work/service.log" 2>&1 &
service=$!
cleanup() { kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  kill -0 "$service" 2>/dev/null || { cat "$work/service.log" >&2; log "the service exited"; exit 1; }
  sleep 0.5
done

# Every check runs on every operation. One is widened where the API answers a
# schema-valid request with an error by design (docs/api.md, "What the OpenAPI
# document cannot say"): for the operations that write or run a rule,
# positive_data_acceptance (ST202) also expects
#   400  a rule the schema allows but the server refuses: a value of the wrong
#        type for its operator, a regex that does not compile or can backtrack
#        catastrophically, an unknown named list, a PATCH whose result is not a
#        valid rule, a PUT whose body names another id than the path, a rule
#        with more distinct regexes than one request may bring (32), a body
#        nested deeper than 64 levels;
#   412  If-Match with an ETag other than the file's current one;
#   400  for POST /rules/preview also a range whose end is not after its start, or
#        a day that does not exist (2026-02-31) in the pattern of a time.
# Everything else ST202 expects still holds there, and the check is unchanged
# on the other operations.
cat >"$work/schemathesis.toml" <<'TOML'
[[operations]]
include-name = ["POST /rules", "PUT /rules/{id}", "PATCH /rules/{id}", "DELETE /rules/{id}", "POST /rules/validate", "POST /rules/test", "POST /rules/preview"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "429", "5xx"]
TOML

log "running schemathesis ($EXAMPLES examples per operation)"
status=0
# From the temporary folder, so that schemathesis's .schemathesis/ cache stays out of the repository.
# filter_too_much is a health check of the generator, not of the API: drawing a
# free-form If-Match header plus a rule body for PUT rejects many draws.
(cd "$work" && "$VENV/bin/schemathesis" --config-file "$work/schemathesis.toml" run "http://127.0.0.1:$PORT/docs-json" \
  --checks all \
  --header "Authorization: Bearer $KEY" \
  --max-examples "$EXAMPLES" \
  --seed 20261125 \
  --request-timeout 20 \
  --suppress-health-check filter_too_much \
  --no-color) || status=$?
if ((status != 0)); then
  log "schemathesis found problems (exit $status); service log tail:"
  tail -n 40 "$work/service.log" >&2
fi
exit $status
