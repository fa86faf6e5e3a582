package dev.facesieve.reports;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.clean.DropReason;
import dev.facesieve.datasets.image.ImageDecodeException;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/**
 * Small inline images for people to judge the decisions: per class the borderline faces (kept
 * farthest from the centre, dropped nearest the threshold), a few typical faces of chosen classes,
 * and the least certain relabelled faces.
 *
 * <p>Two passes over {@code kept/} and {@code dropped/}. The first reads no image bytes: for every
 * class it keeps in bounded heaps the positions (file, row) of the kept faces with the largest
 * {@code angle_deg}, the dropped faces whose {@code angle_deg} is nearest the run's threshold (an
 * {@code OTHER_PERSON} or {@code NON_DOMINANT} drop may lie below it), for chosen classes the kept
 * faces with the smallest angle (what the class is), and among moved faces the ones farthest from
 * their new class. The second reads {@code id} and {@code image} and turns just those rows into
 * 56-pixel JPEG data URIs, which go to a spill file, not to memory: at 100K classes and 6 per side
 * they are over a million images. A moved face is not shown by the class it left. Faces asked for
 * by id (copies of a picture) need the {@code id} column in the first pass too; it is read only
 * then.
 */
final class Thumbnails {
  static final int SIZE = 56;

  static final Schema SCAN = scan(false);

  /** {@link #SCAN} with the face's {@code id}, read only when faces are wanted by id. */
  static final Schema SCAN_WITH_ID = scan(true);

  private static Schema scan(boolean id) {
    var f = SchemaBuilder.record("CleanedFace").namespace("dev.facesieve").fields();
    if (id) {
      f = f.requiredString("id");
    }
    return f.requiredInt("label")
        .requiredInt("original_label")
        .requiredString("identity")
        .requiredDouble("angle_deg")
        .optionalString("reason")
        .optionalString("original_identity")
        .optionalDouble("angle_to_target_deg")
        .endRecord();
  }

  static final Schema IMAGES =
      SchemaBuilder.record("CleanedFace")
          .namespace("dev.facesieve")
          .fields()
          .requiredString("id")
          .requiredBytes("image")
          .endRecord();

  /** One face shown in the report; {@code reason} is null for a kept face. */
  record Thumb(String id, double angleDeg, @Nullable String reason, String dataUri) {}

  /**
   * A class's borderline faces: kept farthest from the centre (farthest first) and dropped nearest
   * the threshold (nearest first).
   */
  record ClassThumbs(List<Thumb> keptFarthest, List<Thumb> droppedNearest) {
    static final ClassThumbs NONE = new ClassThumbs(List.of(), List.of());
  }

  /**
   * A face moved by relabelling.
   *
   * @param fromLabel the class it left
   * @param toNewLabel the new label of the class it joined
   * @param angleToOldDeg the angle its decision was made on, in the class it left
   * @param angleToNewDeg its angle to the new class's centroid
   */
  record MoveThumb(
      String id,
      int fromLabel,
      String fromIdentity,
      int toNewLabel,
      String toIdentity,
      double angleToOldDeg,
      double angleToNewDeg,
      String dataUri) {}

  /**
   * What to collect.
   *
   * @param perSide borderline faces per side of every class, and typical faces per chosen class
   * @param thresholdDeg the threshold the run decided with, on {@code angle_deg}
   * @param typical classes whose faces nearest the centre are wanted
   * @param moves relabelled faces wanted
   * @param ids faces wanted by id (the copies of a picture and the faces they copy)
   */
  record Request(
      int perSide, double thresholdDeg, Set<Integer> typical, int moves, Set<String> ids) {}

  /** A face chosen in the first pass: its angle, reason, position and, once written, offset. */
  private static final class Candidate {
    final double angle;
    @Nullable final String reason;
    final int file;
    final int row;
    long offset = -1;

    Candidate(double angle, @Nullable String reason, int file, int row) {
      this.angle = angle;
      this.reason = reason;
      this.file = file;
      this.row = row;
    }
  }

