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

/**
 * Small inline images of chosen classes, kept and dropped, for people to judge the drops.
 *
 * <p>One pass over {@code kept/} and {@code dropped/} reads only {@code id, original_label,
 * angle_deg, reason, image}; for each chosen class it keeps, in bounded heaps, the kept faces
 * closest to the dominant sub-centre (what the class is) and the dropped faces farthest from it
 * (what was removed), then decodes just those and re-encodes them as 56-pixel JPEG data URIs.
 */
final class Thumbnails {
  static final int SIZE = 56;

  static final Schema PROJECTION =
      SchemaBuilder.record("CleanedFace")
          .namespace("dev.facesieve")
          .fields()
          .requiredString("id")
          .requiredInt("original_label")
          .requiredDouble("angle_deg")
          .optionalString("reason")
          .requiredBytes("image")
          .endRecord();

  /** One face shown in the report. */
  record Thumb(String id, double angleDeg, String reason, String dataUri) {}

  /** A class's kept faces closest to its dominant sub-centre and dropped faces farthest from it. */
  record ClassThumbs(List<Thumb> kept, List<Thumb> dropped) {
    static final ClassThumbs NONE = new ClassThumbs(List.of(), List.of());
  }

  private record Candidate(String id, double angle, String reason, byte[] image) {}

  private Thumbnails() {}

  /** Returns the thumbnails of each of {@code labels}, at most {@code perSide} kept and dropped. */
  static Map<Integer, ClassThumbs> collect(Path cleanDir, Set<Integer> labels, int perSide)
      throws IOException {
    Map<Integer, PriorityQueue<Candidate>> kept = new HashMap<>();
    Map<Integer, PriorityQueue<Candidate>> dropped = new HashMap<>();
    if (labels.isEmpty() || perSide <= 0) {
      return Map.of();
    }
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
              if (!labels.contains(label)) {
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
    for (Integer label : labels) {
      List<Thumb> k = thumbs(kept.get(label), Comparator.comparingDouble(Candidate::angle));
      List<Thumb> d =
          thumbs(dropped.get(label), Comparator.comparingDouble(Candidate::angle).reversed());
      out.put(label, new ClassThumbs(k, d));
    }
    return out;
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
