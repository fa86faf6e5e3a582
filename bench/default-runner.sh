#!/usr/bin/env bash
# The default runner at scale (issue 16, point 2): `./facesieve synth` a RecordIO of N faces (20 a
# person, N/20 identities; the default noise), then `./facesieve prepare` and `./facesieve clean`
# with cached embeddings, both on the DEFAULT options (--runner auto) and the launcher's default
# heap (JAVA_OPTS unset: -Xmx8g). Per stage and size: wall time and peak RSS (/usr/bin/time), the
# runner auto chose (its console line), the 1-minute load average before and after (the machine is
# shared), and the seconds between the end of the stage's pipeline and the end of the command (what
# the driver does alone: summary, report, commit).
#
# The cached embeddings are synthetic stand-ins: bench/.../StandInEmbeddings.java writes, for the
# prepared faces, a 512-d embedding around a centre drawn from each face's true identity, a
# head-only model trained on them (k-means seeding and one step) and the embedding store keyed
# exactly as clean looks it up (the model's embedder key and the prepared data's fingerprint).
# Embedding 500K faces with the ONNX model would take about 30 minutes on 2 cores; clean with a
# store never runs the embedder, so its cost does not depend on the vectors' values, only on their
# number and size.
#
# Writes bench/results/default-runner.{jsonl,md} and docs/benchmarks.md (bench/assemble.sh); rows
# of sizes not in SIZES are kept. SIZES (default "100000 500000"), WORK (default
# /tmp/facesieve-default-runner; a finished synth-N there is reused). About 25 minutes for 100K and
# 90 for 500K on 2 loaded cores, most of it synth.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=${WORK:-/tmp/facesieve-default-runner}
results=bench/results
sizes=${SIZES:-100000 500000}
mkdir -p "$work" "$results"
out="$results/default-runner.jsonl"
touch "$out"
python3 -c 'import json,sys; f=sys.argv[1]; drop={int(c) for c in sys.argv[2:]}; rows=[l for l in open(f) if json.loads(l)["faces"] not in drop]; open(f,"w").writelines(rows)' \
  "$out" $sizes

# build now, not inside a timed run; package (not install) is all the launcher and the bench jar need
mvn -B -q -DskipTests -Dspotless.check.skip=true package -pl pipeline,bench -am >/dev/null
touch pipeline/target/.built # the launcher's "built" stamp: it would otherwise rebuild
bench_cp="$root/bench/target/facesieve-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/lib/*"
unset JAVA_OPTS

load() { cut -d' ' -f1 /proc/loadavg; }

# runs one stage command with the launcher's defaults; prints its JSON row
timed() {
  local stage=$1 n=$2 log=$3
  shift 3
  local l0 t0
  l0=$(load)
  t0=$EPOCHREALTIME
  # every console line gets the time it was printed, to find where the pipeline ended
  TORCH_CPP_LOG_LEVEL=ERROR /usr/bin/time -f "%e %M" -o "$log.time" "$@" 2>&1 |
    while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >"$log"
  python3 - "$stage" "$n" "$log" "$l0" "$(load)" "$t0" <<'PY'
import json, re, sys, datetime
stage, n, log, l0, l1, t0 = sys.argv[1:]
wall, rss = open(log + ".time").read().split()[-2:]
lines = open(log).read().splitlines()
chosen = [l.split(" ", 1)[1] for l in lines if re.search(r": runner auto: ", l)]
# the last progress line at 100%: on Flink printed when the pipeline ended
done = [float(l.split(" ", 1)[0]) - float(t0) for l in lines if " 100% " in l]
print(json.dumps({
    "faces": int(n), "stage": stage, "runner": chosen[0].split("runner auto: ", 1)[1] if chosen else "?",
    "wall_seconds": float(wall), "peak_rss_mib": round(int(rss) / 1024),
    "after_pipeline_seconds": round(float(wall) - done[-1], 1) if done else None,
    "load_before": float(l0), "load_after": float(l1),
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}))
PY
}

for n in $sizes; do
  ids=$((n / 20))
  synth="$work/synth-$n" prep="$work/prepared-$n" emb="$work/stand-in-$n" clean="$work/clean-$n"
  if [[ ! -f "$synth/.done" ]]; then
    echo "default-runner: synth $n faces ($ids identities)" >&2
    rm -rf "$synth"
    ./facesieve synth --output "$synth" --identities "$ids" --images-per-identity 20 >/dev/null
    touch "$synth/.done"
  fi
  echo "default-runner: prepare $n" >&2
  timed prepare "$n" "$work/prepare-$n.log" \
    ./facesieve prepare --input "$synth" --output "$prep" --overwrite >"$work/row-prepare.json"
  echo "default-runner: stand-in embeddings and model for $n" >&2
  rm -rf "$emb" "$clean"
  java -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$bench_cp" \
    dev.facesieve.bench.StandInEmbeddings --prepared "$prep" --out "$emb" 2>/dev/null | grep '^{' >&2
  echo "default-runner: clean $n" >&2
  timed clean "$n" "$work/clean-$n.log" \
    ./facesieve clean --data "$prep" --model "$emb/model" --embeddings "$emb/embeddings" \
    --output "$clean" >"$work/row-clean.json"
  python3 - "$work/row-prepare.json" "$work/row-clean.json" "$prep/manifest.json" "$clean/summary.json" <<'PY' | tee -a "$out" >&2
import json, sys
p, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
m, s = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
p.update(prepared=m["counts"]["prepared"], recorded_runner=m.get("runner"))
c.update(prepared=m["counts"]["prepared"], recorded_runner=s["options"]["runner"],
         faces_embedded=s.get("faces_embedded"), dropped=s["dropped"])
if c["faces_embedded"] != 0:
    sys.exit("default-runner: clean embedded %s faces; the stand-in store was not reused" % c["faces_embedded"])
print(json.dumps(p)); print(json.dumps(c))
PY
  rm -rf "$emb" "$clean" "$prep"
done
python3 bench/default_runner_md.py "$out" >"$results/default-runner.md"
bash bench/assemble.sh
