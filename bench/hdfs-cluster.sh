#!/usr/bin/env bash
# A real HDFS on localhost, configured the usual way: formats and starts a NameNode and one DataNode
# as separate JVMs (from Hadoop 3.4.1's jars in Maven Central; no Hadoop distribution needed),
# writes their core-site.xml and hdfs-site.xml into a conf folder, puts a synthetic RecordIO on
# HDFS, and with HADOOP_CONF_DIR pointing at that folder runs `facesieve prepare` and `facesieve
# clean` on `hdfs:///…` paths (no host:port: only the conf folder's fs.defaultFS can resolve them).
# Runs the same prepare and clean locally and checks that both kept and dropped the same faces.
# Stops every process it started, also on failure or Ctrl-C. Writes bench/results/hdfs.md
# (bench/assemble.sh puts it in docs/benchmarks.md, before bench/hdfs-notes.md).
#
#   bash bench/hdfs-cluster.sh            # ~3 min on 2 cores; picks free ports itself
#
# Environment: HDFS_CLUSTER_WORK (work folder, default $TMPDIR/facesieve-hdfs-cluster, emptied
# first), IDENTITIES / IMAGES_PER_IDENTITY (the synthetic input: 12 × 20).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
work=${HDFS_CLUSTER_WORK:-${TMPDIR:-/tmp}/facesieve-hdfs-cluster}
identities=${IDENTITIES:-12}
per_identity=${IMAGES_PER_IDENTITY:-20}
conf="$work/conf"
log() { echo "hdfs-cluster: $*" >&2; }

# --- every process this script starts, stopped on any exit ---------------------------------------
pids=()
names=()
stop_all() {
  local i pid
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "${names[i]} (pid $pid) did not stop in 10 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  pids=()
  names=()
}
trap 'stop_all' EXIT
trap 'log "interrupted"; exit 130' INT TERM

# Runs a command in the background and waits for it, so that a signal reaches the trap (and the
# trap stops the command) at once; its output goes to $work/log/<name>.log.
step() { # name, command...
  local name=$1 rc=0
  shift
  "$@" >"$work/log/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
  wait "$!" || rc=$?
  unset 'pids[-1]' 'names[-1]'
  if ((rc != 0)); then
    log "$name failed (exit $rc); last lines of $work/log/$name.log:"
    tail -30 "$work/log/$name.log" >&2
    exit 1
  fi
}

# --- FaceSieve's launcher build (never `mvn install`) and HDFS's class path --------------------
# The launcher builds with `mvn install` when its stamp is older than the sources; build with
# `package` here instead and stamp it, so the launcher finds everything built.
stamp="$here/pipeline/target/.built"
if [[ ! -f pipeline/target/facesieve.jar || ! -f "$stamp" || ! -d pipeline/target/lib ||
  -n "$(find "$here" -path "$here/.git" -prune -o \( -name '*.java' -o -name pom.xml \
    -o -path '*/src/main/resources/*' \) -newer "$stamp" -print -quit)" ]]; then
  log "building the launcher's jars (mvn package; a few minutes)"
  mvn -B -o -q -pl pipeline -am package -DskipTests -Dspotless.check.skip=true >&2 # stdout: the verdict only
  touch "$stamp"
fi
t_start=$(date +%s)
rm -rf "$work"
mkdir -p "$conf" "$work/log" "$work/name" "$work/data" "$work/tmp"
mvn -B -o -q -f bench/hdfs-cluster/pom.xml dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile="$work/hdfs.classpath" >"$work/log/classpath.log" 2>&1 ||
  { cat "$work/log/classpath.log" >&2; exit 1; }
# the conf folder first, as Hadoop's own scripts put HADOOP_CONF_DIR on the class path
hdfs_cp="$conf:$(cat "$work/hdfs.classpath")"

# --- the configuration: five free ports, everything on localhost ---------------------------------
read -r rpc_port nn_http_port dn_port dn_http_port dn_ipc_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks: s.close()')
cat >"$conf/core-site.xml" <<EOF
<?xml version="1.0"?>
<configuration>
  <property><name>fs.defaultFS</name><value>hdfs://localhost:$rpc_port</value></property>
  <property><name>hadoop.tmp.dir</name><value>$work/tmp</value></property>
