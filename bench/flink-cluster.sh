#!/usr/bin/env bash
# A real Flink 1.19 session cluster on localhost: starts a JobManager and two TaskManagers as
# separate JVMs (from the Flink runtime jars in Maven Central; no Flink distribution needed), runs
# `facesieve run` on it through the -Pcluster jar, runs the same on embedded Flink, and checks that
# both made the same kept/dropped decisions. Stops every process it started, also on failure or
# Ctrl-C. Writes bench/results/flink-cluster.md (bench/assemble.sh puts it in docs/benchmarks.md).
#
#   bash bench/flink-cluster.sh            # ~5 min on 2 cores; needs ports 8081 and 6123 free
#
# Environment: FLINK_CLUSTER_WORK (work folder, default $TMPDIR/facesieve-flink-cluster, emptied
# first), FLINK_REST_PORT (8081), IDENTITIES / IMAGES_PER_IDENTITY (the synthetic input: 12 × 20).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
work=${FLINK_CLUSTER_WORK:-${TMPDIR:-/tmp}/facesieve-flink-cluster}
rest_port=${FLINK_REST_PORT:-8081}
rpc_port=6123
identities=${IDENTITIES:-12}
per_identity=${IMAGES_PER_IDENTITY:-20}
jar="$here/pipeline/target/facesieve-cluster.jar"
master="localhost:$rest_port"
log() { echo "flink-cluster: $*" >&2; }

