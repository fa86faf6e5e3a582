"""Writes the scale run's table (bench/results/scale.md) from bench/results/scale.jsonl."""
import datetime, json, os, sys
rows = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["classes"])
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
    print("The Beam stage on the same records: `facesieve clean` (cached embeddings) in its own JVM,")
    print("reading the prepared faces, the trained head and the embedding cache that the benchmark")
    print("wrote; wall time includes JVM start, the noise report and `summary.json`. Its drops equal")
    print("the decision core's in every row (the script checks).")
    print()
    print("| classes | images | runner (p=2) | heap | wall (s) | images/s | peak RSS (MiB) | dropped | precision | recall |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in beam:
        print("| %d | %d | %s | %s | %.0f | %.0f | %d | %d | %.3f | %.3f |" % (
            r["classes"], r["images"], r.get("beam_runner", "direct"), r.get("beam_heap", "8g"),
            r["beam_clean_seconds"], r["beam_clean_images_per_second"],
            r["beam_clean_peak_rss_mib"], r["beam_dropped"], r["beam_precision"], r["beam_recall"]))
