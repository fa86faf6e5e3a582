"""Writes the default-runner table (bench/results/default-runner.md) from its jsonl rows."""
import json, os, sys
rows = sorted((json.loads(l) for l in open(sys.argv[1])),
              key=lambda r: (r["faces"], r["stage"] != "prepare"))
print("## The default runner at scale: prepare and clean, 100K → 500K faces")
print()
print("Command: `bash bench/default-runner.sh` (raw rows: `bench/results/default-runner.jsonl`), %d cores"
      " shared with other work; dates per row. `./facesieve synth` (20 faces a person, default noise),"
      % os.cpu_count())
print("then `./facesieve prepare` and `./facesieve clean` with cached embeddings on the **default**")
print("options (`--runner auto`) and the launcher's default heap (`-Xmx8g`). Wall time and peak RSS by")
print("`/usr/bin/time`; load is the 1-minute load average before → after the command; \"after")
print("pipeline\" is the time from the end of the stage's pipeline to the end of the command (the")
print("driver alone: summary, report, commit).")
print()
print("| faces | stage | runner auto chose | wall (s) | faces/s | peak RSS (MiB) | after pipeline (s) | load | date |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    print("| %d | %s | %s | %.0f | %.0f | %d | %s | %.1f → %.1f | %s |" % (
        r["faces"], r["stage"], r["runner"].split(" (")[0], r["wall_seconds"], r["faces"] / r["wall_seconds"],
        r["peak_rss_mib"],
        "–" if r.get("after_pipeline_seconds") is None else "%.0f" % r["after_pipeline_seconds"],
        r["load_before"], r["load_after"], r["date"]))
