package dev.facesieve.datasets.input;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.io.HadoopFiles;
import dev.facesieve.datasets.io.Tsv;
import dev.facesieve.datasets.recordio.IRHeader;
import dev.facesieve.datasets.recordio.IdxFile;
import dev.facesieve.datasets.recordio.RecordIOException;
import dev.facesieve.datasets.recordio.RecordIOReader;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * Plans InsightFace RecordIO input ({@code .rec} + {@code .idx}, optional {@code property} and
 * {@code identities.tsv}) from the index alone.
 *
 * <p>Every {@code .idx} entry goes into a shard: the header record (key 0) and the identity records
 * are told from images by their content when read, never by their key alone, so a header that
 * declares a wrong identity range loses no image. A key listed again later in the index is
 * quarantined as {@link dev.facesieve.datasets.QuarantineReason#DUPLICATE_KEY} by the shard reader
 * and its first occurrence kept.
 */
final class RecordIOPlanner {
  private RecordIOPlanner() {}

  static InputPlan plan(
      InputPlanner.Spec spec, Map<String, float[]> landmarks, Map<String, SideFiles.Truth> truth) {
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

    return build(
        spec.input().toString(),
        List.copyOf(files),
        List.of(),
        rec.toAbsolutePath().toString(),
        rec.getFileName().toString(),
        idx,
        numClasses,
        names,
        spec.shardSize(),
        landmarks,
        truth);
  }

  /**
   * Plans a RecordIO input on a Hadoop file system ({@code hdfs://…}): the {@code .rec} file or the
   * folder holding it, as {@link #plan} does locally; the shards name the {@code .rec} by its URI.
   */
  static InputPlan planRemote(
      URI input,
      int shardSize,
      Map<String, float[]> landmarks,
      Map<String, SideFiles.Truth> truth) {
    String where = input.toString();
    try {
      FileSystem fs = HadoopFiles.fileSystem(input);
      org.apache.hadoop.fs.Path rec = new org.apache.hadoop.fs.Path(input);
      FileStatus status;
      try {
        status = fs.getFileStatus(rec);
      } catch (FileNotFoundException e) {
        throw new InputException(where, "input not found");
      }
      if (status.isDirectory()) {
        org.apache.hadoop.fs.Path train = new org.apache.hadoop.fs.Path(rec, "train.rec");
        if (fs.isFile(train)) {
          rec = train;
        } else {
          List<org.apache.hadoop.fs.Path> recs = new ArrayList<>();
          for (FileStatus f : fs.listStatus(rec)) {
            if (f.isFile() && f.getPath().getName().endsWith(".rec")) {
              recs.add(f.getPath());
            }
          }
          if (recs.size() != 1) {
            throw new InputException(
                where,
                recs.isEmpty()
                    ? "no .rec file in this folder"
                    : "several .rec files and no train.rec; name one");
          }
          rec = recs.get(0);
        }
      } else if (!rec.getName().endsWith(".rec")) {
        throw new InputException(where, "not a .rec file; only RecordIO is read from a URI yet");
      }
      String name = rec.getName();
      org.apache.hadoop.fs.Path dir = rec.getParent();
      URI recUri = fs.makeQualified(rec).toUri();
      URI idxUri =
          fs.makeQualified(
                  new org.apache.hadoop.fs.Path(
                      dir, name.substring(0, name.length() - ".rec".length()) + ".idx"))
              .toUri();
      IdxFile idx = IdxFile.read(idxUri);
      if (idx.size() == 0) {
        throw new InputException(idxUri.toString(), "index file is empty");
      }
      List<URI> files = new ArrayList<>(List.of(recUri, idxUri));
      Integer numClasses = null;
      org.apache.hadoop.fs.Path property = new org.apache.hadoop.fs.Path(dir, "property");
      if (fs.isFile(property)) {
        URI u = fs.makeQualified(property).toUri();
        files.add(u);
        try (InputStream in = fs.open(property)) {
          numClasses =
              parseProperty(u.toString(), new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
      }
      SortedMap<Integer, String> names = new TreeMap<>();
      org.apache.hadoop.fs.Path identities = new org.apache.hadoop.fs.Path(dir, "identities.tsv");
      if (fs.isFile(identities)) {
        URI u = fs.makeQualified(identities).toUri();
        files.add(u);
        try (BufferedReader r =
            new BufferedReader(
                new InputStreamReader(fs.open(identities), StandardCharsets.UTF_8))) {
          names = readIdentities(u.toString(), r);
        }
      }
      return build(
          where,
          List.of(),
          files,
          recUri.toString(),
          name,
          idx,
          numClasses,
          names,
          shardSize,
          landmarks,
          truth);
    } catch (IOException e) {
      throw new InputException(where, "cannot read: " + e.getMessage(), e);
    }
  }

  /** The shards of a {@code .rec} file whose index, class count and names have been read. */
  private static InputPlan build(
      String input,
      List<Path> files,
      List<URI> remoteFiles,
      String recFile,
      String recName,
      IdxFile idx,
      @Nullable Integer numClasses,
      SortedMap<Integer, String> names,
      int shardSize,
      Map<String, float[]> landmarks,
      Map<String, SideFiles.Truth> truth) {
    long identityStart = Long.MAX_VALUE;
    long slack = 0;
    long off0 = idx.offsetOf(0);
    if (off0 >= 0) {
      try (RecordIOReader r = RecordIOReader.open(recFile)) {
        // a header record has no image: a longer record 0 is an image record, left unread here
        IRHeader.Unpacked u = headerOrNull(r, off0);
        if (u != null && isHeader(u)) {
          float a = u.header().labels()[0];
          identityStart = (long) a;
          // float32 holds integers exactly only below 2^24: past that the bound is approximate
          // and keys within one ulp of it are classified by content in the shard reader.
          slack = a < (1 << 24) ? 0 : (long) Math.ceil(Math.ulp(a));
        }
      } catch (IOException | IllegalArgumentException e) {
        throw new InputException(
            recFile, "cannot read record 0 (the header record): " + e.getMessage());
      }
    }
    List<InputShard> shards = new ArrayList<>();
    Set<Long> seen = new HashSet<>(idx.size() * 2);
    int n = idx.size();
    long[] keys = new long[shardSize];
    long[] offs = new long[shardSize];
    int fill = 0;
    LongList dupKeys = new LongList();
    LongList dupOffs = new LongList();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long key = idx.key(i);
      if (!seen.add(key)) {
        dupKeys.add(key);
        dupOffs.add(idx.offset(i));
        continue;
      }
      keys[fill] = key;
      offs[fill] = idx.offset(i);
      ids.add(Long.toString(key));
      fill++;
      if (fill == keys.length) {
        shards.add(
            shard(
                recFile,
                recName,
                keys,
                offs,
                fill,
                numClasses,
                identityStart,
                slack,
                dupKeys,
                dupOffs,
                SideInfo.forIds(ids, landmarks, truth)));
        fill = 0;
        dupKeys = new LongList();
        dupOffs = new LongList();
        ids = new ArrayList<>();
      }
    }
    if (fill > 0 || dupKeys.size > 0) {
      shards.add(
          shard(
              recFile,
              recName,
              keys,
              offs,
              fill,
              numClasses,
              identityStart,
              slack,
              dupKeys,
              dupOffs,
              SideInfo.forIds(ids, landmarks, truth)));
    }
    return new InputPlan(
        InputFormat.RECORDIO, input, shards, files, numClasses, names, Map.of(), remoteFiles);
  }

  /** Record 0, or null when its chunk headers declare more than any header record takes. */
  @Nullable
  private static IRHeader.Unpacked headerOrNull(RecordIOReader r, long offset) throws IOException {
    try {
      return IRHeader.unpack(r.read(offset, IRHeader.MAX_SIZE));
    } catch (RecordIOException e) {
      if (e.kind() == RecordIOException.Kind.TOO_LARGE) {
        return null;
      }
      throw e;
    }
  }

  /**
   * Whether record 0 is InsightFace's header: no image, and at least two labels of which the first
   * two are the identity key range {@code [start, end)}, {@code 1 <= start <= end}.
   *
   * <p>im2rec writes multi-label image records from key 0 on, whose labels may look like such a
   * range: the empty image tells them apart. Trusting the labels alone made {@code prepare} skip
   * every key past the first label (issue 18).
   */
  static boolean isHeader(IRHeader.Unpacked u) {
    float[] l = u.header().labels();
    return u.header().flag() > 0
        && u.image().length == 0
        && l.length >= 2
        && Float.isFinite(l[0])
        && Float.isFinite(l[1])
        && l[0] == Math.rint(l[0])
        && l[0] >= 1
        && l[1] >= l[0];
  }

  /** A growable array of longs. */
  private static final class LongList {
    long[] values = new long[4];
    int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }

  private static InputShard shard(
      String recFile,
      String recName,
      long[] keys,
      long[] offs,
      int n,
      @Nullable Integer numClasses,
      long identityStart,
      long slack,
      LongList dupKeys,
      LongList dupOffs,
      SideInfo side) {
    return new InputShard.RecordIO(
        recFile,
        recName,
        Arrays.copyOf(keys, n),
        Arrays.copyOf(offs, n),
        numClasses,
        identityStart,
        slack,
        dupKeys.toArray(),
        dupOffs.toArray(),
        side);
  }

  static Integer readProperty(Path property) {
    try {
      return parseProperty(
          property.toString(), Files.readString(property, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new InputException(property, "cannot read: " + e.getMessage(), e);
    }
  }

  private static Integer parseProperty(String where, String content) {
    try {
      String first = content.trim().split("[,\\s]+")[0];
      int c = Integer.parseInt(first);
      if (c <= 0) {
        throw new InputException(where, "class count must be > 0, got " + c);
      }
      return c;
    } catch (NumberFormatException e) {
      throw new InputException(where, "expected 'num_classes,height,width'");
    }
  }

  /** Reads {@code label<TAB>name} lines, names escaped as {@link Tsv} writes them. */
  static SortedMap<Integer, String> readIdentities(Path file) {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return readIdentities(file.toString(), r);
    } catch (IOException e) {
      throw new InputException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  private static SortedMap<Integer, String> readIdentities(String file, BufferedReader r)
      throws IOException {
    SortedMap<Integer, String> out = new TreeMap<>();
    {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        int tab = line.indexOf('\t');
        try {
          out.put(
              Integer.parseInt(line.substring(0, Math.max(tab, 0))),
              Tsv.unescape(line.substring(tab + 1)));
        } catch (NumberFormatException e) {
          throw new InputException(file, "line " + no + " is not 'label<TAB>name'");
        }
      }
    }
    return out;
  }
}
