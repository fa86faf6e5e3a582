package dev.facesieve.pipeline;

import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.PrepareManifest;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * The kinds of folder FaceSieve writes, each with the command that writes it and the layout an
 * output written before ownership records existed has.
 *
 * <p>A folder carries its kind in {@link OutputGuard#OWNED}. A folder without that record is taken
 * for an earlier FaceSieve's output of a kind only when it holds one of the kind's {@code evidence}
 * files and every entry matches the kind's {@code layout} (globs relative to the folder; a folder
 * entry matches as its own name).
 */
public enum OutputKind {
  PREPARE(
      "prepare",
      List.of(PrepareManifest.FILE),
      PrepareManifest.FILE,
      "faces",
      "faces/*.parquet",
      "quarantine",
      "quarantine/*.parquet"),
  MODEL(
      "train",
      List.of("model.json", "checkpoint/state.json"),
      "model.json",
      "centres.parquet",
      "*.params",
      "embeddings.f32",
      "checkpoint",
      "checkpoint/*",
      "checkpoint.tmp",
      "checkpoint.tmp/*"),
  CLEAN(
      "clean",
      List.of(CleanSummary.FILE),
      CleanSummary.FILE,
      "kept",
      "kept/*.parquet",
      "dropped",
      "dropped/*.parquet",
      "classes.parquet",
      "dropped.csv",
      "report.json",
      "report.html",
      "report",
      "report/*",
      "report/classes",
      "report/classes/*",
      "relabelled.csv",
      "recordio",
      "recordio/*"),
  /**
   * The embedding cache; its record lies beside it ({@link EmbeddingCache}), so the evidence and
   * layout here are those of caches from before, with their records inside.
   */
  EMBEDDINGS(
      "clean --embeddings",
      List.of(EmbeddingCache.LEGACY_MARKER),
      EmbeddingCache.LEGACY_MARKER,
      "*.parquet"),
  SYNTH(
      "synth",
      List.of("SYNTH.txt"),
      "SYNTH.txt",
      "truth.csv",
      "landmarks.csv",
      "train.rec",
      "train.idx",
      "property",
      "identities.tsv",
      "id_*",
      "id_*/*.jpg"),
  /** {@code inject} wrote no marker before ownership records: no folder is taken for its output. */
  INJECT("inject", List.of());

  private final String command;
  private final List<String> evidence;
  private final List<PathMatcher> layout;

  OutputKind(String command, List<String> evidence, String... layout) {
    this.command = command;
    this.evidence = evidence;
    this.layout =
        java.util.Arrays.stream(layout)
            .map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g))
            .toList();
  }

  /** The command that writes this kind, as the user types it after {@code facesieve}. */
  public String command() {
    return command;
  }

  /** Files one of which an output of this kind from before ownership records holds. */
  List<String> evidence() {
    return evidence;
  }

  /** Whether an earlier FaceSieve wrote {@code relative} (a {@code /}-separated path) here. */
  boolean inLayout(String relative) {
    String r = relative.endsWith("/") ? relative.substring(0, relative.length() - 1) : relative;
    Path p = Path.of(r);
    return layout.stream().anyMatch(m -> m.matches(p));
  }
}
