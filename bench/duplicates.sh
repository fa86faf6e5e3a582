#!/usr/bin/env bash
# Suspected-duplicate-identity search (blocked V·Vᵀ over dominant sub-centres, D=512) at 10K,
# 30K and 100K classes with 100 planted near-duplicates. Appends a dated table to
# docs/benchmarks-report.md. 100K takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -Dspotless.check.skip=true install -pl bench -am >/dev/null
CP="bench/target/facesieve-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
out=docs/benchmarks-report.md
{
  echo
  echo "### Duplicate-identity search, $(date -u +%F), $(nproc) cores, \`bash bench/duplicates.sh\`"
  echo
  echo "| classes | D | planted pairs | pairs found (≤ 60°) | seconds | GFLOP/s | heap after (MB) |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  for c in 10000 30000 100000; do
    java -Xmx4g -cp "$CP" dev.facesieve.bench.DuplicatesBenchmark "$c" 512 100 | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
print("| %d | %d | %d | %d | %.1f | %.1f | %.0f |" % (r["classes"], r["dim"], r["planted"],
      r["found"], r["seconds"], r["gflops"], r["heap_mb_after"]))'
  done
} | tee -a "$out"
