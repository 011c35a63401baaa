#!/usr/bin/env bash
# docker-compose.yml, proven with the engine the container test uses (podman,
# through its Docker-compatible API socket, driven by Debian's docker-compose):
#
#   1. the file validates, and its Kafka's host listener is consistent: the
#      address advertised for the host listener is the published host port of
#      that listener's container port, and Shellwatch's KAFKA_BROKERS is the
#      internal listener's advertised address;
#   2. when the file's registry images (Kafka, Elasticsearch) are present or can
#      be pulled: `docker-compose up` of the whole file on free host ports, the
#      shellwatch service ready, one record produced from the host through the
#      Kafka host listener and found in Elasticsearch, then `down`;
#   3. otherwise (no registry access, as on the CI machine): says so, and brings
#      up the file's shellwatch service alone, built from the file's build
#      section, with its environment and ./rules volume, on the host network
#      against the local stack (unique topic, group and indices; `compose run`,
#      as compose refuses a published port on the host network), until
#      /health/ready answers 200 and one record produced to its topic is indexed.
#
# Run by .ci/run after `npm run container:test`, which installs podman and
# docker-compose and builds the local base image this script builds on.
# Exits non-zero with the reason on any failure; removes what it started
# (containers, network, topics, indices, the API service); never touches the
# local stack beyond its own topics and indices. Root, like the container test.
#
# Environment (all optional):
#   NODE_IMAGE                base image (default the container test's local base)
#   COMPOSE_READY_TIMEOUT     seconds to wait for /health/ready (default 180)
#   COMPOSE_PULL_ATTEMPTS     attempts per registry image (default 2)
#   COMPOSE_FORCE_OFFLINE=1   skip the pull and prove the offline part only
#   KAFKA_BROKER, ES_NODE     the local stack (default 127.0.0.1:9092, http://127.0.0.1:9200)
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_DIR"

NODE_IMAGE="${NODE_IMAGE:-localhost/shellwatch-node-base:${NODE_VERSION:-24.21.0}-bookworm}"
READY_TIMEOUT="${COMPOSE_READY_TIMEOUT:-180}"
PULL_ATTEMPTS="${COMPOSE_PULL_ATTEMPTS:-2}"
KAFKA_BROKER="${KAFKA_BROKER:-127.0.0.1:9092}"
ES_NODE="${ES_NODE:-http://127.0.0.1:9200}"
SERVICE_IMAGE="localhost/shellwatch:compose-test"

started=$SECONDS
# A deadline's SIGTERM (or ^C) must end in the clean-up with a failing status:
# without these traps bash runs the EXIT trap with the status of the last
# command that completed, often 0.
trap 'exit 143' TERM
trap 'exit 130' INT
# The clean-up's messages go to the real output even when the signal arrives
# during a command whose output is redirected to a log.
exec 3>&1 4>&2
STEP_PREFIX=compose-test
# shellcheck source=scripts/container/steps.sh
source scripts/container/steps.sh

# ------------------------------------------------------------------ 1. tools
step "tools (podman, docker-compose, python3 with yaml)"
for tool in podman docker-compose curl python3 node; do
  command -v "$tool" >/dev/null 2>&1 ||
    fail "'$tool' is missing (npm run container:test installs podman and docker-compose)"
done
python3 -c 'import yaml' 2>/dev/null || fail "python3 cannot import yaml (Debian: python3-yaml, a dependency of docker-compose)"
# shellcheck source=scripts/container/podman-env.sh
source scripts/container/podman-env.sh
storage_before="$CONTAINER_STATE_DIR/storage-containers.$$"
sw_storage_containers >"$storage_before"
podman image exists "$NODE_IMAGE" ||
  fail "base image $NODE_IMAGE is missing (npm run container:test builds it; or set NODE_IMAGE)"
info "$(podman --version), docker-compose $(docker-compose version --short 2>/dev/null), base $NODE_IMAGE"

# ------------------------------------------------------------------ 2. static checks
step "docker-compose.yml: valid, Kafka host listener consistent"
docker-compose -f docker-compose.yml config -q || fail "docker-compose.yml does not validate"
KAFKA_HOST_PORT=19092 docker-compose -f docker-compose.yml config >"$CONTAINER_STATE_DIR/compose-resolved.yml" ||
  fail "docker-compose config failed"
