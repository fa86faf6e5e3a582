package dev.facesieve.datasets.input;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.SourceRef;
import dev.facesieve.datasets.io.Tsv;
import dev.facesieve.datasets.recordio.IRHeader;
import dev.facesieve.datasets.recordio.IdxFile;
import dev.facesieve.datasets.recordio.RecordIOReader;
import java.io.BufferedReader;
import java.io.IOException;
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

/**
 * Plans InsightFace RecordIO input ({@code .rec} + {@code .idx}, optional {@code property} and
 * {@code identities.tsv}) from the index alone.
 *
 * <p>The header record (key 0) and the identity records past the header's identity range are
 * skipped here, so no worker reads them; a key listed twice in the index is quarantined as {@link
 * QuarantineReason#DUPLICATE_KEY} and its first occurrence kept.
 */
final class RecordIOPlanner {
  private RecordIOPlanner() {}

  static InputPlan plan(
      InputPlanner.Spec spec, Map<String, float[]> landmarks, Map<String, NoiseKind> truth) {
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
            shard(
                rec,
                recName,
                keys,
                offs,
                fill,
                numClasses,
                identityStart,
                slack,
                dups,
                SideInfo.forIds(ids, landmarks, truth)));
        fill = 0;
        dups = new ArrayList<>();
        ids = new ArrayList<>();
      }
    }
    if (fill > 0 || !dups.isEmpty()) {
      shards.add(
          shard(
              rec,
              recName,
              keys,
              offs,
              fill,
              numClasses,
              identityStart,
              slack,
              dups,
              SideInfo.forIds(ids, landmarks, truth)));
    }
    return new InputPlan(
        InputFormat.RECORDIO, spec.input(), shards, files, numClasses, names, Map.of());
  }

  private static InputShard shard(
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
        Arrays.copyOf(keys, n),
        Arrays.copyOf(offs, n),
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

  /** Reads {@code label<TAB>name} lines, names escaped as {@link Tsv} writes them. */
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
          out.put(
              Integer.parseInt(line.substring(0, Math.max(tab, 0))),
              Tsv.unescape(line.substring(tab + 1)));
        } catch (NumberFormatException e) {
          throw new InputException(file, "line " + no + " is not 'label<TAB>name'");
        }
      }
    } catch (IOException e) {
      throw new InputException(file, "cannot read: " + e.getMessage(), e);
    }
    return out;
  }
}
