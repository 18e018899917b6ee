#!/usr/bin/env bash
# Side-by-side benchmarks: boxlab's engine and a real dockerd, measured in
# the same run with the same docker CLI. Prints a markdown table for
# BENCHMARKS.md. Needs root, hyperfine (apt-get install hyperfine) and
# Debian's docker.io (installed by .ci/reference-dockerd).
# Usage: bench/bench.sh [runs]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
command -v hyperfine >/dev/null || { apt-get update -qq >/dev/null; apt-get install -y -qq hyperfine >/dev/null; }

tmp=$(mktemp -d /tmp/boxlab-bench.XXXXXX)
go build -o "$tmp/boxlab" ./cmd/boxlab
ln -s boxlab "$tmp/docker-boxlab"
"$tmp/boxlab" engine --root "$tmp/root" --socket "$tmp/engine.sock" >"$tmp/engine.log" 2>&1 &
engine_pid=$!
ref=$(bash .ci/reference-dockerd start | tail -1)
cleanup() {
  DOCKER_HOST=unix://$tmp/engine.sock docker rm -f $(DOCKER_HOST=unix://$tmp/engine.sock docker ps -aq) >/dev/null 2>&1 || true
  DOCKER_HOST=$ref docker rm -f $(DOCKER_HOST=$ref docker ps -aq --filter label=boxlab-bench) >/dev/null 2>&1 || true
  kill "$engine_pid" 2>/dev/null || true
  wait "$engine_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
box=unix://$tmp/engine.sock
for _ in $(seq 1 100); do [ -S "$tmp/engine.sock" ] && break; sleep 0.1; done
sleep 0.5
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
box_rss=$(rss_kib "$engine_pid")

DOCKER_HOST=$box docker save boxlab/base | DOCKER_HOST=$ref docker load >/dev/null

median() { # hyperfine json → median ms
  python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$1"
}
time_cmd() { # name host command...
  local name=$1 host=$2; shift 2
  DOCKER_HOST=$host hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/$name.json" "$*" >/dev/null 2>&1
  median "$tmp/$name.json"
}

declare -A r
r[run_box]=$(time_cmd run_box "$box" docker run --rm boxlab/base true)
r[run_boxcli]=$(DOCKER_HOST=$box time_cmd run_boxcli "$box" "$tmp/boxlab" docker run --rm boxlab/base true)
r[run_ref]=$(time_cmd run_ref "$ref" docker run --rm boxlab/base true)

DOCKER_HOST=$box docker run -d --name bench-exec boxlab/base sleep 1000 >/dev/null
DOCKER_HOST=$ref docker run -d --label boxlab-bench --name bench-exec boxlab/base sleep 1000 >/dev/null
r[exec_box]=$(time_cmd exec_box "$box" docker exec bench-exec true)
r[exec_ref]=$(time_cmd exec_ref "$ref" docker exec bench-exec true)

for i in $(seq 1 100); do
  DOCKER_HOST=$box docker create --name "bench-ps-$i" boxlab/base true >/dev/null
  DOCKER_HOST=$ref docker create --label boxlab-bench --name "bench-ps-$i" boxlab/base true >/dev/null
done
r[ps_box]=$(time_cmd ps_box "$box" docker ps -a)
r[ps_ref]=$(time_cmd ps_ref "$ref" docker ps -a)

ref_rss=0
for p in $(pgrep -x dockerd) $(pgrep -x containerd); do ref_rss=$((ref_rss + $(rss_kib "$p"))); done

cat <<TABLE
| measurement (median of $runs) | boxlab | real Docker $(DOCKER_HOST=$ref docker version --format '{{.Server.Version}}') |
| --- | --- | --- |
| \`docker run --rm boxlab/base true\` (docker CLI v$(DOCKER_HOST=$ref docker version --format '{{.Client.Version}}')) | ${r[run_box]} ms | ${r[run_ref]} ms |
| \`boxlab docker run --rm boxlab/base true\` | ${r[run_boxcli]} ms | — |
| \`docker exec <c> true\` | ${r[exec_box]} ms | ${r[exec_ref]} ms |
| \`docker ps -a\` with 100 containers | ${r[ps_box]} ms | ${r[ps_ref]} ms |
| engine idle RSS | $((box_rss / 1024)) MiB | $((ref_rss / 1024)) MiB (dockerd + containerd) |
TABLE