</configuration>
EOF
cat >"$conf/hdfs-site.xml" <<EOF
<?xml version="1.0"?>
<configuration>
  <property><name>dfs.replication</name><value>1</value></property>
  <property><name>dfs.namenode.name.dir</name><value>file://$work/name</value></property>
  <property><name>dfs.datanode.data.dir</name><value>file://$work/data</value></property>
  <property><name>dfs.namenode.rpc-bind-host</name><value>127.0.0.1</value></property>
  <property><name>dfs.namenode.http-address</name><value>127.0.0.1:$nn_http_port</value></property>
  <property><name>dfs.datanode.address</name><value>127.0.0.1:$dn_port</value></property>
  <property><name>dfs.datanode.http.address</name><value>127.0.0.1:$dn_http_port</value></property>
  <property><name>dfs.datanode.ipc.address</name><value>127.0.0.1:$dn_ipc_port</value></property>
  <property><name>dfs.datanode.hostname</name><value>localhost</value></property>
  <!-- a fresh one-DataNode file system: leave safe mode as soon as the blocks are reported -->
  <property><name>dfs.namenode.safemode.extension</name><value>0</value></property>
</configuration>
EOF

hdfs_java=(java -Xmx512m -Dhadoop.log.dir="$work/log" -cp "$hdfs_cp")
# an array, not a function: a step then runs (and stops) the JVM itself, not a subshell holding it
fs_shell=("${hdfs_java[@]}" org.apache.hadoop.fs.FsShell)
start() { # name, main class, args...
  local name=$1 main=$2
  shift 2
  "${hdfs_java[@]}" "$main" "$@" >"$work/log/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
  log "started $name (pid $!)"
}

t0=$(date +%s)
step format "${hdfs_java[@]}" org.apache.hadoop.hdfs.server.namenode.NameNode -format -nonInteractive -force
start namenode org.apache.hadoop.hdfs.server.namenode.NameNode
start datanode org.apache.hadoop.hdfs.server.datanode.DataNode

jmx="http://127.0.0.1:$nn_http_port/jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState"
log "waiting for HDFS at localhost:$rpc_port to leave safe mode with one live DataNode"
state=""
ready() { [[ -n "$state" && $(jq -r '.beans[0] | "\(.FSState) \(.NumLiveDataNodes) \(.CapacityRemaining > 0)"' <<<"$state") == "Operational 1 true" ]]; }
for _ in $(seq 1 180); do
  state=$(curl -sf "$jmx" || true)
  ready && break
  for i in "${!pids[@]}"; do
    kill -0 "${pids[i]}" 2>/dev/null ||
      { log "${names[i]} exited; logs in $work/log"; tail -20 "$work/log/${names[i]}.log" >&2; exit 1; }
  done
  sleep 1
done
ready || { log "HDFS did not come up in 180 s; logs in $work/log"; exit 1; }
up_s=$(($(date +%s) - t0))
log "HDFS up in $up_s s: $(jq -c '.beans[0] | {FSState, NumLiveDataNodes, CapacityRemaining}' <<<"$state")"

# --- the input: a synthetic RecordIO, locally and on HDFS ----------------------------------------
export JAVA_OPTS=${JAVA_OPTS:--Xmx2g}
unset HADOOP_CONF_DIR YARN_CONF_DIR
step synth ./facesieve synth --output "$work/synth" --identities "$identities" \
  --images-per-identity "$per_identity" --close-set-noise 0.15 --open-set-noise 0.15 --corrupt 0.05 \
  --seed 21
step mkdir "${fs_shell[@]}" -mkdir -p /facesieve
step put-synth "${fs_shell[@]}" -put "$work/synth" /facesieve/synth
truth="$work/synth/truth.csv" # named both times (the one beside the input on HDFS is read too)

# --- locally: prepare, train (a tiny fast model), clean ------------------------------------------
small=(--backbone small --embedding-size 32 --epochs 2 --batch-size 16 --scale 32)
s=$(date +%s)
step local-prepare ./facesieve prepare --input "$work/synth" --truth "$truth" --output "$work/local/prepared"
local_prepare_s=$(($(date +%s) - s))
step train ./facesieve train --input "$work/local/prepared" --output "$work/model" "${small[@]}"
s=$(date +%s)
step local-clean ./facesieve clean --input "$work/local/prepared" --model "$work/model" --output "$work/local/clean"
local_clean_s=$(($(date +%s) - s))

