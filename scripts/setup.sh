#!/usr/bin/env bash
# One-time, idempotent set-up on a Debian 12 machine with Node 20 (run as root, or with sudo available):
# installs Java + Apache ZooKeeper from Debian's `zookeeper` package when missing, kcat and Python's confluent-kafka
# (the librdkafka clients the specs run against the Kafka-protocol listener), nftables, iproute2, util-linux and
# strace (the fault specs' simulated hosts, cut and slow links and failing writes), Debian's Chromium (the web
# console's browser specs drive it with the npm package playwright-core; no browser is downloaded) and docker-compose
# (to check docker/docker-compose.yml) and openssl (mq-cluster up --secure and the security specs make their CA and
# certificates with it) when missing, installs the npm packages (native addons included: see
# `allowScripts` in package.json; KafkaJS is a dev dependency) and compiles the TypeScript (and the console's page).
# With --bench, also the peers that `mq-bench compare` and `npm run bench` run beside mq: Redis, NATS and RabbitMQ
# from Debian's packages (their services stay off: the benchmarks start their own servers on free ports).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BENCH=false
for arg in "$@"; do
  case "$arg" in
    --bench) BENCH=true ;;
    *) echo "setup: unknown argument $arg (usage: scripts/setup.sh [--bench])" >&2; exit 2 ;;
  esac
done
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

if [ ! -f /usr/share/java/zookeeper.jar ]; then
  echo "setup: installing ZooKeeper from Debian's zookeeper package"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends zookeeper default-jre-headless >/dev/null
  # The package's own service would listen on 2181 with data in /var/lib/zookeeper; mq starts its own servers.
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now zookeeper >/dev/null 2>&1 || true; fi
fi
command -v java >/dev/null || { echo "setup: java is missing after installing zookeeper" >&2; exit 1; }

# Fault specs run brokers on simulated hosts (network namespaces, veth and a bridge: iproute2; nsenter, mount and
# fallocate: util-linux), cut links with nftables rules, slow them with tc netem (iproute2) and fail chosen writes
# with strace's syscall injection.
if ! command -v nft >/dev/null 2>&1 || ! command -v ss >/dev/null 2>&1 || ! command -v tc >/dev/null 2>&1 \
  || ! command -v strace >/dev/null 2>&1 || ! command -v nsenter >/dev/null 2>&1; then
  echo "setup: installing nftables, iproute2, util-linux and strace for the fault specs"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nftables iproute2 util-linux strace >/dev/null
fi

# Debian's own python3 (/usr/bin/python3), which the package installs confluent_kafka for, whatever else is on PATH.
if ! command -v kcat >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1; then
  echo "setup: installing kcat and python3-confluent-kafka (librdkafka) from Debian's packages"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends kcat python3-confluent-kafka >/dev/null
fi

# mq-cluster up --secure and the security specs make their CA and broker certificate with openssl.
if ! command -v openssl >/dev/null 2>&1; then
  echo "setup: installing openssl (certificates for the secured clusters)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends openssl >/dev/null
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Chromium from Debian's chromium package (the console's browser specs)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

# docker-compose (Debian's, v1): the spec that checks docker/docker-compose.yml parses it with `docker-compose config`,
# which needs no Docker engine.
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "setup: installing docker-compose from Debian's package (to check docker/docker-compose.yml)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi

if $BENCH; then
  missing=""
  [ -x /usr/bin/redis-server ] || missing="$missing redis-server"
  [ -x /usr/sbin/nats-server ] || missing="$missing nats-server"
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing="$missing rabbitmq-server"
  if [ -n "$missing" ]; then
    echo "setup: installing the benchmark peers:$missing"
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
    if command -v systemctl >/dev/null 2>&1; then
      for service in redis-server nats-server rabbitmq-server; do
        $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true
      done
    fi
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  # npm install, not npm ci: npm 11's ci refuses this lock file for the optional per-platform packages of
  # msgpackr-extract that it lists as missing, even after regenerating it; install keeps the lock unchanged.
  npm install --no-audit --no-fund --loglevel=error
fi
echo "setup: compiling TypeScript"
npm run --silent build
echo "setup: done"
