#!/usr/bin/env bash
# Scale run (issue 7, point 2): synthetic 512-d embeddings for 10K, 30K and 100K classes × 10
# images (up to 1M records, K=3, 20% noise), head-only training with Partial FC (10% of classes a
# step, batch 512) and the cleaning decision (drop-py, 75°), one JVM per size, peak RSS by
# /usr/bin/time. Training runs STEPS steps (default 60) after k-means seeding; the full-epoch time
# is estimated from the measured time per step. Then the real Beam stage, `facesieve clean` on the
# DirectRunner, cleans the same records from the benchmark's stage inputs (prepared faces, the
# trained head, the embedding cache) in its own JVM; its drops must equal the decision core's.
# The DirectRunner holds every PCollection in memory and ran out of an 8 GB heap at 1M records,
# so from FLINK_FROM classes (default 100000) the stage runs on the embedded Flink runner
# (parallelism 2, 14 GB heap) instead. Writes bench/results/scale.{jsonl,md} and
# docs/benchmarks.md (bench/assemble.sh); rows of sizes not in SIZES are kept.
# About 40 minutes on 2 cores; BEAM_CLEAN=0 skips the Beam stage.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/facesieve-scale}
results=bench/results
steps=${STEPS:-60}
rm -rf "$work"; mkdir -p "$work" "$results"
mvn -B -q -DskipTests -Dspotless.check.skip=true install -pl bench -am >/dev/null
jars="$work/jars"; mkdir -p "$jars"
cp -r bench/target/facesieve-bench-0.1.0-SNAPSHOT.jar bench/target/lib "$jars/"
out="$results/scale.jsonl"
touch "$out"
python3 -c 'import json,sys; f=sys.argv[1]; drop={int(c) for c in sys.argv[2:]}; rows=[l for l in open(f) if json.loads(l)["classes"] not in drop]; open(f,"w").writelines(rows)' \
  "$out" ${SIZES:-10000 30000 100000}
./facesieve --version >/dev/null # build the CLI now, not inside a timed run
for c in ${SIZES:-10000 30000 100000}; do
  echo "scale: $c classes" >&2
  TORCH_CPP_LOG_LEVEL=ERROR /usr/bin/time -f "%M" -o "$work/rss.txt" java -Xmx4g \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$jars/facesieve-bench-0.1.0-SNAPSHOT.jar:$jars/lib/*" dev.facesieve.bench.ScaleBenchmark \
    --classes "$c" --steps "$steps" --work "$work/c$c" --stage-inputs "$work/s$c" |
    grep '^{' >"$work/row.json"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["peak_rss_mib"]=round(int(open(sys.argv[2]).read().split()[-1])/1024); print(json.dumps(r))' \
    "$work/row.json" "$work/rss.txt" >"$work/row2.json"
  if [[ ${BEAM_CLEAN:-1} == 1 ]]; then
    runner=(--runner direct); heap=-Xmx8g
    if (( c >= ${FLINK_FROM:-100000} )); then runner=(--runner flink --parallelism 2); heap=-Xmx14g; fi
    JAVA_OPTS=$heap TORCH_CPP_LOG_LEVEL=ERROR /usr/bin/time -f "%e %M" -o "$work/clean-time.txt" \
      ./facesieve clean "${runner[@]}" --data "$work/s$c/prepared" --model "$work/s$c/model" \
      --embeddings "$work/s$c/embeddings" --output "$work/s$c/clean" >/dev/null
    python3 - "$work/row2.json" "$work/clean-time.txt" "$work/s$c/clean/summary.json" \
      "${runner[1]}" "$heap" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r.update(beam_runner=sys.argv[4], beam_heap=sys.argv[5].replace("-Xmx", ""))
wall, rss = open(sys.argv[2]).read().split()[-2:]
s = json.load(open(sys.argv[3]))
q = s["quality_vs_truth"]
r.update(beam_clean_seconds=float(wall), beam_clean_peak_rss_mib=round(int(rss) / 1024),
         beam_clean_images_per_second=round(r["images"] / float(wall), 1),
         beam_dropped=s["dropped"], beam_precision=q["precision"], beam_recall=q["recall"])
if s["dropped"] != r["dropped"]:
    sys.exit("scale: the Beam stage dropped %d, the decision core %d" % (s["dropped"], r["dropped"]))
print(json.dumps(r))
PY
  else
    cat "$work/row2.json"
  fi | tee -a "$out" >&2
  rm -rf "$work/c$c" "$work/s$c"
done
python3 bench/scale_md.py "$out" >"$results/scale.md"
bash bench/assemble.sh
