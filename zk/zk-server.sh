#!/usr/bin/env bash
# Starts and stops a standalone Apache ZooKeeper (Debian's `zookeeper` package) for mq's local clusters and specs.
#
#   zk/zk-server.sh start --port 2181 --data-dir ./data/zookeeper [--host 127.0.0.1]
#       writes <data-dir>/zoo.cfg from zk/zoo.cfg.template, starts the server in the background, waits until it
#       answers `ruok`, and writes its pid to <data-dir>/zookeeper.pid. Logs go to <data-dir>/zookeeper.log.
#   zk/zk-server.sh start ... --id N --ensemble "1=127.0.0.1:2888:3888;2181,2=127.0.0.1:2889:3889;2182,..."
#       one member of an ensemble: writes <data-dir>/myid and a server.<id> line per member (quorum port, election
#       port; client port); the ensemble serves once a majority of its members is up.
#   zk/zk-server.sh stop --data-dir ./data/zookeeper
#       stops the server whose pid is in <data-dir>/zookeeper.pid (SIGTERM, then SIGKILL after 10 s).
#   zk/zk-server.sh foreground --port P --data-dir D    runs it in the foreground (for containers).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jars="${ZOOKEEPER_JARS:-/usr/share/java}"
cmd="${1:-}"; shift || true
port=2181; data=""; host=127.0.0.1; id=""; ensemble=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --data-dir) data="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --id) id="$2"; shift 2 ;;
    --ensemble) ensemble="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "zk-server.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$data" ] || { echo "zk-server.sh: --data-dir is required" >&2; exit 2; }
mkdir -p "$data"
data="$(cd "$data" && pwd)"
pidfile="$data/zookeeper.pid"

ruok() { exec 3<>"/dev/tcp/$host/$port" && printf ruok >&3 && timeout 2 head -c 4 <&3; exec 3>&- 3<&-; }

write_cfg() {
  if [ ! -f "$jars/zookeeper.jar" ]; then
    echo "zk-server.sh: ZooKeeper is not installed ($jars/zookeeper.jar is missing). Run scripts/setup.sh, or: apt-get install -y zookeeper" >&2
    exit 1
  fi
  sed -e "s#@DATA_DIR@#$data#" -e "s#@PORT@#$port#" -e "s#@HOST@#$host#" "$here/zoo.cfg.template" > "$data/zoo.cfg"
  if [ -n "$ensemble" ]; then
    [ -n "$id" ] || { echo "zk-server.sh: --ensemble needs --id (this member's number)" >&2; exit 2; }
    echo "$id" > "$data/myid"
    IFS=',' read -ra members <<< "$ensemble"
    for m in "${members[@]}"; do echo "server.${m%%=*}=${m#*=}" >> "$data/zoo.cfg"; done
  fi
}

java_cmd() {
  echo java -Xms64m -Xmx256m -XX:+UseSerialGC -Dzookeeper.log.dir="$data" -Dzookeeper.log.file=zookeeper.log \
    -Dlog4j.configuration="file:$here/log4j.properties" -cp "$jars/zookeeper.jar:$jars/zookeeper-jute.jar:$jars/netty-all.jar:$jars/slf4j-api.jar:$jars/slf4j-log4j12.jar:$jars/log4j-1.2.jar:$jars/metrics-core.jar:$jars/snappy-java.jar" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$data/zoo.cfg"
}

case "$cmd" in
  start)
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "zk-server.sh: already running with pid $(cat "$pidfile") (data dir $data)" >&2; exit 1
    fi
    write_cfg
    # setsid: the server must not die with the terminal or the test runner's process group.
    setsid $(java_cmd) > "$data/zookeeper.out" 2>&1 < /dev/null &
    echo $! > "$pidfile"
    for _ in $(seq 1 150); do
      if [ "$(ruok 2>/dev/null || true)" = "imok" ]; then echo "zookeeper listening on $host:$port (pid $(cat "$pidfile"))"; exit 0; fi
      if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "zk-server.sh: ZooKeeper exited during start; see $data/zookeeper.out and $data/zookeeper.log:" >&2
        tail -20 "$data/zookeeper.out" >&2 || true; rm -f "$pidfile"; exit 1
      fi
      sleep 0.2
    done
    echo "zk-server.sh: ZooKeeper did not answer on $host:$port within 30 s; see $data/zookeeper.log" >&2
    exit 1 ;;
  foreground)
    write_cfg
    exec $(java_cmd) ;;
  stop)
    [ -f "$pidfile" ] || { echo "zk-server.sh: no pid file in $data; nothing to stop"; exit 0; }
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; exit 0; }; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true; rm -f "$pidfile" ;;
  *) echo "usage: zk-server.sh start|stop|foreground --data-dir DIR [--port N] [--host H]" >&2; exit 2 ;;
esac
