#!/usr/bin/env bash
# Stage throughput against the raw limits (issue 7, point 1). Each FaceSieve row is one command
# timed whole by /usr/bin/time (wall clock, peak RSS), so it includes JVM start and pipeline
# construction; the first row measures that fixed cost. Rows:
#   - prepare (DirectRunner and embedded Flink, parallelism 2) on synthetic RecordIO collections
#     of 6K and 50K images and on an identity-per-folder one, against reading and decoding the
#     same bytes in a plain loop (1 and 2 threads);
#   - clean with a frozen ONNX embedder (embedding every face) against the same model run by ONNX
#     Runtime's Java API in a plain loop, same threads;
#   - clean on cached embeddings (the scoring and writing alone), Direct and Flink.
# Training against PyTorch is bench/train.sh (docs/benchmarks-train.md).
# Writes bench/results/speed.{jsonl,md}, then docs/benchmarks.md (bench/assemble.sh). About 20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/facesieve-speed}
results=bench/results
rm -rf "$work"; mkdir -p "$work" "$results"
mvn -B -q -DskipTests -Dspotless.check.skip=true install -pl bench,pipeline -am >/dev/null
jars="$work/jars"; mkdir -p "$jars"
cp -r bench/target/facesieve-bench-0.1.0-SNAPSHOT.jar bench/target/lib "$jars/"
raw() { java -Xmx4g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$jars/facesieve-bench-0.1.0-SNAPSHOT.jar:$jars/lib/*" dev.facesieve.bench.RawBaselines "$@"; }
out="$results/speed.jsonl"
: >"$out"
fs=./facesieve
$fs --version >/dev/null   # build outside the timings
timed() { # what images command...
  local what=$1 images=$2; shift 2
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/cmd.log" 2>&1 || { cat "$work/cmd.log"; exit 1; }
  python3 - "$work/time.txt" "$what" "$images" >>"$out" <<'PY'
import json, re, sys
t = open(sys.argv[1]).read()
wall = t.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0].split(":")
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
n = int(sys.argv[3])
print(json.dumps({"what": sys.argv[2], "images": n, "seconds": round(secs, 2),
                  "images_per_second": round(n / secs, 1) if n else None,
                  "peak_rss_mib": round(rss / 1024)}))
PY
  tail -1 "$out" >&2
}
timed "facesieve --help (JVM start, fixed cost)" 0 $fs --help

# --- prepare: RecordIO
$fs synth --output "$work/rec" --identities 100 --images-per-identity 60 --close-set-noise 0 \
  --open-set-noise 0 --corrupt 0 --seed 2 >/dev/null
nrec=6000
raw decode --rec "$work/rec/train.rec" --threads 1 >>"$out"; tail -1 "$out" >&2
raw decode --rec "$work/rec/train.rec" --threads 2 >>"$out"; tail -1 "$out" >&2
timed "prepare recordio, direct p=2" $nrec $fs prepare --input "$work/rec" \
  --output "$work/rec-prep" --parallelism 2
timed "prepare recordio, flink p=2" $nrec $fs prepare --input "$work/rec" \
  --output "$work/rec-prep-flink" --runner flink --parallelism 2

# --- prepare: a RecordIO 8× larger, to separate the per-job cost from the per-record rate
$fs synth --output "$work/rec50k" --identities 500 --images-per-identity 100 --close-set-noise 0 \
  --open-set-noise 0 --corrupt 0 --seed 3 >/dev/null
nbig=50000
raw decode --rec "$work/rec50k/train.rec" --threads 2 >>"$out"; tail -1 "$out" >&2
timed "prepare recordio 50K, direct p=2" $nbig $fs prepare --input "$work/rec50k" \
  --output "$work/rec50k-prep" --parallelism 2
timed "prepare recordio 50K, flink p=2" $nbig $fs prepare --input "$work/rec50k" \
  --output "$work/rec50k-prep-flink" --runner flink --parallelism 2
rm -rf "$work/rec50k" "$work/rec50k-prep" "$work/rec50k-prep-flink"

# --- prepare: folders (LFW when ../shared has it, else synthetic)
lfw=../shared/data/lfw-min10-112
onnx=../shared/models/mobilefacenet-512.onnx
if [[ -d $lfw ]]; then folder=$lfw; else
  $fs synth --output "$work/folder" --identities 100 --images-per-identity 40 --format folder \
    --close-set-noise 0 --open-set-noise 0 --corrupt 0 --seed 2 >/dev/null
  folder="$work/folder"
fi
nfold=$(find -L "$folder" -type f \( -name '*.jpg' -o -name '*.png' -o -name '*.jpeg' \) | wc -l)
raw decode --folder "$folder" --threads 1 >>"$out"; tail -1 "$out" >&2
raw decode --folder "$folder" --threads 2 >>"$out"; tail -1 "$out" >&2
timed "prepare folder, direct p=2" "$nfold" $fs prepare --input "$folder" \
  --output "$work/fold-prep" --parallelism 2
timed "prepare folder, flink p=2" "$nfold" $fs prepare --input "$folder" \
  --output "$work/fold-prep-flink" --runner flink --parallelism 2

# --- embedding and clean (needs the ONNX embedder and an aligned 112×112 collection)
if [[ -d $lfw && -f $onnx ]]; then
  raw ort --folder "$lfw" --onnx "$onnx" --threads 2 --limit 2000 >>"$out"; tail -1 "$out" >&2
  timed "train head-only (embeds every face with ONNX, then 1 epoch)" "$nfold" \
    $fs train --data "$work/fold-prep" --output "$work/model" --backbone "onnx:$onnx" --epochs 1 \
    --batch-size 128
  timed "clean, embedding with ONNX, direct p=2" "$nfold" $fs clean --data "$work/fold-prep" \
    --model "$work/model" --output "$work/clean-emb" --embeddings "$work/emb" --parallelism 2
  timed "clean, cached embeddings, direct p=2" "$nfold" $fs clean --data "$work/fold-prep" \
    --model "$work/model" --output "$work/clean-cached" --embeddings "$work/emb" --parallelism 2
  timed "clean, cached embeddings, flink p=2" "$nfold" $fs clean --data "$work/fold-prep" \
    --model "$work/model" --output "$work/clean-cached-flink" --embeddings "$work/emb" \
    --runner flink --parallelism 2
fi

python3 - "$out" >"$results/speed.md" <<'PY'
import datetime, json, os, platform, subprocess, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
print("## Stage throughput against the raw limits")
print()
print("Machine: %d cores (%s), %.0f GiB, %s; %s. Date: %s." % (os.cpu_count(), cpu, mem,
      platform.machine(), java, datetime.date.today().isoformat()))
print()
print()
print("Command: `bash bench/speed.sh` (raw rows: `bench/results/speed.jsonl`). FaceSieve rows")
print("time one whole command (JVM start, pipeline construction, writing and committing the")
print("outputs); the first row is that fixed cost. Raw rows are a plain Java loop over the same")
print("bytes (`bench/.../RawBaselines.java`) with the same threads. Parallelism 2 = 2 DirectRunner")
print("threads or 2 embedded-Flink slots.")
print()
print("| what | images | seconds | images/s | peak RSS (MiB) |")
print("| --- | --- | --- | --- | --- |")
for r in rows:
    rss = r.get("peak_rss_mib")
    what = r["what"]
    if "source" in r:
        what = "%s, %s, %d thread%s" % (what, r["source"], r["threads"], "" if r["threads"] == 1 else "s")
    elif "threads" in r:
        what = "%s, %d threads" % (what, r["threads"])
    print("| %s | %d | %.1f | %s | %s |" % (what, r["images"], r["seconds"],
          "–" if r["images_per_second"] is None else "%.0f" % r["images_per_second"],
          "–" if rss is None else rss))
PY
bash bench/assemble.sh