  private record MoveCandidate(
      Candidate face,
      int fromLabel,
      String fromIdentity,
      int toNewLabel,
      String toIdentity,
      double angleToNew) {}

  private Thumbnails() {}

  /**
   * The collected thumbnails; borderline faces are read back from the spill file on demand. Close
   * it to delete that file.
   */
  static final class Collected implements Closeable {
    private final Map<Integer, List<Candidate>> kept;
    private final Map<Integer, List<Candidate>> dropped;
    private final Map<Integer, List<Thumb>> typical = new HashMap<>();
    private final Map<String, Thumb> byId = new HashMap<>();
    private final List<MoveThumb> moves = new ArrayList<>();
    @Nullable private final Path spill;
    @Nullable private final RandomAccessFile in;

    private Collected(
        Map<Integer, List<Candidate>> kept,
        Map<Integer, List<Candidate>> dropped,
        @Nullable Path spill)
        throws IOException {
      this.kept = kept;
      this.dropped = dropped;
      this.spill = spill;
      this.in = spill == null ? null : new RandomAccessFile(spill.toFile(), "r");
    }

    /** The borderline faces of a class (none when it has no faces or none were asked for). */
    ClassThumbs borderline(int label) throws IOException {
      return new ClassThumbs(read(kept.get(label)), read(dropped.get(label)));
    }

    /**
     * Faces of a chosen class nearest its centre, nearest first: kept faces, and faces dropped with
     * their whole class across classes (a duplicate identity, a test identity), which are the
     * class's person too.
     */
    List<Thumb> typical(int label) {
      return typical.getOrDefault(label, List.of());
    }

    /** A face asked for by id, or null when no face has that id. */
    @Nullable
    Thumb byId(String id) {
      return byId.get(id);
    }

    List<MoveThumb> moves() {
      return moves;
    }

    private List<Thumb> read(@Nullable List<Candidate> cs) throws IOException {
      if (cs == null || in == null) {
        return List.of();
      }
      List<Thumb> out = new ArrayList<>();
      for (Candidate c : cs) {
        in.seek(c.offset);
        String id = readString(in);
        out.add(new Thumb(id, c.angle, c.reason, readString(in)));
      }
      return out;
    }

    @Override
    public void close() throws IOException {
      if (in != null) {
        in.close();
        Files.deleteIfExists(spill);
      }
    }
  }

