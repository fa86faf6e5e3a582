#!/usr/bin/env bash
# Assembles docs/benchmarks.md from the sections the benchmark scripts wrote under bench/results/
# (speed.sh, scale.sh, default-runner.sh, flink-cluster.sh), the notes beside them (bench/*-notes.md, e.g. embed-once-notes.md and hdfs-notes.md, measured
# by hand) and the training comparison (train.sh writes docs/benchmarks-train.md).
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo "# Benchmarks"
  echo
  echo "Every table below was written by the command it names; rerun that command to refresh it."
  echo "Cleaning quality is in [quality.md](quality.md), training on cleaned data in"
  echo "[retrain.md](retrain.md), the duplicate-identity search in"
  echo "[benchmarks-report.md](benchmarks-report.md)."
  for f in speed scale default-runner embed-once flink-cluster hdfs; do
    if [[ -f bench/results/$f.md ]]; then echo; cat "bench/results/$f.md"; fi
    if [[ -f bench/$f-notes.md ]]; then echo; cat "bench/$f-notes.md"; fi
  done
  if [[ -f docs/benchmarks-train.md ]]; then
    echo
    echo "## Training against PyTorch"
    echo
    echo "From [benchmarks-train.md](benchmarks-train.md) (\`bash bench/train.sh\`):"
    echo
    sed -n '/^Machine:/,$p' docs/benchmarks-train.md
  fi
} >docs/benchmarks.md
echo "wrote docs/benchmarks.md" >&2
