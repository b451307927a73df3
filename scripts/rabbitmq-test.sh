#!/usr/bin/env bash
# A private, throw-away RabbitMQ node for tests (C++ and node), loopback only.
#
#   scripts/rabbitmq-test.sh start <dir> <amqp-port> [--owner <pid>]
#                                                      start it (or restart it: same dir, same
#                                                      ports, same data) and wait until AMQP
#                                                      accepts connections; prints the URL.
#                                                      --owner: a watcher stops the node when
#                                                      that process dies (a crashed test)
#   scripts/rabbitmq-test.sh stop  <dir> [--kill]      stop the node and its epmd, and wait
#                                                      (--kill: SIGKILL, no graceful shutdown)
#   scripts/rabbitmq-test.sh status <dir>              exit 0 when the node is running
#
# Everything lives under <dir>: data (mnesia), logs, HOME (Erlang cookie), config, PID files.
# Ports derive from <amqp-port> so several instances can run side by side:
#   AMQP <port>, epmd <port>+1000, Erlang distribution <port>+2000.
# The node is parleytest<port>@localhost, the management plugin is off, the default guest user
# (loopback only) is the only user: the URL is amqp://guest:guest@127.0.0.1:<port>/.
#
# Optional, read by start (all unset: the node above, nothing else; benchmarks use them):
#   RABBITMQ_TEST_WEB_STOMP_PORT=<port>  also enable rabbitmq_web_stomp (STOMP over WebSocket,
#                                        ws://127.0.0.1:<port>/ws) on that loopback port; the
#                                        plain STOMP TCP listener stays off; start also waits
#                                        until <port> accepts connections
#   RABBITMQ_TEST_DEFINITIONS=<file>     import this definitions JSON at boot (exchanges, ...)
#   RABBITMQ_TEST_EXTRA_CONF=<lines>     appended to the generated rabbitmq.conf
#   RABBITMQ_TEST_ERL_ARGS=<args>        extra Erlang VM flags (e.g. "+S 1:1")
# They are applied at every start, so pass them again to restart such a node.
set -euo pipefail

SELF=$(realpath "$0")

RABBITMQ_BIN=${RABBITMQ_BIN:-/usr/lib/rabbitmq/bin/rabbitmq-server}
START_TIMEOUT=${RABBITMQ_TEST_START_TIMEOUT:-60}
STOP_TIMEOUT=${RABBITMQ_TEST_STOP_TIMEOUT:-20}
WEB_STOMP_PORT=${RABBITMQ_TEST_WEB_STOMP_PORT:-}
DEFINITIONS=${RABBITMQ_TEST_DEFINITIONS:-}
EXTRA_CONF=${RABBITMQ_TEST_EXTRA_CONF:-}
EXTRA_ERL_ARGS=${RABBITMQ_TEST_ERL_ARGS:-}

usage() {
  echo "usage: $0 start <dir> <amqp-port> [--owner <pid>] | stop <dir> [--kill] | status <dir>" >&2
  exit 2
}

die() {
  echo "rabbitmq-test: $*" >&2
  exit 1
}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

read_pid() { [ -f "$1" ] && cat "$1" || true; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sends SIGTERM (or SIGKILL), waits up to STOP_TIMEOUT, then SIGKILLs what is left.
kill_and_wait() {
  local pid=$1 signal=$2
  alive "$pid" || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while alive "$pid"; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 5))
      while alive "$pid" && ((SECONDS < deadline)); do sleep 0.05; done
      break
    fi
    sleep 0.05
  done
}

cmd_stop() {
  local dir=$1 signal=TERM
  [ "${2:-}" = "--kill" ] && signal=KILL
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  [ -n "${RABBITMQ_TEST_WATCHER:-}" ] || kill_and_wait "$(read_pid "$dir/watch.pid")" KILL
  # The broker (beam) first, so it does not see epmd vanish; then the wrapper shell, then epmd.
  kill_and_wait "$(read_pid "$dir/beam.pid")" "$signal"
  kill_and_wait "$(read_pid "$dir/server.pid")" KILL
  kill_and_wait "$(read_pid "$dir/epmd.pid")" KILL
  rm -f "$dir/beam.pid" "$dir/server.pid" "$dir/epmd.pid" "$dir/watch.pid"
  local port
  port=$(cat "$dir/port" 2>/dev/null || true)
  if [ -n "$port" ]; then
    local deadline=$((SECONDS + 5))
    while port_open "$port" && ((SECONDS < deadline)); do sleep 0.05; done
  fi
}

cmd_status() {
  local dir=$1
  alive "$(read_pid "$dir/beam.pid")" && port_open "$(cat "$dir/port")"
}