# --- on HDFS, by hdfs:/// paths that only HADOOP_CONF_DIR's fs.defaultFS resolves -----------------
log "without HADOOP_CONF_DIR, hdfs:///facesieve/synth names no name node: prepare must fail"
if ./facesieve prepare --input hdfs:///facesieve/synth --truth "$truth" \
  --output hdfs:///facesieve/unreachable >"$work/log/prepare-without-conf.log" 2>&1; then
  log "prepare without HADOOP_CONF_DIR succeeded; is fs.defaultFS set elsewhere?"
  exit 1
fi
without_conf=$(tail -1 "$work/log/prepare-without-conf.log")
export HADOOP_CONF_DIR="$conf"
s=$(date +%s)
step hdfs-prepare ./facesieve prepare --input hdfs:///facesieve/synth --truth "$truth" \
  --output hdfs:///facesieve/prepared
hdfs_prepare_s=$(($(date +%s) - s))
s=$(date +%s)
step hdfs-clean ./facesieve clean --input hdfs:///facesieve/prepared --model "$work/model" \
  --output hdfs:///facesieve/clean
hdfs_clean_s=$(($(date +%s) - s))
# the walkthrough's one command, input and output on HDFS; then again, which must skip every stage
s=$(date +%s)
step hdfs-run ./facesieve run --input hdfs:///facesieve/synth --output hdfs:///facesieve/run "${small[@]}"
hdfs_run_s=$(($(date +%s) - s))
step hdfs-rerun ./facesieve run --input hdfs:///facesieve/synth --output hdfs:///facesieve/run "${small[@]}"
run_stages=$(grep '^stages:' "$work/log/hdfs-run.log")
rerun_stages=$(grep '^stages:' "$work/log/hdfs-rerun.log")
unset HADOOP_CONF_DIR
mkdir -p "$work/hdfs-run"
step get-run "${fs_shell[@]}" -get /facesieve/run/clean/summary.json "$work/hdfs-run"
run_counts=$(jq -c '{input, quarantined, kept, dropped}' "$work/hdfs-run/summary.json")
if [[ $run_stages != "stages: prepare ran; train ran; clean ran; report ran" ||
  $rerun_stages != "stages: prepare skipped; train skipped; clean skipped; report skipped" ]] ||
  ! jq -e '.input == .kept + .dropped + .quarantined and .kept > 0' "$work/hdfs-run/summary.json" >/dev/null; then
  log "run on HDFS: '$run_stages', then '$rerun_stages', counts $run_counts"
  run_ok=no
else
  run_ok=yes
fi
mkdir -p "$work/hdfs"
step get-clean "${fs_shell[@]}" -get /facesieve/clean /facesieve/prepared/manifest.json "$work/hdfs"
step ls-hdfs "${fs_shell[@]}" -ls -R /facesieve
ls_lines=$(grep -c '^[-d]' "$work/log/ls-hdfs.log" || true)

# --- compare the decisions ----------------------------------------------------------------------
face_ids() {
  java -cp "pipeline/target/facesieve.jar:pipeline/target/lib/*" bench/hdfs-cluster/FaceIds.java "$1" \
    2>>"$work/log/face-ids.log"
}
# the prepare's counts; every kept and dropped id; every dropped row; the clean's counts (last)
decisions() { # clean folder, prepare manifest
  jq -c '{counts, identities, images}' "$2"
  face_ids "$1"
  tail -n +2 "$1/dropped.csv" | sort
  jq -c '{input, quarantined, kept, dropped, dropped_by_reason, classes_before, classes_after}' "$1/summary.json"
}
decisions "$work/hdfs/clean" "$work/hdfs/manifest.json" >"$work/decisions-hdfs.txt"
decisions "$work/local/clean" "$work/local/prepared/manifest.json" >"$work/decisions-local.txt"
counts=$(tail -1 "$work/decisions-hdfs.txt")
kept_ids=$(grep -c '^kept ' "$work/decisions-hdfs.txt" || true)
dropped_ids=$(grep -c '^dropped ' "$work/decisions-hdfs.txt" || true)
if cmp -s "$work/decisions-hdfs.txt" "$work/decisions-local.txt" && ((kept_ids > 0)) && [[ $run_ok == yes ]]; then
  same=identical
