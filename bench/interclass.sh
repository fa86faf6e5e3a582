#!/usr/bin/env bash
# Inter-class cleaning quality on real faces (issue 17, "Done when"): LFW and ORL from ../shared,
# embedded once by the frozen ONNX MobileFaceNet (cached under $WORK), with planted
#   - duplicate identities: N people split into two classes (random halves, and an 80/20 split),
#     and the clean collection (no split: any group is a false merge);
#   - duplicate images: copies of random pictures within their class (byte copy, brightness +6,
#     JPEG q95/q75/q50, resize 0.75 and back, 1- and 3-px crop, mirror), embedded as the pipeline
#     would;
#   - test-set overlap: half the pictures of M people held out as a test set (the rest stays in
#     training) plus all pictures of K people absent from training.
# Each is scored on the cleaning's own code (InterClassQuality: Calibration -> InterClassFindings ->
# CleaningPolicy.decideClass -> InterClassPolicy.apply, default policies, thresholds read from the
# data) for SEEDS (default 1..5). Each row also carries `truth`: the pipeline's own truth metric
# (InterClassTruth, as summary.json -> inter_class.truth scores a run whose truth.csv marks what was
# planted) on the same findings, and whether its counts agree with the benchmark's (the script
# fails when one does not). Writes bench/results/interclass-{lfw,orl}.jsonl,
# bench/results/interclass.md, and replaces the inter-class section at the end of docs/quality.md
# (bench/quality_md.py appends the same file, so it survives quality.sh). About a minute once the
# embeddings are cached (LFW's take ~1 min more the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/facesieve-interclass}
seeds=${SEEDS:-1,2,3,4,5}
results=bench/results
mkdir -p "$work" "$results"
mvn -B -q -o -DskipTests -Dspotless.check.skip=true package -pl bench -am >/dev/null
CP="bench/target/facesieve-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
onnx=../shared/models/mobilefacenet-512.onnx
# name folder splits overlap absent copies-per-transformation
for spec in "orl ../shared/data/orl 4 4 2 4" "lfw ../shared/data/lfw-min10-112 10 10 5 20"; do
  set -- $spec
  if [[ ! -d $2 || ! -f $onnx ]]; then
    echo "interclass: $2 or $onnx missing, $1 skipped" >&2
    continue
  fi
  echo "interclass: $1" >&2
  java -Xmx6g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$CP" \
    dev.facesieve.bench.InterClassQuality --name "$1" --folder "$2" --onnx "$onnx" --work "$work" \
    --splits "$3" --overlap "$4" --absent "$5" --copies "$6" --seeds "$seeds" \
    | grep '^{' >"$results/interclass-$1.jsonl.tmp"
  mv "$results/interclass-$1.jsonl.tmp" "$results/interclass-$1.jsonl"
done
if grep -h '"agrees":false' "$results"/interclass-*.jsonl >&2; then
  echo "interclass: the pipeline's truth metrics disagree with the benchmark's counts (above)" >&2
  exit 1
fi
python3 bench/interclass_md.py "$results"/interclass-*.jsonl >"$results/interclass.md"
python3 - "$results/interclass.md" docs/quality.md <<'PY'
import sys
marker = "<!-- inter-class section: bench/interclass.sh writes it, bench/quality_md.py appends it -->"
section = open(sys.argv[1]).read().rstrip() + "\n"
doc = open(sys.argv[2]).read()
doc = doc.split(marker)[0].rstrip() + "\n\n" + marker + "\n\n" + section
open(sys.argv[2], "w").write(doc)
PY
echo "wrote $results/interclass.md and its section of docs/quality.md" >&2
