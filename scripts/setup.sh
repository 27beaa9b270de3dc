#!/usr/bin/env bash
# One-time, idempotent set-up on a Debian 12 machine with Node 20 (run as root, or with sudo available):
# installs Java + Apache ZooKeeper from Debian's `zookeeper` package when missing, kcat and Python's confluent-kafka
# (librdkafka clients the specs run against the Kafka-protocol listener) when missing, installs the npm packages
# (native addons included: see `allowScripts` in package.json; KafkaJS is a dev dependency) and compiles the
# TypeScript.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT_UPDATED=""
apt_install() {
  [ -n "$APT_UPDATED" ] || { $SUDO apt-get update -qq; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ ! -f /usr/share/java/zookeeper.jar ]; then
  echo "setup: installing ZooKeeper from Debian's zookeeper package"
  apt_install zookeeper default-jre-headless
  # The package's own service would listen on 2181 with data in /var/lib/zookeeper; mq starts its own servers.
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now zookeeper >/dev/null 2>&1 || true; fi
fi
command -v java >/dev/null || { echo "setup: java is missing after installing zookeeper" >&2; exit 1; }

# Debian's own python3 (/usr/bin/python3), which the package installs confluent_kafka for, whatever else is on PATH.
if ! command -v kcat >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1; then
  echo "setup: installing kcat and python3-confluent-kafka (librdkafka) from Debian's packages"
  apt_install kcat python3-confluent-kafka
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
