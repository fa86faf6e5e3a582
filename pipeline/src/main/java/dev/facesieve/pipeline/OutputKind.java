package dev.facesieve.pipeline;

/**
 * The kinds of folder FaceSieve writes, each with the command that writes it. A folder carries its
 * kind in {@link OutputGuard#OWNED}; a folder without that record is nobody's output, and FaceSieve
 * writes into it only when it is empty.
 */
public enum OutputKind {
  PREPARE("prepare"),
  MODEL("train"),
  CLEAN("clean"),
  /** The embedding cache; its record lies beside it ({@link EmbeddingCache}). */
  EMBEDDINGS("clean --embeddings"),
  SYNTH("synth"),
  INJECT("inject");

  private final String command;

  OutputKind(String command) {
    this.command = command;
  }

  /** The command that writes this kind, as the user types it after {@code facesieve}. */
  public String command() {
    return command;
  }
}
