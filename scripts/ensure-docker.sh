#!/usr/bin/env bash
# Makes a working Docker engine available for the container tests, on a Debian machine that may have
# none: installs Debian's docker.io (and debootstrap, which scripts/build-base-image.sh needs) with
# apt-get, starts dockerd in the background and waits until `docker info` answers.
# Idempotent: when `docker info` already works it only makes sure debootstrap is there.
# Meant for root (as CI runs) or a user with sudo who may also use the Docker socket (docker group).
#
# Environment:
#   DOCKERD_LOG            where dockerd writes its log (default /var/log/dockerd.log)
#   DOCKERD_START_TIMEOUT  seconds to wait for the engine to answer (default 90)
#   DOCKER_RUN_DIR         where dockerd keeps its pid files (default /var/run; tests point it elsewhere)
set -euo pipefail

log() { printf 'ensure-docker: %s\n' "$*" >&2; }

dockerd_log="${DOCKERD_LOG:-/var/log/dockerd.log}"
start_timeout="${DOCKERD_START_TIMEOUT:-90}"
run_dir="${DOCKER_RUN_DIR:-/var/run}"

# apt-get and dockerd need root; CI runs as root, a developer may have sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    log "need root (or sudo) to run: $*"
    return 1
  fi
}

apt_updated=false
apt_install() {
  if [ "$apt_updated" = false ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=true
  fi
  log "apt-get install $*"
  # No recommends: the engine needs none of them and they double the download.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

engine_answers() { docker info >/dev/null 2>&1; }

if ! command -v debootstrap >/dev/null 2>&1; then
  apt_install debootstrap
fi

if engine_answers; then
  log "engine already running"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  # docker.io also brings containerd and runc; its docker CLI is used unless another is earlier on PATH.
  apt_install docker.io
fi

# Whether a pid file names a running (not zombie) process with the given command name.
pid_file_is_live() {
  local pid stat_comm
  [ -f "$1" ] || return 1
  pid="$(cat "$1" 2>/dev/null)"
  [ -n "$pid" ] || return 1
  stat_comm="$(ps -o stat=,comm= -p "$pid" 2>/dev/null)" || return 1
  case "$stat_comm" in
    Z*) return 1 ;;
    *" $2") return 0 ;;
    *) return 1 ;;
  esac
}

dockerd_running() { ps -C dockerd -o stat= 2>/dev/null | grep -qv '^Z'; }

# The package's maintainer script may already have started the engine (no systemd here, but sysvinit
# scripts can run); never start a second one.
if ! engine_answers && ! dockerd_running; then
  # An engine that was killed (e.g. when the session that started it ended) leaves pid files behind,
  # and its containerd may linger as a zombie: dockerd then waits for that containerd until it times
  # out. Stale pid files are removed so that dockerd starts a fresh containerd.
  for pid_file in "$run_dir/docker.pid:dockerd" "$run_dir/docker/containerd/containerd.pid:containerd"; do
    if [ -f "${pid_file%%:*}" ] && ! pid_file_is_live "${pid_file%%:*}" "${pid_file##*:}"; then
      log "removing stale ${pid_file%%:*}"
      as_root rm -f "${pid_file%%:*}"
    fi
  done
  log "starting dockerd (log: $dockerd_log)"
  as_root mkdir -p "$(dirname "$dockerd_log")"
  # The root shell puts the engine in the background itself and returns at once. Backgrounding here
  # instead (`as_root ... &`) would leave a subshell of this script waiting on dockerd while holding
  # this script's stdout and stderr: a caller that waits for those pipes to close (as Node's 'close'
  # event does) would then wait forever. setsid + nohup: the engine outlives this script and its
  # caller. The log redirection happens inside the root shell, so it works through sudo too.
  # --bridge=none: every build and container here uses host networking, and with no bridge (and no NAT
  # rules) a container that forgets to ask for it gets no route off the machine instead of one.
  as_root sh -c 'setsid nohup dockerd --bridge=none --iptables=false >>"$1" 2>&1 </dev/null &' \
    sh "$dockerd_log"
fi

deadline=$((SECONDS + start_timeout))
until engine_answers; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "the engine did not answer within ${start_timeout}s; last lines of $dockerd_log:"
    tail -n 30 "$dockerd_log" >&2 || true
    exit 1
  fi
  sleep 1
done
log "engine ready: $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown)"
