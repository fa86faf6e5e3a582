package dev.facesieve.reports;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Writes the outputs of a clean run whose every number is known: 5 classes × 12 faces, K = 3, D =
 * 8, insightface's rule at 75°, plus a model folder whose classes 3 and 4 have dominant sub-centres
 * 11.3° apart (a planted duplicate identity).
 *
 * <p>In every class: faces 0–8 are clean, nearest the dominant sub-centre 0, at 20°…44°; face 9 is
 * close-set noise nearest sub-centre 1 at 80° (dropped); face 10 is open-set noise nearest the
 * dominant at 70° (kept: missed); face 11 is clean, nearest sub-centre 2 at 60° (kept by drop-py,
 * dropped by strict).
 */
final class FakeCleanRun {
  static final int CLASSES = 5;
  static final int PER_CLASS = 12;
  static final int QUARANTINED = 3;

  private FakeCleanRun() {}

  static double angle(int i) {
    return i < 9 ? 20 + 3 * i : i == 9 ? 80 : i == 10 ? 70 : 60;
  }

  static int nearest(int i) {
    return i == 9 ? 1 : i == 11 ? 2 : 0;
  }

  static String truth(int i) {
    return i == 9 ? "close_set" : i == 10 ? "open_set" : "clean";
  }

  /** Writes {@code <dir>/clean} and {@code <dir>/model}; returns the clean folder. */
  static Path write(Path dir) throws Exception {
    Path clean = dir.resolve("clean");
    Path model = dir.resolve("model");
    Files.createDirectories(clean.resolve("kept"));
    Files.createDirectories(clean.resolve("dropped"));
    Files.createDirectories(model);
    List<GenericRecord> kept = new ArrayList<>();
    List<GenericRecord> dropped = new ArrayList<>();
    List<GenericRecord> classes = new ArrayList<>();
    for (int c = 0; c < CLASSES; c++) {
      int[] perSub = new int[3];
      double sum = 0;
      double max = 0;
      for (int i = 0; i < PER_CLASS; i++) {
        boolean isDropped = angle(i) > 75;
        perSub[nearest(i)]++;
        sum += angle(i);
        max = Math.max(max, angle(i));
        GenericRecord r = new GenericData.Record(CleanSchemas.CLEANED);
        byte[] img = image(c, i);
        r.put("id", "c" + c + "/" + i + ".jpg");
        r.put("label", isDropped ? -1 : c);
        r.put("identity", "person_" + c);
        r.put("image", ByteBuffer.wrap(img));
        r.put("format", "jpeg");
        r.put("width", 32);
        r.put("height", 32);
        r.put("sha256", LocalFiles.sha256(img));
        GenericRecord src = new GenericData.Record(FaceSchemas.SOURCE);
        src.put("file", "c" + c + "/" + i + ".jpg");
        src.put("offset", -1L);
        r.put("source", src);
        r.put("truth", truth(i));
        r.put("original_label", c);
        r.put("angle_deg", angle(i));
        r.put("nearest_sub_center", nearest(i));
        r.put("dominant_sub_center", 0);
        r.put("cosines", FaceSchemas.floatList(new float[] {0.9f, 0.1f, 0.2f}));
        r.put("reason", isDropped ? "OUTLIER_ANGLE" : null);
        (isDropped ? dropped : kept).add(r);
      }
      GenericRecord row = new GenericData.Record(CleanSchemas.CLASS);
      row.put("label", c);
      row.put("identity", "person_" + c);
      row.put("new_label", c);
      row.put("samples", PER_CLASS);
      row.put("samples_per_sub_center", List.of(perSub[0], perSub[1], perSub[2]));
      row.put("dominant_sub_center", 0);
      row.put("dominant_share", perSub[0] / (double) PER_CLASS);
      row.put("kept", PER_CLASS - 1);
      row.put("dropped_outlier_angle", 1);
      row.put("dropped_non_dominant", 0);
      row.put("dropped_small_class", 0);
      row.put("dropped_other_person", 0);
      row.put("relabelled_out", 0);
      row.put("mean_angle_deg", sum / PER_CLASS);
      row.put("max_angle_deg", max);
      classes.add(row);
    }
    ParquetFiles.write(clean.resolve("kept/part-0.parquet"), CleanSchemas.CLEANED, kept);
    ParquetFiles.write(clean.resolve("dropped/part-0.parquet"), CleanSchemas.CLEANED, dropped);
    ParquetFiles.write(clean.resolve("classes.parquet"), CleanSchemas.CLASS, classes);
    ParquetFiles.write(model.resolve("centres.parquet"), CENTRES, centres());

    // what CleanJob writes for such a run: every key, alphabetical
    CleanSummary summary =
        new CleanSummary(
            CleanSummary.STAGE,
            "test",
            CLASSES * PER_CLASS + QUARANTINED,
            QUARANTINED,
            Map.of("UNDECODABLE_IMAGE", (long) QUARANTINED),
            kept.size(),
            0,
            dropped.size(),
            Map.of("OUTLIER_ANGLE", 5L, "NON_DOMINANT", 0L, "SMALL_CLASS", 0L, "OTHER_PERSON", 0L),
            CLASSES,
            CLASSES,
            dropped.size() / (double) (kept.size() + dropped.size()),
            new CleanSummary.Options(
                "drop-py", 75.0, false, null, false, 3, false, 0, null, false, false, "direct"),
            null,
            dir.resolve("prepared").toString(),
            "fingerprint-of-prepared",
            model.toString(),
            "0",
            "fingerprint-of-prepared",
            true,
            new CleanSummary.QualityVsTruth(
                2L * CLASSES,
                dropped.size(),
                dropped.size(),
                1.0,
                0.5,
                2 / 3.0,
                0,
                CleanSummary.QualityVsTruth.NOTE,
                0,
                0,
                0,
                null));
    Files.writeString(clean.resolve(CleanSummary.FILE), StageJson.write(summary));
    return clean;
  }

  static final Schema CENTRES = CleanSchemas.CENTRES;

  /** Dominant sub-centre of class c is e_c, except class 4: e_3 + 0.2·e_7 (11.3° from class 3). */
  static List<GenericRecord> centres() {
    List<GenericRecord> out = new ArrayList<>();
    for (int c = 0; c < CLASSES; c++) {
      for (int k = 0; k < 3; k++) {
        float[] v = new float[8];
        if (k == 0) {
          if (c == 4) {
            v[3] = 1f;
            v[7] = 0.2f;
          } else {
            v[c] = 1f;
          }
        } else {
          v[4 + k] = 1f;
          v[c] = 0.3f * k;
        }
        GenericRecord r = new GenericData.Record(CENTRES);
        r.put("class", c);
        r.put("sub_center", k);
        r.put("identity", "person_" + c);
        r.put("vector", FaceSchemas.floatList(v));
        out.add(r);
      }
    }
    return out;
  }

  static byte[] image(int c, int i) {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.getHSBColor(c / (float) CLASSES, 0.6f, 0.9f));
    g.fillRect(0, 0, 32, 32);
    g.setColor(Color.DARK_GRAY);
    g.fillOval(4 + i, 6, 14, 18);
    g.dispose();
    return Images.jpeg(img, 0.9f);
  }
}
