#!/usr/bin/env bash
# Cleaning quality against ground truth: precision/recall of "dropped" vs "noisy" for both
# policies, on (1) a synthetic collection with 30% coherent close-set + open-set noise, small CNN
# trained end to end, and (2) LFW and (3) ORL (../shared) with 20% injected noise, ONNX embedder, head only.
# Writes docs/quality-clean.md. Takes about 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/facesieve-quality}
rm -rf "$work"; mkdir -p "$work"
fs=./facesieve
rows=()
row() { # dataset policy summary.json
  rows+=("$(python3 - "$1" "$2" "$3" <<'PY'
import json, sys
s = json.load(open(sys.argv[3])); q = s["quality_vs_truth"]
print("| %s | %s | %.0f° | %d | %d | %.3f | %.3f | %.3f |" % (sys.argv[1], sys.argv[2],
      s["options"]["threshold_deg"], q["noisy_in_prepared"], s["dropped"], q["precision"],
      q["recall"], q["f1"]))
PY
)")
}
clean_both() { # key label data model
  for policy in drop-py strict; do
    $fs clean --data "$3" --model "$4" --output "$work/$1-clean-$policy" --policy "$policy" \
      --embeddings "$work/$1-emb" >/dev/null
    row "$2" "$policy" "$work/$1-clean-$policy/summary.json"
  done
}
$fs synth --output "$work/synth" --identities 40 --images-per-identity 30 --close-set-noise 0.15 \
  --open-set-noise 0.15 --corrupt 0.01 --noise-mode coherent --seed 3 >/dev/null
$fs prepare --input "$work/synth" --output "$work/synth-prep" >/dev/null
$fs train --data "$work/synth-prep" --output "$work/synth-model" --backbone small \
  --embedding-size 128 --scale 32 --epochs 10 --batch-size 32 --seed 3 >/dev/null
clean_both synth "synthetic 40×30, 30% coherent noise, small CNN (s=32)" "$work/synth-prep" \
  "$work/synth-model"
lfw=../shared/data/lfw-min10-112
onnx=../shared/models/mobilefacenet-512.onnx
if [[ -d $lfw && -f $onnx ]]; then
  $fs inject --input "$lfw" --output "$work/lfw20" --close-set-noise 0.1 --open-set-noise 0.1 \
    --held-out 0.2 --noise-mode coherent --seed 1 >/dev/null
  $fs prepare --input "$work/lfw20" --output "$work/lfw-prep" >/dev/null
  $fs train --data "$work/lfw-prep" --output "$work/lfw-model" --backbone "onnx:$onnx" \
    --epochs 5 --batch-size 128 >/dev/null
  clean_both lfw "LFW + 20% coherent noise, ONNX MobileFaceNet, head only (s=64)" \
    "$work/lfw-prep" "$work/lfw-model"
fi
orl=../shared/data/orl
if [[ -d $orl && -f $onnx ]]; then
  $fs inject --input "$orl" --output "$work/orl20" --close-set-noise 0.1 --open-set-noise 0.1 \
    --held-out 0.2 --noise-mode coherent --seed 1 >/dev/null
  $fs prepare --input "$work/orl20" --output "$work/orl-prep" >/dev/null
  $fs train --data "$work/orl-prep" --output "$work/orl-model" --backbone "onnx:$onnx" \
    --epochs 10 --batch-size 32 >/dev/null
  clean_both orl "ORL + 20% coherent noise, ONNX MobileFaceNet, head only (s=64)" \
    "$work/orl-prep" "$work/orl-model"
fi
{
  echo "# Cleaning quality against ground truth"
  echo
  echo "Precision and recall of \"dropped\" against \"noisy\" over the prepared faces (corrupt"
  echo "files are quarantined earlier by \`prepare\` and are not in these counts). K=3, threshold"
  echo "75° (insightface's drop.py). Noise is *coherent*: all close-set noise of a class shows one"
  echo "other identity, all its open-set noise one held-out identity."
  echo
  echo "Machine: $(nproc) cores. Date: $(date -u +%F). Command: \`bash bench/quality-clean.sh\`"
  echo
  echo "| data | policy | threshold | noisy faces | dropped | precision | recall | F1 |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} > docs/quality-clean.md
cat docs/quality-clean.md
