#!/usr/bin/env bash
# The inter-class cosine search (SimilaritySearch, issue 17 point 5) at C = 10K, 30K and 100K
# random unit vectors of D = 512 with 100 planted near pairs (10° apart): pairsWithin at 60° and
# nearest for 4,096 queries, for the PyTorch (MKL sgemm through DJL) and the plain Java search, one
# JVM per run. GFLOP/s count 2 flops per multiply-add of useful work: C²·D/2 multiply-adds for the
# pairs, Q·C·D for nearest. Each row also gives the process CPU seconds and the load average, since
# the machine may be shared. The Java search at 100K takes ~11 minutes on 2 idle cores: it runs
# only with JAVA_100K=1, otherwise its row is extrapolated from 30K (×(100/30)²) and marked so.
# Writes bench/results/duplicates.{jsonl,md}; copy the table into docs/benchmarks-report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -DskipTests -Dspotless.check.skip=true package -pl bench -am >/dev/null
CP="bench/target/facesieve-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
results=bench/results
mkdir -p "$results"
out="$results/duplicates.jsonl"
: >"$out"
for c in 10000 30000 100000; do
  for impl in pytorch java; do
    if [[ $impl == java && $c == 100000 && ${JAVA_100K:-0} != 1 ]]; then
      continue
    fi
    java -Xmx4g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
      dev.facesieve.bench.DuplicatesBenchmark "$impl" "$c" 512 100 4096 | grep '^{' | tee -a "$out"
  done
done
python3 - "$out" >"$results/duplicates.md" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| search | classes | pairs found = planted | seconds | GFLOP/s | CPU s | GFLOP per CPU s | nearest, 4,096 queries: seconds | GFLOP/s | all right | load avg |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
def row(r, note=""):
    print("| %s | %d | %s (%d) | %.1f%s | %.1f | %.1f | %.1f | %.1f%s | %.1f | %s | %.1f |" % (
        r["impl"], r["classes"], "yes" if r["planted_ok"] else "**no**", r["found"], r["seconds"], note,
        r["gflops"], r["cpu_seconds"], r["gflops"] * r["seconds"] / r["cpu_seconds"], r["nearest_seconds"], note, r["nearest_gflops"],
        "yes" if r["nearest_ok"] else "**no**", r["load_before"]))
for r in rows:
    row(r)
if not any(r["impl"] == "java" and r["classes"] == 100000 for r in rows):
    for r in rows:
        if r["impl"] == "java" and r["classes"] == 30000:
            f = (100000 / 30000)
            e = dict(r, classes=100000, seconds=r["seconds"] * f * f, cpu_seconds=r["cpu_seconds"] * f * f,
                     nearest_seconds=r["nearest_seconds"] * f)
            print("| java | 100000 | not run | %.0f (extrapolated ×(10/3)² from 30K) | %.1f | %.0f | | %.0f (×10/3) | %.1f | not run | |" % (
                e["seconds"], r["gflops"], e["cpu_seconds"], e["nearest_seconds"], r["nearest_gflops"]))
PY
cat "$results/duplicates.md"