# Resolved with KAFKA_HOST_PORT=19092 as well as the default, so a listener that
# ignores the variable is caught.
for host_port in 9092 19092; do
  KAFKA_HOST_PORT=$host_port docker-compose -f docker-compose.yml config |
    python3 -c '
import sys, yaml
want = int(sys.argv[1])
services = yaml.safe_load(sys.stdin)["services"]
env = services["kafka"]["environment"]
def listeners(value):
    out = {}
    for item in value.split(","):
        name, address = item.split("://", 1)
        host, port = address.rsplit(":", 1)
        out[name] = (host, int(port))
    return out
bound = listeners(env["KAFKA_LISTENERS"])
advertised = listeners(env["KAFKA_ADVERTISED_LISTENERS"])
published = {}
for p in services["kafka"].get("ports", []):
    if isinstance(p, dict):
        published[int(p["target"])] = (p.get("host_ip", ""), int(p["published"]))
    else:
        parts = str(p).split("/")[0].split(":")  # "127.0.0.1:9092:9092/tcp"
        published[int(parts[-1])] = (parts[0] if len(parts) == 3 else "", int(parts[-2]))
problems = []
host_side = [n for n, (h, _) in advertised.items() if h in ("127.0.0.1", "localhost")]
if len(host_side) != 1:
    problems.append(f"expected one listener advertised on 127.0.0.1, found {host_side}")
else:
    name = host_side[0]
    container_port = bound[name][1]
    if container_port not in published:
        problems.append(f"listener {name} (container port {container_port}) is not published")
    elif published[container_port][1] != advertised[name][1]:
        problems.append(f"listener {name} advertises port {advertised[name][1]} but is published on {published[container_port][1]}")
    if advertised[name][1] != want:
        problems.append(f"KAFKA_HOST_PORT={want} but the host listener advertises {advertised[name][1]}")
brokers = services["shellwatch"]["environment"]["KAFKA_BROKERS"]
internal = env.get("KAFKA_INTER_BROKER_LISTENER_NAME")
if internal not in advertised or brokers != "%s:%d" % advertised[internal]:
    problems.append(f"shellwatch KAFKA_BROKERS={brokers} is not the internal listener {advertised.get(internal)}")
if problems:
    sys.exit("\n".join(problems))
' "$host_port" || fail "Kafka listeners in docker-compose.yml are inconsistent (KAFKA_HOST_PORT=$host_port)"
done
info "valid; the host listener advertises the published port (checked at 9092 and 19092)"
registry_images="$(python3 -c '
import sys, yaml
for name, service in yaml.safe_load(open(sys.argv[1]))["services"].items():
    if "build" not in service:
        print(service["image"])
' "$CONTAINER_STATE_DIR/compose-resolved.yml")"
info "registry images: $(paste -sd ' ' <<<"$registry_images")"

# ------------------------------------------------------------------ 3. engine API
step "podman's Docker-compatible API (podman system service)"
run_id="cc-$(date +%s)-$RANDOM"
project="swcompose${run_id//[^0-9]/}"
socket="$CONTAINER_STATE_DIR/podman-$run_id.sock"
override="$CONTAINER_STATE_DIR/compose-override-$run_id.yml"
topic="$run_id"
alerts_index="$run_id-alerts"
commands_index="$run_id-commands"
audit_index="$run_id-audit"
service_pid=""
mode=""