cmd_start() {
  local dir=$1 port=$2 owner=${3:-}
  [ -z "$owner" ] || [[ "$owner" =~ ^[0-9]+$ ]] || die "--owner needs a PID, got '$owner'"
  [[ "$port" =~ ^[0-9]+$ ]] && ((port >= 1024 && port + 2000 <= 65535)) ||
    die "amqp-port must be a number in 1024..63535 (epmd and distribution use +1000 and +2000), got '$port'"
  [ -x "$RABBITMQ_BIN" ] || die "$RABBITMQ_BIN not found: install rabbitmq-server (scripts/deps.sh)"
  if [ -n "$WEB_STOMP_PORT" ]; then
    [[ "$WEB_STOMP_PORT" =~ ^[0-9]+$ ]] && ((WEB_STOMP_PORT >= 1024 && WEB_STOMP_PORT <= 65535)) ||
      die "RABBITMQ_TEST_WEB_STOMP_PORT must be a port number in 1024..65535, got '$WEB_STOMP_PORT'"
    ((WEB_STOMP_PORT != port && WEB_STOMP_PORT != port + 1000 && WEB_STOMP_PORT != port + 2000)) ||
      die "RABBITMQ_TEST_WEB_STOMP_PORT $WEB_STOMP_PORT collides with the AMQP, epmd or distribution port"
  fi
  if [ -n "$DEFINITIONS" ]; then
    [ -f "$DEFINITIONS" ] || die "RABBITMQ_TEST_DEFINITIONS: no such file: $DEFINITIONS"
    DEFINITIONS=$(realpath "$DEFINITIONS")
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if alive "$(read_pid "$dir/beam.pid")"; then
    die "already running in $dir (pid $(cat "$dir/beam.pid")); stop it first"
  fi
  cmd_stop "$dir"  # leftovers of a crashed run (epmd, wrapper)
  local epmd_port=$((port + 1000)) dist_port=$((port + 2000))
  for p in "$port" "$epmd_port" "$dist_port" $WEB_STOMP_PORT; do
    port_open "$p" && die "port $p is already in use"
  done

  mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
  echo "$port" >"$dir/port"
  echo '[].' >"$dir/enabled_plugins"
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$port
loopback_users.guest = true
EOF
  if [ -n "$WEB_STOMP_PORT" ]; then
    echo '[rabbitmq_web_stomp].' >"$dir/enabled_plugins"
    cat >>"$dir/rabbitmq.conf" <<EOF
stomp.listeners.tcp = none
web_stomp.tcp.ip = 127.0.0.1
web_stomp.tcp.port = $WEB_STOMP_PORT
EOF
  fi
  if [ -n "$DEFINITIONS" ]; then
    cat >>"$dir/rabbitmq.conf" <<EOF
definitions.import_backend = local_filesystem
definitions.local.path = $DEFINITIONS
EOF
  fi
  [ -z "$EXTRA_CONF" ] || printf '%s\n' "$EXTRA_CONF" >>"$dir/rabbitmq.conf"
  : >"$dir/rabbitmq-env.conf"

  export HOME="$dir/home"
  export ERL_EPMD_PORT=$epmd_port ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_NODENAME="parleytest$port@localhost" RABBITMQ_USE_LONGNAME=false
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$port
  export RABBITMQ_DIST_PORT=$dist_port
  export RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_LOGS="$dir/log/rabbit.log"
  export RABBITMQ_PID_FILE="$dir/beam.pid"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_PLUGINS_EXPAND_DIR="$dir/plugins-expand"
  # Erlang distribution on loopback only.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  [ -z "$EXTRA_ERL_ARGS" ] ||
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="$RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS $EXTRA_ERL_ARGS"

  # Our own epmd (foreground, so its PID is known); the node registers with it.
  setsid epmd -port "$epmd_port" -address 127.0.0.1 </dev/null >>"$dir/log/epmd.log" 2>&1 &
  echo $! >"$dir/epmd.pid"
  local deadline=$((SECONDS + 10))
  until port_open "$epmd_port"; do
    alive "$(cat "$dir/epmd.pid")" || die "epmd exited; see $dir/log/epmd.log"
    ((SECONDS < deadline)) || die "epmd did not listen on $epmd_port"
    sleep 0.05
  done

  rm -f "$dir/beam.pid"
  setsid "$RABBITMQ_BIN" </dev/null >>"$dir/log/stdout.log" 2>&1 &
  echo $! >"$dir/server.pid"

  deadline=$((SECONDS + START_TIMEOUT))
  until [ -s "$dir/beam.pid" ] && port_open "$port"; do
    if ! alive "$(cat "$dir/server.pid")"; then
      tail -n 20 "$dir/log/stdout.log" >&2 || true
      cmd_stop "$dir"
      die "rabbitmq-server exited during startup; logs in $dir/log"
    fi
    if ((SECONDS >= deadline)); then
      cmd_stop "$dir" --kill
      die "rabbitmq-server did not accept AMQP on $port within ${START_TIMEOUT}s; logs in $dir/log"
    fi
    sleep 0.1
  done
  if [ -n "$WEB_STOMP_PORT" ]; then
    until port_open "$WEB_STOMP_PORT"; do
      if ! alive "$(read_pid "$dir/beam.pid")" || ((SECONDS >= deadline)); then
        cmd_stop "$dir" --kill
        die "rabbitmq_web_stomp did not listen on $WEB_STOMP_PORT within ${START_TIMEOUT}s; logs in $dir/log"
      fi
      sleep 0.1
    done
  fi
  if [ -n "$owner" ]; then
    # Stops the node once the owner is gone (or the node was stopped: beam.pid removed).
    RABBITMQ_TEST_WATCHER=1 setsid bash -c \
      'while kill -0 "$1" 2>/dev/null && [ -e "$2/beam.pid" ]; do sleep 0.5; done
       [ -e "$2/beam.pid" ] && "$3" stop "$2"' \
      watcher "$owner" "$dir" "$SELF" </dev/null >>"$dir/log/watcher.log" 2>&1 &
    echo $! >"$dir/watch.pid"
  fi
  echo "amqp://guest:guest@127.0.0.1:$port/"
}

case "${1:-}" in
  start)
    if (($# == 5)) && [ "$4" = "--owner" ]; then
      cmd_start "$2" "$3" "$5"
    else
      (($# == 3)) || usage
      cmd_start "$2" "$3"
    fi
    ;;
  stop) (($# >= 2 && $# <= 3)) || usage; cmd_stop "$2" "${3:-}" ;;
  status) (($# == 2)) || usage; cmd_status "$2" ;;
  *) usage ;;
esac
