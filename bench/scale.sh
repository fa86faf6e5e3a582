#!/usr/bin/env bash
# Scale run (issue 7, point 2): synthetic 512-d embeddings for 10K, 30K and 100K classes × 10
# images (up to 1M records, K=3, 20% noise), head-only training with Partial FC (10% of classes a
# step, batch 512) and the cleaning decision (drop-py, 75°), one JVM per size, peak RSS by
# /usr/bin/time. Training runs STEPS steps (default 60) after k-means seeding; the full-epoch time
# is estimated from the measured time per step. Then the real Beam stage, `facesieve clean` on the
# DirectRunner, cleans the same records from the benchmark's stage inputs (prepared faces, the
# trained head, the embedding cache) in its own JVM; its drops must equal the decision core's.
# Writes bench/results/scale.{jsonl,md} and docs/benchmarks.md (bench/assemble.sh).
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
: >"$out"
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
    TORCH_CPP_LOG_LEVEL=ERROR /usr/bin/time -f "%e %M" -o "$work/clean-time.txt" ./facesieve clean \
      --data "$work/s$c/prepared" --model "$work/s$c/model" --embeddings "$work/s$c/embeddings" \
      --output "$work/s$c/clean" >/dev/null
    python3 - "$work/row2.json" "$work/clean-time.txt" "$work/s$c/clean/summary.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
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
python3 - "$out" >"$results/scale.md" <<'PY'
import datetime, json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("## Scale run: 1M records, 100K classes")
print()
print("Command: `bash bench/scale.sh` (raw rows: `bench/results/scale.jsonl`), %s, %d cores."
      % (datetime.date.today().isoformat(), os.cpu_count()))
print("Synthetic 512-d embeddings, 10 per class with one coherent close-set and one open-set")
print("noise sample each (20%%); K=3, s=64, m=0.5; Partial FC at %.0f%% of classes a step, batch %d;"
      % (rows[0]["sample_rate"] * 100, rows[0]["batch"]))
print("then the clean decision (drop-py, 75°) for every class. Embeddings live in a file, not the heap")
print("(`EmbeddingTable`); the JVM heap is capped at 4 GB; peak RSS adds libtorch's native memory.")
print()
print("| classes | images | head weight (MB) | generate (s) | train steps | s/step | epoch estimate (min) | train wall (s) | clean decision (s) | precision | recall | peak RSS (MiB) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    print("| %d | %d | %.0f | %.1f | %d of %d | %.3f | %.1f | %.1f | %.1f | %.3f | %.3f | %d |" % (
        r["classes"], r["images"], r["head_weight_mb"], r["generate_seconds"], r["train_steps"],
        r["steps_per_epoch"], r["seconds_per_step"], r["epoch_estimate_minutes"], r["train_seconds"],
        r["clean_seconds"], r["precision"], r["recall"], r["peak_rss_mib"]))
beam = [r for r in rows if "beam_clean_seconds" in r]
if beam:
    print()
    print("The Beam stage on the same records: `facesieve clean` (DirectRunner, cached embeddings,")
    print("8 GB heap) in its own JVM, reading the prepared faces, the trained head and the embedding")
    print("cache that the benchmark wrote; wall time includes JVM start, the noise report and")
    print("`summary.json`. Its drops equal the decision core's in every row (the script checks).")
    print()
    print("| classes | images | wall (s) | images/s | peak RSS (MiB) | dropped | precision | recall |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in beam:
        print("| %d | %d | %.0f | %.0f | %d | %d | %.3f | %.3f |" % (
            r["classes"], r["images"], r["beam_clean_seconds"], r["beam_clean_images_per_second"],
            r["beam_clean_peak_rss_mib"], r["beam_dropped"], r["beam_precision"], r["beam_recall"]))
PY
bash bench/assemble.sh
