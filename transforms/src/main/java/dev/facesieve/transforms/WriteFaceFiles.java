package dev.facesieve.transforms;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.QuarantineRecord;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Writes prepared faces as {@code <dir>/part-NNNNN-of-MMMMM.parquet} files whose contents depend
 * only on the set of faces, never on how the runner bundled them.
 *
 * <p>A face goes to file {@code murmur3(id) mod files} and, inside its file, faces are ordered by a
 * second 64-bit hash of the id. Training streams these files in a seeded order through a shuffle
 * buffer, so a runner-chosen layout ({@code FileIO} shards by bundle) made the sample order, and
 * the trained model, change from one {@code prepare} run to the next. The hashed order also spreads
 * every identity over all files, which a per-folder layout does not. The cost is one shuffle of the
 * image bytes; a file's faces are sorted in the worker's memory, so {@code files} should keep a
 * file to a few thousand faces ({@link #forFaces}).
 *
 * <p>Since all faces of one id meet in one file, this is where a repeated id (two Parquet rows with
 * one {@code id}) is found: the first by source order (file name, then row or offset) is written,
 * the others are output as {@link QuarantineReason#DUPLICATE_KEY} records, so no later stage sees
 * two faces with one id.
 *
 * <p>Each file is written under a temporary name and renamed, so a retried bundle replaces it with
 * identical bytes and a failed one leaves no file that looks finished. Outputs the names of the
 * files written ({@link #FILES}) and the repeats ({@link #REPEATS}).
 */
public final class WriteFaceFiles extends PTransform<PCollection<FaceRecord>, PCollectionTuple> {
  /** Output: the names of the files written. */
  public static final TupleTag<String> FILES = new TupleTag<>() {};

  /** Output: faces whose id an earlier face (by source order) has, not written. */
  public static final TupleTag<QuarantineRecord> REPEATS = new TupleTag<>() {};

  /** Faces a file holds on average when sized by {@link #forFaces}. */
  public static final int FACES_PER_FILE = 2000;

  private final String directory;
  private final int files;

  private WriteFaceFiles(String directory, int files) {
    this.directory = directory;
    this.files = files;
  }

  /** Writes into {@code dir} (a path or URL Beam's file systems know), one file to begin with. */
  public static WriteFaceFiles to(String dir) {
    checkArgument(dir != null && !dir.isBlank(), "output directory must be set");
    return new WriteFaceFiles(dir, 1);
  }

  /** The number of files, {@code n} ≥ 1; empty files are not written. */
  public WriteFaceFiles withFiles(int n) {
    checkArgument(n > 0, "files must be > 0, got %s", n);
    return new WriteFaceFiles(directory, n);
  }

  /** As many files as keep about {@link #FACES_PER_FILE} faces each for {@code faces} expected. */
  public WriteFaceFiles forFaces(long faces) {
    checkArgument(faces >= 0, "faces must be >= 0, got %s", faces);
    return withFiles(
        (int) Math.max(1, Math.min(99_999, (faces + FACES_PER_FILE - 1) / FACES_PER_FILE)));
  }

  public int files() {
    return files;
  }

  /** The file a face with this id goes to. */
  static int fileOf(String id, int files) {
    return Math.floorMod(
        Hashing.murmur3_32_fixed().hashString(id, StandardCharsets.UTF_8).asInt(), files);
  }

  /**
   * The key that orders faces inside a file; {@code clean}'s RecordIO of the kept set orders each
   * label's faces by it too.
   */
  public static long orderOf(String id) {
    return Hashing.murmur3_128(17).hashString(id, StandardCharsets.UTF_8).asLong();
  }

  static String fileName(int file, int files) {
    return String.format(Locale.ROOT, "part-%05d-of-%05d.parquet", file, files);
  }

  @Override
  public PCollectionTuple expand(PCollection<FaceRecord> faces) {
    PCollectionTuple out =
        faces
            .apply("KeyByFile", ParDo.of(new KeyByFileFn(files)))
            .setCoder(KvCoder.of(VarIntCoder.of(), FaceCoders.faces()))
            .apply("GroupByFile", GroupByKey.create())
            .apply(
                "WriteFile",
                ParDo.of(new WriteFileFn(directory, files))
                    .withOutputTags(FILES, TupleTagList.of(REPEATS)));
    out.get(REPEATS).setCoder(FaceCoders.quarantined());
    return out;
  }

  /** Keys a face by the file it belongs to. */
  static final class KeyByFileFn extends DoFn<FaceRecord, KV<Integer, FaceRecord>> {
    private final int files;

    KeyByFileFn(int files) {
      this.files = files;
    }

    @ProcessElement
    public void process(@Element FaceRecord f, OutputReceiver<KV<Integer, FaceRecord>> out) {
      out.output(KV.of(fileOf(f.id(), files), f));
    }
  }

  /**
   * Sorts one file's faces, sets repeated ids aside and writes the rest through a temporary file.
   */
  static final class WriteFileFn extends DoFn<KV<Integer, Iterable<FaceRecord>>, String> {
    /** A face with its sort key, hashed once rather than at every comparison. */
    private record Keyed(long order, FaceRecord face) {}

    private static final Comparator<Keyed> ORDER =
        Comparator.comparingLong(Keyed::order)
            .thenComparing(k -> k.face().id())
            .thenComparing(k -> k.face().source().file())
            .thenComparingLong(k -> k.face().source().offset())
            .thenComparing(k -> k.face().sha256());

    private final String directory;
    private final int files;

    WriteFileFn(String directory, int files) {
      this.directory = directory;
      this.files = files;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<FaceRecord>> group, MultiOutputReceiver out)
        throws IOException {
      List<Keyed> all = new ArrayList<>();
      group.getValue().forEach(f -> all.add(new Keyed(orderOf(f.id()), f)));
      all.sort(ORDER);
      // one id's faces are adjacent now, the first by source order ahead
      List<Keyed> faces = new ArrayList<>(all.size());
      for (Keyed k : all) {
        FaceRecord kept = faces.isEmpty() ? null : faces.get(faces.size() - 1).face();
        if (kept != null && kept.id().equals(k.face().id())) {
          out.get(REPEATS).output(repeat(k.face(), kept));
        } else {
          faces.add(k);
        }
      }
      String name = fileName(group.getKey(), files);
      ResourceId dir = FileSystems.matchNewResource(directory, true);
      ResourceId target = dir.resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
      // a name of its own per attempt: two attempts at one file must not share a half-written file
      ResourceId temp =
          dir.resolve(
              "." + name + "." + Long.toHexString(Thread.currentThread().getId()) + ".tmp",
              ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
      ParquetSink sink = ParquetSink.of(FaceSchemas.FACE);
      try (WritableByteChannel channel = FileSystems.create(temp, "application/octet-stream")) {
        sink.open(channel);
        for (Keyed k : faces) {
          sink.write(FaceSchemas.toAvro(k.face()));
        }
        sink.flush();
      }
      FileSystems.rename(List.of(temp), List.of(target));
      out.get(FILES).output(name);
    }

    private static QuarantineRecord repeat(FaceRecord f, FaceRecord kept) {
      return QuarantineRecord.of(
          f.id(),
          f.source(),
          QuarantineReason.DUPLICATE_KEY,
          "id '" + f.id() + "' appears more than once; the record at " + kept.source() + " is used",
          f.label(),
          f.identity(),
          f.image(),
          f.truth());
    }
  }
}
