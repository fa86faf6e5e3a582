#!/usr/bin/env bash
# Does cleaning help training? (issue 7, point 4.) Trains the same K=1 small CNN on a noisy set and
# on its FaceSieve-cleaned copy, then measures face verification (TAR at FAR=1e-2, ROC AUC) on all
# pairs of identities that neither training set contains.
#   - synthetic: 50 identities × 20 images with 20% coherent close-set + 10% coherent open-set
#     noise (`facesieve synth`); cleaned by K=3 small CNN end to end (`facesieve run`);
#     verification on 15 other synthetic identities (another seed) × 10 images;
#   - LFW (../shared): 32 identities held out for verification; the other 128 get 15% close-set +
#     15% open-set coherent noise (`facesieve inject`); cleaned by K=3 on the frozen ONNX
#     MobileFaceNet (head only), as a user with a pretrained embedder would.
# Writes bench/results/retrain.jsonl and docs/retrain.md. About 40 minutes on 2 cores (LFW's two
# small-CNN trainings are most of it). SETS="synthetic" or SETS="lfw" runs one part and keeps the
# other's rows; LFW_EPOCHS (default 8) sets the LFW trainings' epochs.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/facesieve-retrain}
results=bench/results
sets=${SETS:-synthetic lfw}
mkdir -p "$work" "$results"
mvn -B -q -DskipTests -Dspotless.check.skip=true install -pl bench,pipeline -am >/dev/null
jars="$work/jars"; mkdir -p "$jars"
cp -r bench/target/facesieve-bench-0.1.0-SNAPSHOT.jar bench/target/lib "$jars/"
verify() { # label dataset model folder
  java -Xmx6g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$jars/facesieve-bench-0.1.0-SNAPSHOT.jar:$jars/lib/*" \
    dev.facesieve.bench.VerificationBenchmark --model "$3" --folder "$4" |
    python3 -c 'import json,sys; r=json.loads(sys.stdin.readline()); r["trained_on"]=sys.argv[1]; r["dataset"]=sys.argv[2]; print(json.dumps(r))' "$1" "$2" \
    >>"$results/retrain.jsonl"
}
counts() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(json.dumps({k: s[k] for k in ("kept","dropped")} | {"quality": s.get("quality_vs_truth")}))' "$1"; }
fs=./facesieve
touch "$results/retrain.jsonl"
keep() { # drop earlier rows of a dataset that is about to be rerun
  python3 -c 'import json,sys; f=sys.argv[1]; rows=[l for l in open(f) if json.loads(l)["dataset"]!=sys.argv[2]]; open(f,"w").writelines(rows)' \
    "$results/retrain.jsonl" "$1"
}
small=(--backbone small --embedding-size 128 --scale 32 --batch-size 32 --seed 11)

# --- synthetic
if [[ " $sets " == *" synthetic "* ]]; then
echo "retrain: synthetic" >&2
keep synthetic
rm -rf "$work"/synth*
$fs synth --output "$work/synth" --identities 50 --images-per-identity 20 --close-set-noise 0.2 \
  --open-set-noise 0.1 --corrupt 0 --noise-mode coherent --seed 7 >/dev/null
$fs synth --output "$work/synth-eval" --identities 15 --images-per-identity 10 \
  --close-set-noise 0 --open-set-noise 0 --corrupt 0 --format folder --seed 8 >/dev/null
$fs run --input "$work/synth" --output "$work/synth-run" "${small[@]}" --epochs 10 \
  --emit-recordio >/dev/null
counts "$work/synth-run/clean/summary.json" >"$results/retrain-synthetic-clean.json"
$fs prepare --input "$work/synth-run/clean/recordio" --output "$work/synth-cleaned" >/dev/null
for set in noisy cleaned; do
  data="$work/synth-run/prepared"; [[ $set == cleaned ]] && data="$work/synth-cleaned"
  $fs train --data "$data" --output "$work/synth-k1-$set" "${small[@]}" --subcenters 1 \
    --epochs 10 >/dev/null
  verify "$set" synthetic "$work/synth-k1-$set" "$work/synth-eval"
done
fi

# --- LFW
lfw=../shared/data/lfw-min10-112
onnx=../shared/models/mobilefacenet-512.onnx
if [[ " $sets " == *" lfw "* && -d $lfw && -f $onnx ]]; then
  echo "retrain: LFW" >&2
  keep lfw
  rm -rf "$work"/lfw*
  mkdir -p "$work/lfw-train" "$work/lfw-eval"
  i=0
  for d in $(ls "$lfw" | sort); do
    [[ -d $lfw/$d ]] || continue
    # every 5th identity (sorted by name) is held out for verification: 32 of 158
    if (( i % 5 == 2 )); then ln -s "$(realpath "$lfw/$d")" "$work/lfw-eval/$d"
    else ln -s "$(realpath "$lfw/$d")" "$work/lfw-train/$d"; fi
    i=$((i + 1))
  done
  $fs inject --input "$work/lfw-train" --output "$work/lfw-noisy" --close-set-noise 0.15 \
    --open-set-noise 0.15 --held-out 0.2 --noise-mode coherent --seed 11 >/dev/null
  $fs prepare --input "$work/lfw-noisy" --output "$work/lfw-prepared" >/dev/null
  $fs train --data "$work/lfw-prepared" --output "$work/lfw-onnx-k3" --backbone "onnx:$onnx" \
    --epochs 5 --batch-size 128 >/dev/null
  $fs clean --data "$work/lfw-prepared" --model "$work/lfw-onnx-k3" --output "$work/lfw-clean" \
    --emit-recordio >/dev/null
  counts "$work/lfw-clean/summary.json" >"$results/retrain-lfw-clean.json"
  $fs prepare --input "$work/lfw-clean/recordio" --output "$work/lfw-cleaned" >/dev/null
  for set in noisy cleaned; do
    data="$work/lfw-prepared"; [[ $set == cleaned ]] && data="$work/lfw-cleaned"
    $fs train --data "$data" --output "$work/lfw-k1-$set" --backbone small --embedding-size 128 \
      --scale 32 --batch-size 64 --seed 11 --subcenters 1 --epochs "${LFW_EPOCHS:-8}" >/dev/null
    verify "$set" lfw "$work/lfw-k1-$set" "$work/lfw-eval"
  done
fi

python3 bench/retrain_md.py "$results/retrain.jsonl" "$results" >docs/retrain.md
echo "wrote docs/retrain.md" >&2
