package dev.facesieve.datasets.input;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoBuilder;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.io.HadoopFiles;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Splits an input into {@link InputShard}s that workers read in parallel, reading only metadata
 * ({@code .idx}, {@code property}, directory listings, Parquet footers) on the driver.
 *
 * <p>Resolves the format and the side files, then hands over to the planner of the format ({@link
 * RecordIOPlanner}, {@link FolderPlanner}, {@link ParquetPlanner}). Structural problems (a missing
 * {@code .rec}, an unreadable {@code .idx} line, an empty folder) throw {@link InputException};
 * problems of single records are left to the shard readers, which quarantine them.
 */
public final class InputPlanner {
  /**
   * How to plan: the input, its format and how big shards are.
   *
   * @param truthFile ground truth; when null, a {@code truth.csv} beside the input (or in the input
   *     folder) is used if there is one
   */
  public record Spec(
      Path input,
      InputFormat format,
      int shardSize,
      ColumnMapping columns,
      @Nullable Path landmarksFile,
      @Nullable Path truthFile) {
    public static final InputFormat DEFAULT_FORMAT = InputFormat.AUTO;
    public static final int DEFAULT_SHARD_SIZE = 1024;
    public static final ColumnMapping DEFAULT_COLUMNS = ColumnMapping.FACESIEVE;

    public Spec {
      checkArgument(shardSize > 0, "shard size must be > 0, got %s", shardSize);
    }

    /** The defaults for everything but the input. */
    public static Spec of(Path input) {
      return builder().setInput(input).build();
    }

    public static Builder builder() {
      return new AutoBuilder_InputPlanner_Spec_Builder()
          .setFormat(DEFAULT_FORMAT)
          .setShardSize(DEFAULT_SHARD_SIZE)
          .setColumns(DEFAULT_COLUMNS);
    }

    public Builder toBuilder() {
      return new AutoBuilder_InputPlanner_Spec_Builder(this);
    }

    /** Builds a {@link Spec}; the input is required. */
    @AutoBuilder
    public interface Builder {
      Builder setInput(Path input);

      Builder setFormat(InputFormat format);

      Builder setShardSize(int shardSize);

      Builder setColumns(ColumnMapping columns);

      Builder setLandmarksFile(@Nullable Path landmarksFile);

      Builder setTruthFile(@Nullable Path truthFile);

      Spec build();
    }
  }

  private InputPlanner() {}

  /**
   * Plans the shards of an input on a Hadoop file system ({@code hdfs://host:port/…}), read through
   * Hadoop's {@code FileSystem} with {@link HadoopFiles#configuration()}: RecordIO, Parquet and
   * image folders, by the rules of {@link #plan}. The side files given are local; with no truth
   * file given, a {@code truth.csv} beside the input is read, as locally.
   *
   * @throws InputException for a missing or unreadable input
   */
  public static InputPlan planRemote(
      URI input,
      InputFormat format,
      int shardSize,
      ColumnMapping columns,
      @Nullable Path landmarksFile,
      @Nullable Path truthFile) {
    InputFormat f = format == InputFormat.AUTO ? detectRemote(input) : format;
    Map<String, SideFiles.Truth> truth =
        truthFile == null ? truthBeside(input) : SideFiles.readTruth(truthFile);
    Map<String, float[]> landmarks =
        landmarksFile == null ? Map.of() : SideFiles.readLandmarks(landmarksFile);
    return switch (f) {
      case RECORDIO -> RecordIOPlanner.planRemote(input, shardSize, landmarks, truth);
      case FOLDER -> FolderPlanner.planRemote(input, shardSize, landmarks, truth);
      case PARQUET -> ParquetPlanner.planRemote(input, shardSize, columns, landmarks, truth);
      case AUTO -> throw new AssertionError();
    };
  }

  /**
   * The ground truth in a {@code truth.csv} beside an input named by a URI (in the folder, or
   * beside the file), as {@link #plan} finds one locally; empty when there is none. The file is
   * fetched into a local temporary file to be read, and a problem in it is named by its URI.
   */
  private static Map<String, SideFiles.Truth> truthBeside(URI input) {
    org.apache.hadoop.fs.Path candidate = null;
    java.nio.file.Path copy = null;
    try {
      org.apache.hadoop.fs.FileSystem fs = HadoopFiles.fileSystem(input);
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(input);
      if (!fs.exists(p)) {
        return Map.of(); // the planner says the input is not found
      }
      org.apache.hadoop.fs.Path dir = fs.getFileStatus(p).isDirectory() ? p : p.getParent();
      candidate = new org.apache.hadoop.fs.Path(dir, "truth.csv");
      if (!fs.exists(candidate) || !fs.getFileStatus(candidate).isFile()) {
        return Map.of();
      }
      copy = Files.createTempFile("facesieve-truth-", ".csv");
      try (java.io.InputStream in = fs.open(candidate)) {
        Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      return SideFiles.readTruth(copy);
    } catch (InputException e) {
      String where = String.valueOf(candidate);
      throw new InputException(where, e.getMessage().substring(copy.toString().length() + 2), e);
    } catch (java.io.IOException e) {
      throw new InputException(
          String.valueOf(candidate == null ? input : candidate),
          "cannot read: " + e.getMessage(),
          e);
    } finally {
      if (copy != null) {
        try {
          Files.deleteIfExists(copy);
        } catch (java.io.IOException e) {
          // a temporary file the system cleans up
        }
      }
    }
  }

  /**
   * The format of an input named by a URI, by {@link InputFormat#detect}'s rules on the folder's
   * own files (a {@code .parquet} file deeper down does not make an image folder Parquet, and a
   * folder of millions of images is not walked twice).
   */
  private static InputFormat detectRemote(URI input) {
    try {
      org.apache.hadoop.fs.FileSystem fs = HadoopFiles.fileSystem(input);
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(input);
      if (!fs.exists(p)) {
        throw new InputException(input.toString(), "input not found");
      }
      if (fs.getFileStatus(p).isFile()) {
        return InputFormat.ofFile(input.toString(), p.getName());
      }
      return InputFormat.ofFolder(
          java.util.Arrays.stream(fs.listStatus(p))
              .filter(org.apache.hadoop.fs.FileStatus::isFile)
              .map(f -> f.getPath().getName())
              .toList());
    } catch (java.io.IOException e) {
      throw new InputException(input.toString(), "cannot read: " + e.getMessage(), e);
    }
  }

  /** Plans the shards of an input. */
  public static InputPlan plan(Spec spec) {
    Path input = spec.input();
    if (!Files.exists(input)) {
      throw new InputException(input, "input not found");
    }
    InputFormat format =
        spec.format() == InputFormat.AUTO ? InputFormat.detect(input) : spec.format();
    Path truthFile = spec.truthFile();
    if (truthFile == null) {
      Path dir = Files.isDirectory(input) ? input : input.toAbsolutePath().getParent();
      Path candidate = dir.resolve("truth.csv");
      truthFile = Files.isRegularFile(candidate) ? candidate : null;
    }
    Map<String, SideFiles.Truth> truth =
        truthFile == null ? Map.of() : SideFiles.readTruth(truthFile);
    Map<String, float[]> landmarks =
        spec.landmarksFile() == null ? Map.of() : SideFiles.readLandmarks(spec.landmarksFile());
    return switch (format) {
      case RECORDIO -> RecordIOPlanner.plan(spec, landmarks, truth);
      case FOLDER -> FolderPlanner.plan(spec, landmarks, truth);
      case PARQUET -> ParquetPlanner.plan(spec, landmarks, truth);
      case AUTO -> throw new AssertionError();
    };
  }
}