  /**
   * Collects what {@code request} asks for from a clean output (the folder holding {@code kept/}
   * and {@code dropped/}: a local path or a URI, read where it is); image data URIs of the
   * borderline faces go to {@code spill} (created, and deleted when the result is closed).
   */
  static Collected collect(String cleanDir, Request request, Path spill) throws IOException {
    int perSide = request.perSide();
    double threshold = request.thresholdDeg();
    // heap heads are the candidate to evict; positions break ties so the choice is stable
    Comparator<Candidate> byPosition =
        Comparator.comparingInt((Candidate c) -> c.file).thenComparingInt(c -> c.row);
    Comparator<Candidate> farthestLast = by((Candidate c) -> c.angle).thenComparing(byPosition);
    Comparator<Candidate> nearestThresholdLast =
        by((Candidate c) -> -Math.abs(c.angle - threshold)).thenComparing(byPosition);
    Comparator<Candidate> nearestCentreLast =
        by((Candidate c) -> -c.angle).thenComparing(byPosition);
    Comparator<MoveCandidate> byAngleToNew =
        Comparator.comparingDouble(MoveCandidate::angleToNew)
            .thenComparing(MoveCandidate::face, byPosition);
    Map<Integer, PriorityQueue<Candidate>> kept = new HashMap<>();
    Map<Integer, PriorityQueue<Candidate>> dropped = new HashMap<>();
    Map<Integer, PriorityQueue<Candidate>> typical = new HashMap<>();
    PriorityQueue<MoveCandidate> moved = new PriorityQueue<>(byAngleToNew);
    Map<String, Candidate> wantedById = new HashMap<>();
    boolean byId = !request.ids().isEmpty();
    List<String> files = new ArrayList<>();
    files.addAll(ParquetFiles.list(cleanDir + "/kept"));
    int keptFiles = files.size();
    files.addAll(ParquetFiles.list(cleanDir + "/dropped"));
    if (perSide > 0 || request.moves() > 0 || byId) {
      for (int f = 0; f < files.size(); f++) {
        int file = f;
        boolean isKept = f < keptFiles;
        int[] row = {0};
        ParquetFiles.readColumns(
            files.get(f),
            byId ? SCAN_WITH_ID : SCAN,
            r -> {
              int at = row[0]++;
              int label = (Integer) r.get("original_label");
              double angle = (Double) r.get("angle_deg");
              Object reason = r.get("reason");
              Candidate c =
                  new Candidate(angle, reason == null ? null : reason.toString(), file, at);
              if (byId && request.ids().contains(r.get("id").toString())) {
                wantedById.put(r.get("id").toString(), c);
              }
              if (isKept && CleanSchemas.relabelled(r)) {
                if (request.moves() > 0) {
                  moved.add(
                      new MoveCandidate(
                          c,
                          label,
                          r.get("original_identity").toString(),
                          (Integer) r.get("label"),
                          r.get("identity").toString(),
                          (Double) r.get("angle_to_target_deg")));
                  if (moved.size() > request.moves()) {
                    moved.poll();
                  }
                }
              } else if (perSide > 0 && isKept) {
                offer(kept, label, c, farthestLast, perSide);
                if (request.typical().contains(label)) {
                  offer(typical, label, c, nearestCentreLast, perSide);
                }
              } else if (perSide > 0) {
                offer(dropped, label, c, nearestThresholdLast, perSide);
                if (request.typical().contains(label) && wholeClass(c.reason)) {
                  offer(typical, label, c, nearestCentreLast, perSide);
                }
              }
            });
      }
    }
    Map<Integer, List<Candidate>> keptShown = shown(kept, farthestLast.reversed());
    Map<Integer, List<Candidate>> droppedShown = shown(dropped, nearestThresholdLast.reversed());
    Map<Integer, List<Candidate>> typicalShown = shown(typical, nearestCentreLast.reversed());
    List<MoveCandidate> movesShown = new ArrayList<>(moved);
    movesShown.sort(byAngleToNew.reversed());

    // every face wanted, by file; then one read of id and image per file that has any
    List<List<Candidate>> wanted = new ArrayList<>();
    for (int f = 0; f < files.size(); f++) {
      wanted.add(new ArrayList<>());
    }
    for (Map<Integer, List<Candidate>> m : List.of(keptShown, droppedShown, typicalShown)) {
      m.values().forEach(cs -> cs.forEach(c -> wanted.get(c.file).add(c)));
    }
    movesShown.forEach(m -> wanted.get(m.face().file).add(m.face()));
    wantedById.values().forEach(c -> wanted.get(c.file).add(c));
    if (wanted.stream().allMatch(List::isEmpty)) {
      return new Collected(keptShown, droppedShown, null);
    }
    Files.createDirectories(spill.toAbsolutePath().getParent());
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spill), 1 << 16))) {
      long[] written = {0}; // DataOutputStream counts in an int: the spill may pass 2 GB
      for (int f = 0; f < files.size(); f++) {
        List<Candidate> rows = wanted.get(f);
        if (rows.isEmpty()) {
          continue;
        }
        rows.sort(Comparator.comparingInt(c -> c.row));
        int[] next = {0};
        int[] row = {0};
        List<Candidate> batch = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<byte[]> images = new ArrayList<>();
        ParquetFiles.readColumns(
            files.get(f),
            IMAGES,
            r -> {
              int at = row[0]++;
              // a face may be wanted twice (farthest and nearest of a small class): decoded once
              boolean first = true;
              while (next[0] < rows.size() && rows.get(next[0]).row == at) {
                Candidate c = rows.get(next[0]++);
                if (first) {
                  batch.add(c);
                  ids.add(r.get("id").toString());
                  images.add(FaceSchemas.bytes(r.get("image")));
                  first = false;
                }
              }
              if (batch.size() == BATCH) {
                written[0] = flush(out, written[0], batch, ids, images);
              }
            });
        written[0] = flush(out, written[0], batch, ids, images);
        // second wants of a face share the first one's bytes
        Candidate previous = null;
        for (Candidate c : rows) {
          if (c.offset < 0 && previous != null && previous.row == c.row) {
            c.offset = previous.offset;
          }
          previous = c;
        }
      }
    }
    Collected result = new Collected(keptShown, droppedShown, spill);
    for (var e : typicalShown.entrySet()) {
      result.typical.put(e.getKey(), result.read(e.getValue()));
    }
    for (var e : wantedById.entrySet()) {
      result.byId.put(e.getKey(), result.read(List.of(e.getValue())).get(0));
    }
    for (MoveCandidate m : movesShown) {
      Thumb t = result.read(List.of(m.face())).get(0);
      result.moves.add(
          new MoveThumb(
              t.id(),
              m.fromLabel(),
              m.fromIdentity(),
              m.toNewLabel(),
              m.toIdentity(),
              m.face().angle,
              m.angleToNew(),
              t.dataUri()));
    }
    return result;
  }

  /** True for the reason of a face dropped with its whole class across classes. */
  private static boolean wholeClass(@Nullable String reason) {
    return DropReason.DUPLICATE_IDENTITY.name().equals(reason)
        || DropReason.TEST_OVERLAP.name().equals(reason);
  }

  /** Faces decoded together, in parallel, before they are written in order. */
  private static final int BATCH = 256;

  /**
   * Decodes a batch of images in parallel, writes id and data URI of each to the spill in order,
   * records their offsets and empties the batch; returns the spill's new length.
   */
  private static long flush(
      DataOutputStream out,
      long written,
      List<Candidate> batch,
      List<String> ids,
      List<byte[]> images)
      throws UncheckedIOException {
    String[] uris = images.parallelStream().map(Thumbnails::dataUri).toArray(String[]::new);
    try {
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).offset = written;
        written += writeString(out, ids.get(i));
        written += writeString(out, uris[i]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    batch.clear();
    ids.clear();
    images.clear();
    return written;
  }

  /** Writes a length-prefixed UTF-8 string; returns the bytes written. */
  private static long writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
    return 4L + b.length;
  }

  private static String readString(RandomAccessFile in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static <T> Comparator<T> by(ToDoubleFunction<T> f) {
    return Comparator.comparingDouble(f);
  }

  private static void offer(
      Map<Integer, PriorityQueue<Candidate>> heaps,
      int label,
      Candidate c,
      Comparator<Candidate> evictFirst,
      int size) {
    PriorityQueue<Candidate> q =
        heaps.computeIfAbsent(label, k -> new PriorityQueue<>(size + 1, evictFirst));
    q.add(c);
    if (q.size() > size) {
      q.poll();
    }
  }

  private static Map<Integer, List<Candidate>> shown(
      Map<Integer, PriorityQueue<Candidate>> heaps, Comparator<Candidate> order) {
    Map<Integer, List<Candidate>> out = new HashMap<>();
    heaps.forEach(
        (label, q) -> {
          List<Candidate> cs = new ArrayList<>(q);
          cs.sort(order);
          out.put(label, cs);
        });
    return out;
  }

  /** A {@code SIZE}-pixel JPEG data URI of an image, or a 1×1 grey GIF when it cannot be read. */
  static String dataUri(byte[] image) {
    try {
      BufferedImage src = Images.toRgb(Images.decode(image, 64L << 20).image());
      double scale = (double) SIZE / Math.max(src.getWidth(), src.getHeight());
      int w = Math.max(1, (int) Math.round(src.getWidth() * scale));
      int h = Math.max(1, (int) Math.round(src.getHeight() * scale));
      BufferedImage dst = Images.resize(src, w, h);
      return "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(Images.jpeg(dst, 0.8f));
    } catch (ImageDecodeException | RuntimeException e) {
      return "data:image/gif;base64,R0lGODlhAQABAIAAAMzMzAAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw==";
    }
  }
}
