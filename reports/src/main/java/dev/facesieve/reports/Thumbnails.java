package dev.facesieve.reports;

import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.image.ImageDecodeException;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;

/**
 * Small inline images of chosen classes, kept and dropped, and of relabelled faces, for people to
 * judge the decisions.
 *
 * <p>One pass over {@code kept/} and {@code dropped/} reads only {@code id, label, original_label,
 * angle_deg, reason, original_identity, identity, angle_to_target_deg, image}; for each chosen
 * class it keeps, in bounded heaps, the kept faces closest to the dominant sub-centre (what the
 * class is) and the dropped faces farthest from it (what was removed), and among faces moved to
 * another class the ones farthest from their new class (the least certain moves); then it decodes
 * just those and re-encodes them as 56-pixel JPEG data URIs. A moved face is not shown as kept by
 * the class it left.
 */
final class Thumbnails {
  static final int SIZE = 56;

  static final Schema PROJECTION =
      SchemaBuilder.record("CleanedFace")
          .namespace("dev.facesieve")
          .fields()
          .requiredString("id")
          .requiredInt("label")
          .requiredInt("original_label")
          .requiredString("identity")
          .requiredDouble("angle_deg")
          .optionalString("reason")
          .optionalString("original_identity")
          .optionalDouble("angle_to_target_deg")
          .requiredBytes("image")
          .endRecord();

  /** One face shown in the report. */
  record Thumb(String id, double angleDeg, String reason, String dataUri) {}

  /** A class's kept faces closest to its dominant sub-centre and dropped faces farthest from it. */
  record ClassThumbs(List<Thumb> kept, List<Thumb> dropped) {
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

  /** What one pass collected: per chosen class its faces, and the moves shown. */
  record Collected(Map<Integer, ClassThumbs> classes, List<MoveThumb> moves) {
    static final Collected NONE = new Collected(Map.of(), List.of());
  }

  private record Candidate(String id, double angle, String reason, byte[] image) {}

  private record MoveCandidate(GenericRecord r, double angleToNew) {}

  private Thumbnails() {}

  /** Returns the thumbnails of each of {@code labels}, at most {@code perSide} kept and dropped. */
  static Map<Integer, ClassThumbs> collect(Path cleanDir, Set<Integer> labels, int perSide)
      throws IOException {
    return collect(cleanDir, labels, perSide, 0).classes();
  }

  /**
   * Returns the thumbnails of each of {@code labels}, at most {@code perSide} kept and dropped, and
   * of at most {@code moves} relabelled faces, farthest from their new class first.
   */
  static Collected collect(Path cleanDir, Set<Integer> labels, int perSide, int moves)
      throws IOException {
    Map<Integer, PriorityQueue<Candidate>> kept = new HashMap<>();
    Map<Integer, PriorityQueue<Candidate>> dropped = new HashMap<>();
    boolean wantClasses = !labels.isEmpty() && perSide > 0;
    if (!wantClasses && moves <= 0) {
      return Collected.NONE;
    }
    // head: the move to evict, the one closest to its new class
    Comparator<MoveCandidate> byAngleToNew =
        Comparator.comparingDouble(MoveCandidate::angleToNew)
            .thenComparing(m -> m.r().get("id").toString(), Comparator.reverseOrder());
    PriorityQueue<MoveCandidate> moved = new PriorityQueue<>(byAngleToNew);
    // heap heads are the candidate to evict: the largest angle among kept, the smallest among
    // dropped; ids break ties so the choice never depends on file order
    Comparator<Candidate> byAngle =
        Comparator.comparingDouble(Candidate::angle).thenComparing(Candidate::id);
    for (String side : new String[] {"kept", "dropped"}) {
      boolean isKept = side.equals("kept");
      for (Path f : ParquetFiles.list(cleanDir.resolve(side))) {
        ParquetFiles.readColumns(
            f,
            PROJECTION,
            r -> {
              int label = (Integer) r.get("original_label");
              boolean isMove = isKept && r.get("original_identity") != null;
              if (isMove && moves > 0) {
                moved.add(new MoveCandidate(r, (Double) r.get("angle_to_target_deg")));
                if (moved.size() > moves) {
                  moved.poll();
                }
              }
              if (isMove || !wantClasses || !labels.contains(label)) {
                return;
              }
              Object reason = r.get("reason");
              Candidate c =
                  new Candidate(
                      r.get("id").toString(),
                      (Double) r.get("angle_deg"),
                      reason == null ? null : reason.toString(),
                      FaceSchemas.bytes(r.get("image")));
              PriorityQueue<Candidate> q =
                  (isKept ? kept : dropped)
                      .computeIfAbsent(
                          label, k -> new PriorityQueue<>(isKept ? byAngle.reversed() : byAngle));
              q.add(c);
              if (q.size() > perSide) {
                q.poll();
              }
            });
      }
    }
    Map<Integer, ClassThumbs> out = new HashMap<>();
    for (Integer label : wantClasses ? labels : Set.<Integer>of()) {
      List<Thumb> k = thumbs(kept.get(label), Comparator.comparingDouble(Candidate::angle));
      List<Thumb> d =
          thumbs(dropped.get(label), Comparator.comparingDouble(Candidate::angle).reversed());
      out.put(label, new ClassThumbs(k, d));
    }
    List<MoveCandidate> ms = new ArrayList<>(moved);
    ms.sort(byAngleToNew.reversed());
    List<MoveThumb> moveThumbs = new ArrayList<>();
    for (MoveCandidate m : ms) {
      GenericRecord r = m.r();
      moveThumbs.add(
          new MoveThumb(
              r.get("id").toString(),
              (Integer) r.get("original_label"),
              r.get("original_identity").toString(),
              (Integer) r.get("label"),
              r.get("identity").toString(),
              (Double) r.get("angle_deg"),
              m.angleToNew(),
              dataUri(FaceSchemas.bytes(r.get("image")))));
    }
    return new Collected(out, moveThumbs);
  }

  private static List<Thumb> thumbs(PriorityQueue<Candidate> q, Comparator<Candidate> order) {
    if (q == null) {
      return List.of();
    }
    List<Candidate> cs = new ArrayList<>(q);
    cs.sort(order.thenComparing(Candidate::id));
    List<Thumb> out = new ArrayList<>();
    for (Candidate c : cs) {
      out.add(new Thumb(c.id(), c.angle(), c.reason(), dataUri(c.image())));
    }
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
