package dev.facesieve.datasets.input;

import static com.google.common.base.Preconditions.checkArgument;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.SourceRef;
import dev.facesieve.datasets.image.ImageFormat;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.datasets.recordio.IRHeader;
import dev.facesieve.datasets.recordio.IdxFile;
import dev.facesieve.datasets.recordio.RecordIOReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.annotation.Nullable;

/**
 * Splits an input into {@link InputShard}s that workers read in parallel, reading only metadata
 * ({@code .idx}, {@code property}, directory listings, Parquet footers) on the driver.
 *
 * <p>Structural problems (a missing {@code .rec}, an unreadable {@code .idx} line, an empty folder)
 * throw {@link InputException}; problems of single records are left to the shard readers, which
 * quarantine them.
 */
public final class InputPlanner {
  /** How to plan: the input, its format and how big shards are. */
  public record Spec(
      Path input,
      InputFormat format,
      int shardSize,
      ColumnMapping columns,
      @Nullable Path landmarksFile,
      @Nullable Path truthFile) {
    public Spec {
      checkArgument(shardSize > 0, "shard size must be > 0, got %s", shardSize);
    }

    public static Spec of(Path input) {
      return new Spec(input, InputFormat.AUTO, 1024, ColumnMapping.FACESIEVE, null, null);
    }

    public Spec withFormat(InputFormat f) {
      return new Spec(input, f, shardSize, columns, landmarksFile, truthFile);
    }

    public Spec withShardSize(int n) {
      return new Spec(input, format, n, columns, landmarksFile, truthFile);
    }

    public Spec withColumns(ColumnMapping c) {
      return new Spec(input, format, shardSize, c, landmarksFile, truthFile);
    }

    public Spec withLandmarks(@Nullable Path p) {
      return new Spec(input, format, shardSize, columns, p, truthFile);
    }

    public Spec withTruth(@Nullable Path p) {
      return new Spec(input, format, shardSize, columns, landmarksFile, p);
    }
  }