else
  same="NOT identical"
  diff "$work/decisions-hdfs.txt" "$work/decisions-local.txt" | head -20 >&2 || true
fi
stop_all
verdict="hdfs-cluster: decisions $same on HDFS (NameNode + DataNode at localhost:$rpc_port, reached as hdfs:/// through HADOOP_CONF_DIR) and locally: $(jq -r '"\(.input) faces, \(.kept) kept, \(.dropped) dropped"' <<<"$counts") ($kept_ids kept and $dropped_ids dropped ids compared; HDFS prepare ${hdfs_prepare_s} s + clean ${hdfs_clean_s} s, local ${local_prepare_s} s + ${local_clean_s} s); run on HDFS: ${hdfs_run_s} s, rerun skipped every stage: $run_ok"

mkdir -p bench/results
cat >bench/results/hdfs.md <<EOF
## HDFS as separate processes, configured by HADOOP_CONF_DIR

\`bash bench/hdfs-cluster.sh\` ($(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores shared with other
work, load average $(cut -d' ' -f1-3 /proc/loadavg)): a NameNode
(\`org.apache.hadoop.hdfs.server.namenode.NameNode\`, formatted first) and one DataNode
(\`org.apache.hadoop.hdfs.server.datanode.DataNode\`) as separate JVMs, from Hadoop's 3.4.1 jars in
Maven Central (\`bench/hdfs-cluster/pom.xml\`), configured by a \`core-site.xml\` (\`fs.defaultFS
hdfs://localhost:<free port>\`) and an \`hdfs-site.xml\` (replication 1, free ports) in a conf
folder. A synthetic RecordIO ($identities identities × $per_identity images, seed 21) put on HDFS with
\`FsShell -put\`; then, with \`HADOOP_CONF_DIR\` set to the conf folder and paths without a name node:

    ./facesieve prepare --input hdfs:///facesieve/synth --truth synth/truth.csv --output hdfs:///facesieve/prepared
    ./facesieve clean --input hdfs:///facesieve/prepared --model model --output hdfs:///facesieve/clean

(\`model\`: \`facesieve train --backbone small --embedding-size 32 --epochs 2\` on a local prepare of
the same input), and the same \`prepare\` and \`clean\` on local folders. The same \`prepare\` without
\`HADOOP_CONF_DIR\` fails, as it must, since nothing else names the name node: \`$without_conf\`.

| where | prepare | clean |
| --- | --- | --- |
| HDFS (\`hdfs:///…\`) | ${hdfs_prepare_s} s | ${hdfs_clean_s} s |
| local folders | ${local_prepare_s} s | ${local_clean_s} s |

Decisions (the prepare's face and quarantine counts; the id of every face in \`kept/\` and
\`dropped/\`; every row of \`dropped.csv\`: id, label, identity, reason, angle; the counts in
\`summary.json\`): **$same**: $(jq -r '"\(.input) faces, \(.quarantined) quarantined, \(.kept) kept, \(.dropped) dropped"' <<<"$counts").
HDFS came up in ${up_s} s after the format; the whole script took $(($(date +%s) - t_start)) s. Each time above is one
\`./facesieve\` command, JVM start included. The model is deliberately weak; what counts is that
both runs dropped the same faces at the same angles.

Then the walkthrough's one command with input and output on HDFS, twice:

    ./facesieve run --input hdfs:///facesieve/synth --output hdfs:///facesieve/run --backbone small --embedding-size 32 --epochs 2 --batch-size 16 --scale 32

first \`$run_stages\` in ${hdfs_run_s} s (every stage's folder, the embedding store and
\`run.json\` on HDFS; \`summary.json\`: $run_counts), then \`$rerun_stages\`. Checked (input =
kept + dropped + quarantined, and the two stage lines): $run_ok.
EOF
log "wrote bench/results/hdfs.md; logs and outputs in $work ($ls_lines entries on HDFS)"
echo "$verdict"
[[ $same == identical ]]
