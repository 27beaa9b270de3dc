#!/usr/bin/env bash
# Entrypoint of the mq broker image (docker/Dockerfile); also runs on a host, from a checkout that was built:
#
#   MQ_CFG_BROKER_ID=1 MQ_CFG_ZOOKEEPER_CONNECT=127.0.0.1:2181 MQ_CFG_LOG_RETENTION_HOURS=72 docker/mq-entrypoint.sh
#
# Starts mq-broker with docker/server.properties (or $MQ_BASE_CONFIG) and, for every MQ_CFG_* environment
# variable, an override of the Kafka key it names: the rest of the name in lower case, with `_` for `.`, `__` for
# `-` and `___` for `_` (the Confluent images' rules): MQ_CFG_LOG_RETENTION_HOURS=72 sets log.retention.hours=72.
# Arguments are passed on to mq-broker (e.g. `--override key=value`, which wins over the environment).
# It prints each key it sets on stderr (the value of a key naming a password or a secret hidden), then execs the
# broker, which so becomes PID 1 and gets `docker stop`'s SIGTERM: a controlled shutdown.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
base="${MQ_BASE_CONFIG:-$here/server.properties}"
args=(--config "$base")
while IFS= read -r var; do
  [ -n "$var" ] || continue
  key="${var#MQ_CFG_}"
  key="${key,,}"
  key="${key//___/$'\x01'}"
  key="${key//__/-}"
  key="${key//_/.}"
  key="${key//$'\x01'/_}"
  shown="${!var}"
  case "$key" in *password* | *secret*) shown="[hidden]" ;; esac
  echo "mq-entrypoint: $key=$shown (from $var)" >&2
  args+=(--override "$key=${!var}")
done < <(compgen -e | grep '^MQ_CFG_' | sort || true)
exec node "$here/../bin/mq-broker" "${args[@]}" "$@"