  private InputPlanner() {}

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
    Map<String, NoiseKind> truth = truthFile == null ? Map.of() : readTruth(truthFile);
    Map<String, float[]> landmarks =
        spec.landmarksFile() == null ? Map.of() : readLandmarks(spec.landmarksFile());
    return switch (format) {
      case RECORDIO -> planRecordIO(spec, landmarks, truth);
      case FOLDER -> planFolder(spec, landmarks, truth);
      case PARQUET -> planParquet(spec, landmarks, truth);
      case AUTO -> throw new AssertionError();
    };
  }

  private static SideInfo side(
      List<String> ids, Map<String, float[]> landmarks, Map<String, NoiseKind> truth) {
    if (landmarks.isEmpty() && truth.isEmpty()) {
      return SideInfo.NONE;
    }
    Map<String, float[]> l = new HashMap<>();
    Map<String, NoiseKind> t = new HashMap<>();
    for (String id : ids) {
      float[] lm = landmarks.get(id);
      if (lm != null) {
        l.put(id, lm);
      }
      NoiseKind k = truth.get(id);
      if (k != null) {
        t.put(id, k);
      }
    }
    return new SideInfo(l, t);
  }

  // ---------------------------------------------------------------- RecordIO

  private static InputPlan planRecordIO(
      Spec spec, Map<String, float[]> landmarks, Map<String, NoiseKind> truth) {
    Path rec = spec.input();
    if (Files.isDirectory(rec)) {
      Path train = rec.resolve("train.rec");
      if (Files.isRegularFile(train)) {
        rec = train;
      } else {
        try (Stream<Path> s = Files.list(rec)) {
          List<Path> recs = s.filter(p -> p.toString().endsWith(".rec")).sorted().toList();
          if (recs.size() != 1) {
            throw new InputException(
                rec,
                recs.isEmpty()
                    ? "no .rec file in this folder"
                    : "several .rec files and no train.rec; name one");
          }
          rec = recs.get(0);
        } catch (IOException e) {
          throw new InputException(rec, "cannot list folder: " + e.getMessage(), e);
        }
      }
    }
    if (!Files.isRegularFile(rec)) {
      throw new InputException(rec, "RecordIO file not found");
    }
    String base = rec.getFileName().toString();
    base = base.substring(0, base.length() - ".rec".length());
    Path dir = rec.toAbsolutePath().getParent();
    Path idxPath = dir.resolve(base + ".idx");
    IdxFile idx = IdxFile.read(idxPath);
    if (idx.size() == 0) {
      throw new InputException(idxPath, "index file is empty");
    }
    List<Path> files = new ArrayList<>(List.of(rec, idxPath));
    Integer numClasses = null;
    Path property = dir.resolve("property");
    if (Files.isRegularFile(property)) {
      files.add(property);
      numClasses = readProperty(property);
    }
    SortedMap<Integer, String> names = new TreeMap<>();
    Path identities = dir.resolve("identities.tsv");
    if (Files.isRegularFile(identities)) {
      files.add(identities);
      names = readIdentities(identities);
    }

    long identityStart = Long.MAX_VALUE;
    long slack = 0;
    long off0 = idx.offsetOf(0);
    if (off0 >= 0) {
      try (RecordIOReader r = new RecordIOReader(rec)) {
        IRHeader h0 = IRHeader.unpack(r.read(off0)).header();
        if (h0.flag() > 0 && h0.labels().length >= 2) {
          float a = h0.labels()[0];
          identityStart = (long) a;
          // float32 holds integers exactly only below 2^24: past that the bound is approximate
          // and keys within one ulp of it are classified by content in the shard reader.
          slack = a < (1 << 24) ? 0 : (long) Math.ceil(Math.ulp(a));
        }
      } catch (IOException | IllegalArgumentException e) {
        throw new InputException(
            rec, "cannot read record 0 (the header record): " + e.getMessage());
      }
    }
    String recName = rec.getFileName().toString();
    List<InputShard> shards = new ArrayList<>();
    Set<Long> seen = new HashSet<>(idx.size() * 2);
    int n = idx.size();
    long[] keys = new long[spec.shardSize()];
    long[] offs = new long[spec.shardSize()];
    int fill = 0;
    List<QuarantineRecord> dups = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long key = idx.key(i);
      boolean header = key == 0 && identityStart != Long.MAX_VALUE;
      boolean identityRecord = key >= identityStart + slack;
      if (header || identityRecord) {
        continue;
      }
      if (!seen.add(key)) {
        dups.add(
            QuarantineRecord.of(
                Long.toString(key),
                new SourceRef(recName, idx.offset(i)),
                QuarantineReason.DUPLICATE_KEY,
                "key "
                    + key
                    + " appears more than once in "
                    + idxPath.getFileName()
                    + "; the first occurrence is used",
                null,
                null,
                null,
                truth.get(Long.toString(key))));
        continue;
      }
      keys[fill] = key;
      offs[fill] = idx.offset(i);
      ids.add(Long.toString(key));
      fill++;
      if (fill == keys.length) {
        shards.add(
            recShard(
                rec,
                recName,
                keys,
                offs,
                fill,
                numClasses,
                identityStart,
                slack,
                dups,
                side(ids, landmarks, truth)));
        fill = 0;
        dups = new ArrayList<>();
        ids = new ArrayList<>();
      }
    }
    if (fill > 0 || !dups.isEmpty()) {
      shards.add(
          recShard(
              rec,
              recName,
              keys,
              offs,
              fill,
              numClasses,
              identityStart,
              slack,
              dups,
              side(ids, landmarks, truth)));
    }
    return new InputPlan(
        InputFormat.RECORDIO, spec.input(), shards, files, numClasses, names, Map.of());
  }

  private static InputShard recShard(
      Path rec,
      String recName,
      long[] keys,
      long[] offs,
      int n,
      @Nullable Integer numClasses,
      long identityStart,
      long slack,
      List<QuarantineRecord> dups,
      SideInfo side) {
    return new InputShard.RecordIO(
        rec.toAbsolutePath().toString(),
        recName,
        java.util.Arrays.copyOf(keys, n),
        java.util.Arrays.copyOf(offs, n),
        numClasses,
        identityStart,
        slack,
        List.copyOf(dups),
        side);
  }

  static Integer readProperty(Path property) {
    try {
      String s = Files.readString(property, StandardCharsets.US_ASCII).trim();
      String first = s.split("[,\\s]+")[0];
      int c = Integer.parseInt(first);
      if (c <= 0) {
        throw new InputException(property, "class count must be > 0, got " + c);
      }
      return c;
    } catch (NumberFormatException e) {
      throw new InputException(property, "expected 'num_classes,height,width'");
    } catch (IOException e) {
      throw new InputException(property, "cannot read: " + e.getMessage(), e);
    }
  }

  static SortedMap<Integer, String> readIdentities(Path file) {
    SortedMap<Integer, String> out = new TreeMap<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        int tab = line.indexOf('\t');
        try {
          out.put(Integer.parseInt(line.substring(0, Math.max(tab, 0))), line.substring(tab + 1));
        } catch (NumberFormatException e) {
          throw new InputException(file, "line " + no + " is not 'label<TAB>name'");
        }
      }
    } catch (IOException e) {
      throw new InputException(file, "cannot read: " + e.getMessage(), e);
    }
    return out;
  }

  // ---------------------------------------------------------------- folders

  private static InputPlan planFolder(
      Spec spec, Map<String, float[]> landmarks, Map<String, NoiseKind> truth) {
    Path root = spec.input();
    if (!Files.isDirectory(root)) {
      throw new InputException(root, "not a folder of identity folders");
    }
    Map<String, Long> skipped = new LinkedHashMap<>();
    List<Path> identityDirs = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.sorted().toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith(".")) {
          skipped.merge("hidden_entries", 1L, Long::sum);
        } else if (Files.isDirectory(p)) {
          identityDirs.add(p);
        } else {
          skipped.merge("top_level_files", 1L, Long::sum);
        }
      }
    } catch (IOException e) {
      throw new InputException(root, "cannot list folder: " + e.getMessage(), e);
    }
    if (identityDirs.isEmpty()) {
      throw new InputException(root, "no identity folders (expected root/<identity>/<image>)");
    }
    SortedMap<Integer, String> names = new TreeMap<>();
    List<InputShard> shards = new ArrayList<>();
    List<InputShard.FolderEntry> batch = new ArrayList<>();
    String rootStr = root.toAbsolutePath().toString();
    int label = 0;
    for (Path dir : identityDirs) {
      String identity = dir.getFileName().toString();
      names.put(label, identity);
      try (Stream<Path> s = Files.list(dir)) {
        for (Path f : s.sorted().toList()) {
          String name = f.getFileName().toString();
          if (name.startsWith(".")) {
            skipped.merge("hidden_entries", 1L, Long::sum);
          } else if (Files.isDirectory(f)) {
            skipped.merge("nested_folders", 1L, Long::sum);
          } else if (ImageFormat.fromFileName(name).isEmpty()) {
            skipped.merge("non_image_files", 1L, Long::sum);
          } else {
            batch.add(new InputShard.FolderEntry(identity + "/" + name, label, identity));
            if (batch.size() == spec.shardSize()) {
              shards.add(folderShard(rootStr, batch, landmarks, truth));
              batch = new ArrayList<>();
            }
          }
        }
      } catch (IOException e) {
        throw new InputException(dir, "cannot list folder: " + e.getMessage(), e);
      }
      label++;
    }
    if (!batch.isEmpty()) {
      shards.add(folderShard(rootStr, batch, landmarks, truth));
    }
    return new InputPlan(
        InputFormat.FOLDER, root, shards, List.of(root), names.size(), names, skipped);
  }

  private static InputShard folderShard(
      String root,
      List<InputShard.FolderEntry> batch,
      Map<String, float[]> landmarks,
      Map<String, NoiseKind> truth) {
    List<String> ids = batch.stream().map(InputShard.FolderEntry::relativePath).toList();
    return new InputShard.Folder(root, List.copyOf(batch), side(ids, landmarks, truth));
  }

  // ---------------------------------------------------------------- Parquet

  private static InputPlan planParquet(
      Spec spec, Map<String, float[]> landmarks, Map<String, NoiseKind> truth) {
    Path in = spec.input();
    List<Path> files;
    if (Files.isDirectory(in)) {
      try (Stream<Path> s = Files.walk(in)) {
        files =
            s.filter(p -> p.toString().toLowerCase(Locale.ROOT).endsWith(".parquet"))
                .filter(Files::isRegularFile)
                .sorted()
                .toList();
      } catch (IOException e) {
        throw new InputException(in, "cannot list folder: " + e.getMessage(), e);
      }
      if (files.isEmpty()) {
        throw new InputException(in, "no .parquet files in this folder");
      }
    } else {
      files = List.of(in);
    }
    List<InputShard> shards = new ArrayList<>();
    Path base = Files.isDirectory(in) ? in : in.toAbsolutePath().getParent();
    for (Path f : files) {
      List<ParquetFiles.RowGroup> groups;
      try {
        org.apache.avro.Schema schema = ParquetFiles.schema(f);
        for (String col : new String[] {spec.columns().image(), spec.columns().label()}) {
          if (schema.getField(col) == null) {
            throw new InputException(
                f,
                "no column '"
                    + col
                    + "' (columns: "
                    + schema.getFields().stream().map(org.apache.avro.Schema.Field::name).toList()
                    + "); see --image-column");
          }
        }
        groups = ParquetFiles.rowGroups(f);
      } catch (IOException | RuntimeException e) {
        if (e instanceof InputException ie) {
          throw ie;
        }
        throw new InputException(f, "not a readable Parquet file: " + e.getMessage(), e);
      }
      String name = base.relativize(f.toAbsolutePath()).toString();
      long row = 0;
      long budget = 0;
      long start = -1;
      long firstRow = 0;
      for (ParquetFiles.RowGroup g : groups) {
        if (start < 0) {
          start = g.start();
          firstRow = row;
        }
        budget += g.rows();
        row += g.rows();
        if (budget >= spec.shardSize()) {
          shards.add(
              pqShard(f, name, start, g.start() + g.length(), firstRow, spec, landmarks, truth));
          start = -1;
          budget = 0;
        }
      }
      if (start >= 0) {
        long end = groups.get(groups.size() - 1).start() + groups.get(groups.size() - 1).length();
        shards.add(pqShard(f, name, start, end, firstRow, spec, landmarks, truth));
      }
    }
    return new InputPlan(InputFormat.PARQUET, in, shards, files, null, new TreeMap<>(), Map.of());
  }

  private static InputShard pqShard(
      Path f,
      String name,
      long start,
      long end,
      long firstRow,
      Spec spec,
      Map<String, float[]> landmarks,
      Map<String, NoiseKind> truth) {
    // Ids of Parquet rows are only known once read, so the shard gets the whole side maps only
    // when they are small; large side files with Parquet input should be columns instead.
    SideInfo side =
        landmarks.isEmpty() && truth.isEmpty() ? SideInfo.NONE : new SideInfo(landmarks, truth);
    return new InputShard.Parquet(
        f.toAbsolutePath().toString(), name, start, end, firstRow, spec.columns(), null, side);
  }

  // ---------------------------------------------------------------- side files

  /**
   * Reads {@code id,truth[,...]} with a header line naming at least {@code id} and {@code truth}.
   */
  public static Map<String, NoiseKind> readTruth(Path file) {
    Map<String, NoiseKind> out = new HashMap<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (header == null) {
        return out;
      }
      List<String> cols = List.of(header.strip().split(","));
      int id = cols.indexOf("id");
      int kind = cols.indexOf("truth");
      if (id < 0 || kind < 0) {
        throw new InputException(file, "header must name the columns 'id' and 'truth'");
      }
      String line;
      int no = 1;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split(",", -1);
        if (f.length != cols.size()) {
          throw new InputException(
              file, "line " + no + " has " + f.length + " fields, expected " + cols.size());
        }
        try {
          out.put(f[id], NoiseKind.parse(f[kind]));
        } catch (IllegalArgumentException e) {
          throw new InputException(
              file,
              "line "
                  + no
                  + ": unknown truth '"
                  + f[kind]
                  + "' (clean, close_set, open_set, corrupt)");
        }
      }
    } catch (NoSuchFileException e) {
      throw new InputException(file, "truth file not found");
    } catch (IOException e) {
      throw new InputException(file, "cannot read: " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Reads {@code id,x1,y1,...,x5,y5} lines (an optional header line is skipped). The id is
   * everything before the last ten fields, so ids may contain commas.
   */
  public static Map<String, float[]> readLandmarks(Path file) {
    Map<String, float[]> out = new HashMap<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.strip().split(",", -1);
        if (f.length < 11) {
          throw new InputException(file, "line " + no + " is not 'id,x1,y1,...,x5,y5'");
        }
        float[] lm = new float[10];
        try {
          for (int i = 0; i < 10; i++) {
            lm[i] = Float.parseFloat(f[f.length - 10 + i].trim());
          }
        } catch (NumberFormatException e) {
          if (no == 1) {
            continue; // header
          }
          throw new InputException(file, "line " + no + " has a non-numeric coordinate");
        }
        out.put(String.join(",", java.util.Arrays.copyOf(f, f.length - 10)), lm);
      }
    } catch (NoSuchFileException e) {
      throw new InputException(file, "landmarks file not found");
    } catch (IOException e) {
      throw new InputException(file, "cannot read: " + e.getMessage(), e);
    }
    return out;
  }
}
