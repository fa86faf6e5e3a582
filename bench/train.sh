#!/usr/bin/env bash
# Training throughput: FaceSieve (DJL) vs the same network, loss and update in PyTorch, same
# batch and threads, one after the other in this run. Writes docs/benchmarks-train.md.
# Needs Debian's python3-torch (apt-get install python3-torch) for the PyTorch column.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -Dspotless.check.skip=true install -pl bench -am >/dev/null
CP="bench/target/facesieve-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
PY=/usr/bin/python3
out=docs/benchmarks-train.md
tmp=$(mktemp)
java_run() { java -Xmx12g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$CP" dev.facesieve.bench.TrainBenchmark "$@" | grep '^{' >>"$tmp"; }
torch_run() {
  if $PY -c 'import torch' 2>/dev/null; then $PY bench/torch_train.py "$@" >>"$tmp"; fi
}
for args in "backbone small 1000 64 2 8" "backbone iresnet50 1000 64 1 2" \
            "head 100000 64 1.0 2 10" "head 100000 64 0.1 2 10"; do
  echo "bench: $args" >&2
  java_run $args
  torch_run $args
done
{
  echo "# Training throughput"
  echo
  echo "Forward + backward + SGD update (momentum 0.9, weight decay 5e-4) of sub-center ArcFace"
  echo "(K=3, s=64, m=0.5, D=512) on random tensors, batch 64, no data loading; FaceSieve's DJL"
  echo "code and the same network, loss and update in PyTorch run one after the other with the"
  echo "same thread count. Head-only rows train the (C·K, D) head alone on 512-d features;"
  echo "sample rate < 1 is Partial FC. Peak RSS is the process's high-water mark."
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m);"
  echo "DJL 0.35.1 with libtorch 2.7.1 (CPU) vs Debian python3-torch. Date: $(date -u +%F)."
  echo "Command: \`bash bench/train.sh\`"
  echo
  echo "| implementation | network | classes | sample rate | images/s | steps/s | peak RSS (MiB) |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  $PY - "$tmp" <<'PYEOF'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print("| %s | %s | %d | %s | %.1f | %.3f | %d |" % (r["impl"], r["net"], r["classes"],
          r["sample_rate"], r["images_per_s"], r["steps_per_s"], r["peak_rss_mb"]))
PYEOF
  cat <<'NOTES'

Reading the numbers:
- The two columns use different libtorch builds (DJL bundles 2.7.1, Debian ships 1.13), so the
  ratio mixes binding overhead with library version.
- IResNet-50 at a few images/s on 2 CPU cores means a 5.8M-image MS1M epoch would take weeks:
  train large backbones on a GPU, or use a pretrained embedder with head-only training
  (`--backbone onnx:<file>`), which is what the CPU path is for.
- IResNet-50's peak RSS is higher on the DJL side. Part of the reason is that DJL keeps every
  array a step creates until the step's NDManager closes, while PyTorch frees an activation
  once backward no longer needs it. Measured one run each at batch 64, on a machine busy with
  another job, so memory only:
  - `KEEP_ACTIVATIONS=1 /usr/bin/python3 bench/torch_train.py backbone iresnet50 1000 64 1 2`
    keeps every module's output until the step ends. PyTorch's peak then goes from 5,956 to
    7,291 MiB.
  - On the DJL side, `ChannelPrelu` used to keep four activation-sized arrays per PReLU
    (max, min, product, sum) and now keeps two and a mask. DJL's peak went from 11,442 MiB to
    9,753 in that one-off run (`TrainBenchmark backbone iresnet50 1000 64 1 2`), and 9,129 in the
    table above.
  - The remaining gap to PyTorch with its outputs kept, about 1.8 GB, has not been traced.
- Head-only at C = 100,000 (K = 3, D = 512): both implementations update only the sampled rows
  and their momentum under Partial FC (as Partial FC's first implementation did), so a 10% step
  costs a fraction of a full-softmax step. The full softmax keeps the weight, its gradient and
  the momentum (3 × 614 MB) resident; Partial FC keeps the weight and the momentum.
- Memory: a per-step native leak in DJL-side training (about 94 MB a step with a backbone,
  found 2026-11-23) is fixed and tested (`MomentumSgdTest`).
NOTES
} >"$out"
rm -f "$tmp"
cat "$out"