# --- every process this script starts, stopped on any exit ---------------------------------------
pids=()
driver_pid=""
stop_all() {
  local pid
  [[ -z "$driver_pid" ]] || pids+=("$driver_pid")
  driver_pid=""
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "process $pid did not stop in 10 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
trap 'stop_all' EXIT
trap 'log "interrupted"; exit 130' INT TERM

for port in "$rest_port" "$rpc_port"; do
  if ss -Hltn "sport = :$port" | grep -q .; then
    log "port $port is in use (another Flink?); free it or set FLINK_REST_PORT"
    exit 1
  fi
done

# --- the job's jar and the cluster's class path --------------------------------------------------
modules=(pom.xml datasets model transforms reports pipeline/pom.xml pipeline/src)
if [[ ! -f "$jar" || -n "$(find "${modules[@]}" \( -name '*.java' -o -name pom.xml \
  -o -path '*/src/main/resources/*' \) -newer "$jar" -print -quit)" ]]; then
  log "building $jar (mvn -Pcluster package; a few minutes)"
  mvn -B -o -q -Pcluster -pl pipeline -am package -DskipTests -Dspotless.check.skip=true
fi
rm -rf "$work"
mkdir -p "$work/conf" "$work/log"
mvn -B -o -q -f bench/flink-cluster/pom.xml dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile="$work/flink.classpath" >"$work/log/classpath.log" 2>&1 ||
  { cat "$work/log/classpath.log" >&2; exit 1; }
flink_cp=$(cat "$work/flink.classpath")

# What Flink's own config.yaml sets for Java 17 (env.java.default-opts.all), and the offline DJL
# that every FaceSieve JVM runs with. Flink's start scripts would read them from the config; this
# script starts the JVMs itself, so it passes them on the command line too.
jvm_opts=(-Dai.djl.offline=true -XX:+IgnoreUnrecognizedVMOptions
  --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED --add-opens=java.base/java.math=ALL-UNNAMED)

# A small cluster: two TaskManagers of one slot each, everything bound to localhost.
cat >"$work/conf/config.yaml" <<EOF
jobmanager.rpc.address: localhost
jobmanager.rpc.port: $rpc_port
jobmanager.bind-host: localhost
jobmanager.memory.process.size: 768m
taskmanager.host: localhost
taskmanager.bind-host: localhost
taskmanager.numberOfTaskSlots: 1
taskmanager.memory.process.size: 1792m
taskmanager.memory.managed.size: 128m
taskmanager.memory.network.min: 256m
taskmanager.memory.network.max: 256m
# a Beam stage is one Flink job of many blocking shuffles; each takes 512 buffers by default
taskmanager.network.sort-shuffle.min-buffers: 64
rest.address: localhost
rest.bind-address: localhost
rest.port: $rest_port
parallelism.default: 2
io.tmp.dirs: $work/tmp
blob.storage.directory: $work/tmp
web.tmpdir: $work/tmp
env.java.opts.all: ${jvm_opts[*]}
EOF
mkdir -p "$work/tmp"

# The JVM memory flags and derived memory settings Flink's start scripts would compute.
bash_java_utils() {
  java -cp "$flink_cp" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$work/conf" \
    2>>"$work/log/bash-java-utils.log" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}
start() { # name, main class, extra args...
  local name=$1 main=$2
  shift 2
  java "${jvm_opts[@]}" -Dlog.file="$work/log/$name.log" -cp "$flink_cp" "$main" \
    --configDir "$work/conf" "$@" >"$work/log/$name.log" 2>&1 &
  pids+=($!)
  log "started $name (pid $!)"
}

t0=$(date +%s)
mapfile -t jm < <(bash_java_utils GET_JM_RESOURCE_PARAMS)
read -ra jm_jvm <<<"${jm[0]}"
read -ra jm_dyn <<<"${jm[1]:-}"
jvm_opts_saved=("${jvm_opts[@]}")
jvm_opts=("${jm_jvm[@]}" "${jvm_opts_saved[@]}")
start jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "${jm_dyn[@]}"
mapfile -t tm < <(bash_java_utils GET_TM_RESOURCE_PARAMS)
read -ra tm_jvm <<<"${tm[0]}"
read -ra tm_dyn <<<"${tm[1]}"
jvm_opts=("${tm_jvm[@]}" "${jvm_opts_saved[@]}")
for i in 1 2; do
  mkdir -p "$work/tmp/tm$i"
  start "taskmanager$i" org.apache.flink.runtime.taskexecutor.TaskManagerRunner "${tm_dyn[@]}" \
    -D "io.tmp.dirs=$work/tmp/tm$i" -D "taskmanager.resource-id=localhost-tm$i"
done
jvm_opts=("${jvm_opts_saved[@]}")

log "waiting for the JobManager's REST endpoint at $master and 2 registered TaskManagers"
overview=""
for _ in $(seq 1 180); do
  overview=$(curl -sf "http://$master/overview" || true)
  [[ -n "$overview" && $(jq -r '.taskmanagers' <<<"$overview") == 2 ]] && break
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { log "process $pid exited; logs in $work/log"; tail -20 "$work"/log/*.log >&2; exit 1; }
  done
  sleep 1
done
[[ -n "$overview" && $(jq -r '.taskmanagers' <<<"$overview") == 2 ]] ||
  { log "the cluster did not come up in 180 s; logs in $work/log"; exit 1; }
up_s=$(($(date +%s) - t0))
log "cluster up in $up_s s: $(jq -c '{"flink-version", taskmanagers, "slots-total"}' <<<"$overview")"

# --- the same `facesieve run` on the cluster and on embedded Flink ---------------------------------
driver_opts=(-Xmx2g "${jvm_opts[@]}")
java "${driver_opts[@]}" -jar "$jar" synth --output "$work/synth" --identities "$identities" --images-per-identity "$per_identity" \
  --close-set-noise 0.15 --open-set-noise 0.15 --corrupt 0.05 --seed 21 >"$work/log/synth.log"
run_args=(--input "$work/synth" --backbone small --embedding-size 32 --epochs 2 --batch-size 16
  --scale 32 --parallelism 2)
timed_run() { # name, extra args...; sets run_s. In the background, so that a signal stops it too.
  local name=$1 start_s rc=0
  shift
  start_s=$(date +%s)
  java "${driver_opts[@]}" -jar "$jar" run --output "$work/$name" "${run_args[@]}" --runner flink "$@" \
    >"$work/log/run-$name.log" 2>&1 &
  driver_pid=$!
  wait "$driver_pid" || rc=$?
  driver_pid=""
  if ((rc != 0)); then
    log "facesieve run ($name) failed; last lines of $work/log/run-$name.log:"
    tail -30 "$work/log/run-$name.log" >&2
    exit 1
  fi
  run_s=$(($(date +%s) - start_s))
}
log "facesieve run on the session cluster (--flink-master $master)"
timed_run cluster --flink-master "$master"
cluster_s=$run_s
jobs_json=$(curl -sf "http://$master/jobs/overview")
finished=$(jq '[.jobs[] | select(.state == "FINISHED")] | length' <<<"$jobs_json")
job_names=$(jq -r '[.jobs | sort_by(."start-time") | .[] | "\(.name) (\(.state), \(.duration) ms, \(.tasks.total) tasks)"] | join("; ")' <<<"$jobs_json")
log "the cluster ran $finished jobs: $job_names"
[[ $finished -ge 1 ]] || { log "no job finished on the cluster"; exit 1; }
stop_all
log "cluster stopped; facesieve run on embedded Flink ([local])"
timed_run embedded
embedded_s=$run_s

# --- compare the decisions ----------------------------------------------------------------------
decisions() { # clean folder: every dropped face (id, label, identity, reason, angle), then counts
  tail -n +2 "$1/dropped.csv" | sort
  jq -c '{input, quarantined, kept, dropped, dropped_by_reason, classes_before, classes_after}' "$1/summary.json"
}
decisions "$work/cluster/clean" >"$work/decisions-cluster.txt"
decisions "$work/embedded/clean" >"$work/decisions-embedded.txt"
counts=$(tail -1 "$work/decisions-cluster.txt")
if cmp -s "$work/decisions-cluster.txt" "$work/decisions-embedded.txt"; then
  same=identical
else
  same="NOT identical"
  diff "$work/decisions-cluster.txt" "$work/decisions-embedded.txt" | head -20 >&2 || true
fi
verdict="flink-cluster: decisions $same on the session cluster ($master, JobManager + 2 TaskManagers, $finished jobs) and on embedded Flink: $(jq -r '"\(.input) faces, \(.kept) kept, \(.dropped) dropped"' <<<"$counts") (cluster run ${cluster_s} s, embedded ${embedded_s} s)"

mkdir -p bench/results
cat >bench/results/flink-cluster.md <<EOF
## A Flink session cluster on localhost

\`bash bench/flink-cluster.sh\` ($(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores shared with other
work, load average $(cut -d' ' -f1-3 /proc/loadavg)): a JobManager
(\`StandaloneSessionClusterEntrypoint\`) and two TaskManagers (\`TaskManagerRunner\`, one slot and
1.75 GB each) as separate JVMs, from the Flink $(jq -r '."flink-version"' <<<"$overview") runtime jars in Maven Central.
\`facesieve run\` on a synthetic collection ($identities identities × $per_identity images, \`--backbone small
--epochs 2 --parallelism 2\`), from \`pipeline/target/facesieve-cluster.jar\` with
\`--runner flink --flink-master $master\`, then the same on embedded Flink (\`--flink-master [local]\`).

| runner | wall | Flink jobs |
| --- | --- | --- |
| session cluster | ${cluster_s} s | $finished finished: $job_names |
| embedded Flink | ${embedded_s} s | in the driver's JVM |

Kept/dropped decisions (every row of \`dropped.csv\`: id, label, identity, reason, angle; and the
counts in \`summary.json\`, of which kept = input − quarantined − dropped):
**$same**: $(jq -r '"\(.input) faces, \(.quarantined) quarantined, \(.kept) kept, \(.dropped) dropped"' <<<"$counts").
The cluster came up in ${up_s} s; the script took $(($(date +%s) - t0)) s from the JobManager's start.
The model (a small CNN, 2 epochs) is deliberately weak, so the share dropped says nothing of
cleaning quality; what counts is that both runners dropped the same faces at the same angles. The
cluster run also pays for job submission: each stage's Flink job uploads the 484 MB job jar to
the JobManager, and each TaskManager fetches it, before a task runs.
EOF
log "wrote bench/results/flink-cluster.md; logs and outputs in $work"
echo "$verdict"
[[ $same == identical ]]
