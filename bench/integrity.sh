#!/usr/bin/env bash
# Issue #29's "done when", on copies of a finished LFW run: a damaged embedding store is rebuilt
# (and decides as the intact one), a damaged model is refused with one line, exit 2; never exit 0
# on damaged data. Runs facesieve run on LFW with the shared MobileFaceNet (head only, 2 epochs),
# then for each damage (DamageRun) a clean on a copy. Writes bench/results/integrity-lfw.md.
# About 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/facesieve-integrity}
lfw=../shared/data/lfw-min10-112
onnx=../shared/models/mobilefacenet-512.onnx
[[ -d $lfw && -f $onnx ]] || { echo "integrity.sh: needs $lfw and $onnx" >&2; exit 2; }
mvn -B -q -DskipTests -Dspotless.check.skip=true install -pl bench,pipeline -am >/dev/null
jars="$work/jars"; rm -rf "$jars"; mkdir -p "$jars"
cp -r bench/target/facesieve-bench-0.1.0-SNAPSHOT.jar bench/target/lib "$jars/"
fs=./facesieve
base="$work/lfw-run"
if [[ ! -f $base/clean/summary.json ]]; then
  rm -rf "$base"
  $fs run --input "$lfw" --output "$base" --backbone "onnx:$onnx" --epochs 2 --batch-size 128 \
    > "$work/run.log" 2>&1
fi
out=bench/results/integrity-lfw.md
{
  echo "# Damaged intermediates on a finished LFW run (bash bench/integrity.sh, $(date -u +%F))"
  echo
  echo "| damage | exit | what clean said | dropped.csv as the intact run's |"
  echo "| --- | --- | --- | --- |"
} > "$out"
intact=$(sort "$base/clean/dropped.csv" | sha256sum | cut -c1-16)
for damage in shuffle nan5 centres-nan centres-k2; do
  copy="$work/$damage"
  rm -rf "$copy"; cp -r "$base" "$copy"
  java -cp "$jars/facesieve-bench-0.1.0-SNAPSHOT.jar:$jars/lib/*" dev.facesieve.bench.DamageRun \
    "$copy" "$damage"
  set +e
  $fs clean --data "$copy/prepared" --model "$copy/model" --output "$copy/clean-again" \
    --embeddings "$copy/embeddings" > "$copy/clean.out" 2> "$copy/clean.err"
  code=$?
  set -e
  said=$(grep -h -E "is rebuilt|facesieve clean:" "$copy/clean.out" "$copy/clean.err" | head -1 \
    | sed "s#$work/##g; s#|#/#g")
  same="-"
  if [[ $code == 0 ]]; then
    [[ $(sort "$copy/clean-again/dropped.csv" | sha256sum | cut -c1-16) == "$intact" ]] \
      && same="yes" || same="no"
  fi
  echo "| $damage | $code | $said | $same |" >> "$out"
done
cat "$out"