# Node.js + kafkajs from the repository: produce one record, find it indexed,
# delete what this run created.
helper() {
  node - "$@" <<'JS'
'use strict';
const { Kafka, logLevel } = require('kafkajs');
const [command, broker, es, topic, ...rest] = process.argv.slice(2);
const kafka = new Kafka({ brokers: [broker], clientId: 'shellwatch-compose-test', logLevel: logLevel.NOTHING, retry: { retries: 8 } });
const esJson = async (path, init = {}) => {
  const response = await fetch(es + path, { ...init, headers: { 'content-type': 'application/json' } });
  return { status: response.status, body: await response.json() };
};
const commands = {
  // The service is not ready until its input topic exists (shippers create it).
  async 'create-topic'() {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  },
  async produce() {
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    try {
      const value = JSON.stringify({
        timestamp: new Date().toISOString(), user: 'alice', host: 'web-1.example.internal',
        cwd: '/home/alice', command: 'ls -la /var/log', session_id: 's-1', seq: 0,
      });
      await producer.send({ topic, acks: -1, messages: [{ key: 'web-1', value }] });
    } finally {
      await producer.disconnect();
    }
  },
  async 'await-indexed'(index, timeoutSeconds) {
    const deadline = Date.now() + Number(timeoutSeconds) * 1000;
    for (;;) {
      await esJson(`/${index}/_refresh?ignore_unavailable=true`, { method: 'POST' }).catch(() => undefined);
      const { status, body } = await esJson(`/${index}/_count`).catch(() => ({ status: 0 }));
      if (status === 200 && body.count >= 1) return console.log(`${body.count} document(s) in ${index}`);
      if (Date.now() > deadline) throw new Error(`nothing in ${index} after ${timeoutSeconds}s`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  },
  async cleanup(...indices) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      const mine = existing.filter((t) => t === topic || t.startsWith(`${topic}.`));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    } finally {
      await admin.disconnect();
    }
    for (const index of indices) await esJson(`/${index}?ignore_unavailable=true`, { method: 'DELETE' });
  },
};
commands[command](...rest).then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
JS
}

compose() { docker-compose -p "$project" -f docker-compose.yml -f "$override" "$@"; }

finish() {
  local rc=$?
  exec 1>&3 2>&4
  set +e
  if [[ $rc -eq 143 || $rc -eq 130 ]]; then
    printf '\n[compose-test] FAILED at step %d (%s): stopped by a signal (a deadline?); cleaning up\n' \
      "$step_no" "$current_step" >&2
  fi
  if [[ -n "$mode" && -f "$override" ]]; then
    if [[ $rc -ne 0 ]]; then
      printf '[compose-test] --- last service output ---\n' >&2
      podman ps -aq --filter "label=com.docker.compose.project=$project" 2>/dev/null |
        xargs -r -n1 podman logs --tail 40 2>&1 | cut -c1-400 >&2
    fi
    compose down -v --remove-orphans -t 10 >/dev/null 2>&1
  fi
  # Whatever compose could not remove (the API gone, a half-created container).
  podman ps -aq --filter "label=com.docker.compose.project=$project" 2>/dev/null |
    xargs -r podman rm -f -t 5 >/dev/null 2>&1
  podman network rm "${project}_default" >/dev/null 2>&1
  if [[ "$mode" == offline ]]; then
    helper cleanup "$KAFKA_BROKER" "$ES_NODE" "$topic" "$alerts_index" "$commands_index" "$audit_index" >/dev/null 2>&1
  fi
  if [[ -n "$service_pid" ]]; then
    kill "$service_pid" 2>/dev/null
    wait "$service_pid" 2>/dev/null
  fi
  rm -f "$socket" "$override"
  # After the API service is gone: it runs the builds, and holds their containers.
  [[ $rc -eq 0 ]] || sw_remove_new_storage_containers "$storage_before"
  rm -f "$storage_before"
  # Logs of a passing run are of no further use; a failing run's stay for reading.
  [[ $rc -ne 0 ]] || rm -f "$CONTAINER_STATE_DIR/compose-build-$run_id.log" \
    "$CONTAINER_STATE_DIR/podman-service-$run_id.log"
}
trap finish EXIT

podman system service --time=0 "unix://$socket" >"$CONTAINER_STATE_DIR/podman-service-$run_id.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 60); do
  curl -fs --unix-socket "$socket" http://d/_ping >/dev/null 2>&1 && break
  kill -0 "$service_pid" 2>/dev/null || fail "podman system service exited: $(tail -5 "$CONTAINER_STATE_DIR/podman-service-$run_id.log")"
  sleep 0.5
done
curl -fs --unix-socket "$socket" http://d/_ping >/dev/null || fail "podman's API does not answer on $socket"
export DOCKER_HOST="unix://$socket"
# docker-compose 1.29 builds through the engine API, not BuildKit.
export COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0 COMPOSE_INTERACTIVE_NO_CLI=1
info "API on $socket (pid $service_pid), compose project $project"

# ------------------------------------------------------------------ 4. registry images
step "registry images of the file (pull, $PULL_ATTEMPTS attempts each)"
missing_images=()
if [[ "${COMPOSE_FORCE_OFFLINE:-0}" == 1 ]]; then
  missing_images=($registry_images)
  info "COMPOSE_FORCE_OFFLINE=1: not pulling"
else
  for image in $registry_images; do
    # What Docker (and podman's compatible API, which compose uses) makes of a
    # short name; the podman CLI would instead consult registries.conf.
    first="${image%%/*}"
    if [[ "$image" != */* ]]; then
      image="docker.io/library/$image"
    elif [[ "$first" != *.* && "$first" != *:* && "$first" != localhost ]]; then
      image="docker.io/$image"
    fi
    if podman image exists "$image"; then
      info "$image present"
      continue
    fi
    pulled=""
    for attempt in $(seq 1 "$PULL_ATTEMPTS"); do
      if pull_out="$(timeout 600 podman pull -q "$image" 2>&1)"; then
        pulled=1
        break
      fi
      info "pull $image failed (attempt $attempt): $(tail -1 <<<"$pull_out" | cut -c1-200)"
      ((attempt < PULL_ATTEMPTS)) && sleep $((attempt * 5))
    done
    [[ -n "$pulled" ]] && info "$image pulled" || missing_images+=("$image")
  done
fi

if ((${#missing_images[@]} == 0)); then
  # ---------------------------------------------------------------- 5. full
  mode=full
  kafka_port="$(free_port 20000-29999)" || fail "no free port for Kafka"
  es_port="$(free_port 30000-39999)" || fail "no free port for Elasticsearch"
  http_port="$(free_port 40000-49999)" || fail "no free port for Shellwatch"
  export KAFKA_HOST_PORT="$kafka_port" ES_HOST_PORT="$es_port" SHELLWATCH_HOST_PORT="$http_port" NODE_IMAGE
  step "docker-compose up: the whole file (Kafka 127.0.0.1:$kafka_port, Elasticsearch :$es_port, Shellwatch :$http_port)"
  cat >"$override" <<YAML
# Written by scripts/container/compose-test.sh: the build may fetch npm packages.
services:
  shellwatch:
    build:
      network: host
YAML
  build_log="$CONTAINER_STATE_DIR/compose-build-$run_id.log"
  compose build shellwatch >"$build_log" 2>&1 || { tail -30 "$build_log" >&2; fail "docker-compose build failed"; }
  compose up -d --no-build || fail "docker-compose up failed"
  ready_url="http://127.0.0.1:$http_port/health/ready"
  produce_broker="127.0.0.1:$kafka_port"
  produce_topic="shell.commands"
  # Through the host listener, as a shipper on the host would; the broker takes a
  # while to start, and the service is not ready before its topic exists.
  deadline=$((SECONDS + READY_TIMEOUT))
  until helper create-topic "$produce_broker" "" "$produce_topic" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "could not create $produce_topic through the host listener $produce_broker"
    sleep 3
  done
  info "topic $produce_topic created through the host listener $produce_broker"
  es_url="http://127.0.0.1:$es_port"
  indexed="shellwatch-commands"
else
  # ---------------------------------------------------------------- 5. offline
  mode=offline
  printf '\n[compose-test] LIMIT: cannot pull %s (no registry access from this machine).\n' "${missing_images[*]}"
  printf '[compose-test]        The Kafka and Elasticsearch services of docker-compose.yml are not started, so\n'
  printf '[compose-test]        their runtime (and the Kafka host listener beyond the static check above) is not\n'
  printf '[compose-test]        proven here; the shellwatch service of the file is, against the local stack.\n'
  http_port="$(free_port 3100-3899)" || fail "no free port for Shellwatch"
  step "docker-compose run --no-deps shellwatch (host network, local stack, HTTP 127.0.0.1:$http_port)"
  # Only what must differ from the file: the image tag, the host network (the
  # local stack advertises 127.0.0.1), the brokers and names of this run.
  cat >"$override" <<YAML
# Written by scripts/container/compose-test.sh for one run against the local stack.
services:
  shellwatch:
    image: $SERVICE_IMAGE
    network_mode: host
    build:
      network: host
      args:
        NODE_IMAGE: $NODE_IMAGE
    environment:
      KAFKA_BROKERS: '$KAFKA_BROKER'
      ES_NODE: '$ES_NODE'
      KAFKA_TOPIC: '$topic'
      KAFKA_GROUP_ID: '$run_id-group'
      KAFKA_DLQ_TOPIC: '$topic.dlq'
      KAFKA_ALERTS_TOPIC: '$topic.alerts'
      ES_ALERTS_INDEX: '$alerts_index'
      ES_COMMANDS_INDEX: '$commands_index'
      ES_AUDIT_INDEX: '$audit_index'
      HTTP_HOST: 127.0.0.1
      HTTP_PORT: '$http_port'
YAML
  build_log="$CONTAINER_STATE_DIR/compose-build-$run_id.log"
  t0=$SECONDS
  compose build shellwatch >"$build_log" 2>&1 || { tail -30 "$build_log" >&2; fail "docker-compose build failed (log: $build_log)"; }
  info "built $SERVICE_IMAGE from the file's build section in $((SECONDS - t0))s"
  helper create-topic "$KAFKA_BROKER" "$ES_NODE" "$topic" || fail "could not create topic $topic"
  # `run`, not `up`: the same service definition, without its published port,
  # which a host-network container cannot have (compose refuses the pair).
  compose run -d --no-deps --name "$project-shellwatch" shellwatch >/dev/null ||
    fail "docker-compose run shellwatch failed"
  ready_url="http://127.0.0.1:$http_port/health/ready"
  produce_broker="$KAFKA_BROKER"
  produce_topic="$topic"
  es_url="$ES_NODE"
  indexed="$commands_index"
fi

# ------------------------------------------------------------------ 6. ready
step "GET $ready_url (deadline ${READY_TIMEOUT}s)"
deadline=$((SECONDS + READY_TIMEOUT))
t0=$SECONDS
while :; do
  code="$(curl -s -o "$CONTAINER_STATE_DIR/compose-ready.json" -w '%{http_code}' "$ready_url" || true)"
  [[ "$code" == 200 ]] && break
  running="$(podman ps -a --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=shellwatch" --format '{{.ID}}' |
    xargs -r podman inspect --format '{{.State.Running}}' 2>/dev/null || true)"
  [[ "$running" == true ]] || fail "the shellwatch container is not running (state '${running:-none}')"
  ((SECONDS < deadline)) || fail "not ready after ${READY_TIMEOUT}s (last status ${code:-none}: $(cat "$CONTAINER_STATE_DIR/compose-ready.json" 2>/dev/null))"
  sleep 1
done
info "ready after $((SECONDS - t0))s: $(cat "$CONTAINER_STATE_DIR/compose-ready.json")"

# ------------------------------------------------------------------ 7. one record
step "produce one record to $produce_broker ($produce_topic), find it in $indexed"
helper produce "$produce_broker" "$es_url" "$produce_topic" || fail "could not produce to $produce_broker"
result="$(helper await-indexed "$produce_broker" "$es_url" "$produce_topic" "$indexed" 120 2>&1)" ||
  fail "record not indexed: $result"
info "$result"

# ------------------------------------------------------------------ 8. down
step "docker-compose down"
compose down -v --remove-orphans -t 20 >/dev/null 2>&1 || fail "docker-compose down failed"
left="$(podman ps -aq --filter "label=com.docker.compose.project=$project" | wc -l)"
[[ "$left" == 0 ]] || fail "$left container(s) of project $project left after down"
info "no container left"

printf '\n[compose-test] PASSED (%s) in %ds\n' "$mode" "$((SECONDS - started))"
if [[ "$mode" == offline ]]; then
  printf '[compose-test] LIMIT: Kafka and Elasticsearch of docker-compose.yml not run (images not pullable: %s)\n' \
    "${missing_images[*]}"
fi
