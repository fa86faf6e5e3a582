package dev.facesieve.reports;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.InterClassPolicy;
import dev.facesieve.datasets.clean.PersonCuts;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.InterClassFiles;
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
 * 8, insightface's rule at 75°; {@link #writeInterClass} adds what cleaning across classes found.
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
      for (int i = 0; i < PER_CLASS; i++) {
        boolean isDropped = angle(i) > 75;
        perSub[nearest(i)]++;
        GenericRecord r = face(c, i, isDropped ? -1 : c, angle(i));
        r.put("cosines", FaceSchemas.floatList(new float[] {0.9f, 0.1f, 0.2f}));
        r.put("reason", isDropped ? "OUTLIER_ANGLE" : null);
        (isDropped ? dropped : kept).add(r);
      }
      GenericRecord row = classRow(c, perSub, PER_CLASS - 1);
      row.put("dropped_outlier_angle", 1);
      classes.add(row);
    }
    ParquetFiles.write(clean.resolve("kept/part-0.parquet"), CleanSchemas.CLEANED, kept);
    ParquetFiles.write(clean.resolve("dropped/part-0.parquet"), CleanSchemas.CLEANED, dropped);
    ParquetFiles.write(clean.resolve("classes.parquet"), CleanSchemas.CLASS, classes);

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
                null),
            0,
            null);
    Files.writeString(clean.resolve(CleanSummary.FILE), StageJson.write(summary));
    return clean;
  }

  /**
   * Writes the outputs of a {@code subclass} run with auto thresholds (outlier cut 62.5°, another
   * person 50°) and {@code --relabel}, same 5 × 12 faces; returns the clean folder.
   *
   * <p>Decision angles ({@code angle_deg}, to the person's centroid) are {@link #angle}; the angle
   * to the dominant sub-centre, in the {@code cosines} column, is 5.5° more. In every class: faces
   * 0–8 and 11 are kept; face 10 (open set, 70°) is dropped {@code OUTLIER_ANGLE}; face 9 (close
   * set, nearest sub-centre 1, 80°) is another person: dropped {@code OTHER_PERSON} in classes 2–4,
   * and in classes 0 and 1 moved to {@code person_2} (32° and 33° from it). The summary says one of
   * the two moves went to the true identity.
   */
  static Path writeSubclass(Path dir) throws Exception {
    Path clean = dir.resolve("clean");
    Files.createDirectories(clean.resolve("kept"));
    Files.createDirectories(clean.resolve("dropped"));
    List<GenericRecord> kept = new ArrayList<>();
    List<GenericRecord> dropped = new ArrayList<>();
    List<GenericRecord> classes = new ArrayList<>();
    for (int c = 0; c < CLASSES; c++) {
      boolean moves = c < 2;
      for (int i = 0; i < PER_CLASS; i++) {
        String reason = i == 10 ? "OUTLIER_ANGLE" : i == 9 && !moves ? "OTHER_PERSON" : null;
        boolean moved = i == 9 && moves;
        GenericRecord r = face(c, i, reason == null ? (moved ? 2 : c) : -1, angle(i));
        float[] cos = {0.1f, 0.1f, 0.1f};
        cos[0] = (float) Math.cos(Math.toRadians(angle(i) + 5.5));
        r.put("cosines", FaceSchemas.floatList(cos));
        r.put("reason", reason);
        if (moved) {
          r.put("identity", "person_2");
          r.put("original_identity", "person_" + c);
          r.put("angle_to_target_deg", 32.0 + c);
        }
        (reason == null ? kept : dropped).add(r);
      }
      GenericRecord row = classRow(c, new int[] {10, 1, 1}, 10);
      row.put("dropped_outlier_angle", 1);
      row.put("dropped_other_person", moves ? 0 : 1);
      row.put("relabelled_out", moves ? 1 : 0);
      // the evidence each sub-class was judged on: sub-centre 1 beyond the 50° cut
      row.put("sub_class_angle_deg", List.of(0.0, 60.0 + c, 30.0));
      row.put("sub_class_spread_deg", List.of(30.0, 20.0, 70.0));
      row.put("sub_class_other_person", List.of(false, !moves, false));
      classes.add(row);
    }
    ParquetFiles.write(clean.resolve("kept/part-0.parquet"), CleanSchemas.CLEANED, kept);
    ParquetFiles.write(clean.resolve("dropped/part-0.parquet"), CleanSchemas.CLEANED, dropped);
    ParquetFiles.write(clean.resolve("classes.parquet"), CleanSchemas.CLASS, classes);
    long[] sameClass = new long[180];
    sameClass[20] = 5;
    sameClass[80] = 5;
    long[] nearestOther = new long[180];
    nearestOther[52] = 1;
    nearestOther[58] = 4;
    long[] faces = new long[180];
    for (int i = 0; i < 9; i++) {
      faces[(int) angle(i)] += 5;
    }
    Calibration calibration =
        new Calibration(
            50.0,
            62.5,
            35.0,
            41.0,
            8.0,
            new Calibration.Evidence(
                CLASSES,
                CLASSES,
                52.5,
                32.0,
                26.0,
                sameClass,
                nearestOther,
                faces,
                30.0,
                new long[180],
                new long[180],
                Double.NaN),
            new PersonCuts.Evidence(
                62.5,
                1000,
                new long[180],
                0.012,
                34.0,
                30.0,
                70.0,
                50.0,
                new double[] {62.3, 62.8},
                new double[] {49.5, 50.4}));
    CleanSummary summary =
        new CleanSummary(
            CleanSummary.STAGE,
            "test",
            CLASSES * PER_CLASS,
            0,
            Map.of(),
            kept.size(),
            2,
            dropped.size(),
            Map.of("OUTLIER_ANGLE", 5L, "NON_DOMINANT", 0L, "SMALL_CLASS", 0L, "OTHER_PERSON", 3L),
            CLASSES,
            CLASSES,
            dropped.size() / (double) (kept.size() + dropped.size()),
            new CleanSummary.Options(
                "subclass", 62.5, true, 50.0, true, 3, true, 0, null, false, false, "direct"),
            calibration,
            dir.resolve("prepared").toString(),
            "fingerprint-of-prepared",
            dir.resolve("no-model").toString(),
            "0",
            "fingerprint-of-prepared",
            true,
            new CleanSummary.QualityVsTruth(
                2L * CLASSES,
                dropped.size(),
                dropped.size(),
                1.0,
                0.8,
                8 / 9.0,
                0,
                CleanSummary.QualityVsTruth.NOTE,
                2,
                2,
                1,
                0.5),
            0,
            null);
    Files.writeString(clean.resolve(CleanSummary.FILE), StageJson.write(summary));
    return clean;
  }

  /** The test set a {@link #writeInterClass} run was compared with. */
  static final String TEST_SET = "/data/test-set";

  /**
   * Writes the outputs of a {@code drop-py} run at 75° (the faces of {@link #write}) that also
   * cleaned across classes, with {@code --duplicate-identities drop}, {@code --duplicate-images
   * drop} and a test set; returns the clean folder.
   *
   * <ul>
   *   <li>Classes 3 and 4 are one person (group 0, keeper 3, 31.5° apart): all 12 faces of class 4
   *       are dropped {@code DUPLICATE_IDENTITY}.
   *   <li>Class 2 is test identity {@code test_person_2} (22° from it): its 12 faces are dropped
   *       {@code TEST_OVERLAP}.
   *   <li>In class 0, face 1 is a near copy of face 0 (2.5°) and face 2 an exact copy of face 3:
   *       both dropped {@code DUPLICATE_IMAGE}. Face 5 of class 1 is an exact copy of face 5 of
   *       class 0, both kept (each decided by its class).
   *   <li>Every other face as in {@link #write}: face 9 dropped {@code OUTLIER_ANGLE}.
   * </ul>
   */
  static Path writeInterClass(Path dir) throws Exception {
    return writeInterClass(dir, null);
  }

  /**
   * {@link #writeInterClass(Path)} with the given truth metrics across classes in its summary, as a
   * run on data with a ground truth has them.
   */
  static Path writeInterClass(
      Path dir, @javax.annotation.Nullable CleanSummary.InterClass.Truth truth) throws Exception {
    Path clean = dir.resolve("clean");
    Files.createDirectories(clean.resolve("kept"));
    Files.createDirectories(clean.resolve("dropped"));
    List<GenericRecord> kept = new ArrayList<>();
    List<GenericRecord> dropped = new ArrayList<>();
    List<GenericRecord> classes = new ArrayList<>();
    Map<String, Long> byReason = new java.util.TreeMap<>();
    int newLabel = 0;
    for (int c = 0; c < CLASSES; c++) {
      int[] perSub = new int[3];
      int[] byClassReason = new int[4]; // outlier, duplicate identity, duplicate image, test
      for (int i = 0; i < PER_CLASS; i++) {
        perSub[nearest(i)]++;
        String reason =
            c == 4
                ? "DUPLICATE_IDENTITY"
                : c == 2 ? "TEST_OVERLAP" : angle(i) > 75 ? "OUTLIER_ANGLE" : null;
        GenericRecord r = face(c, i, -1, angle(i));
        if (c == 0 && (i == 1 || i == 2)) {
          reason = "DUPLICATE_IMAGE";
          r.put("duplicate_of", "c0/" + (i == 1 ? 0 : 3) + ".jpg");
          r.put("angle_to_duplicate_deg", i == 1 ? 2.5 : 0.0);
          r.put("duplicate_exact", i == 2);
        }
        r.put("label", reason == null ? newLabel : -1);
        r.put("cosines", FaceSchemas.floatList(new float[] {0.9f, 0.1f, 0.2f}));
        r.put("reason", reason);
        (reason == null ? kept : dropped).add(r);
        if (reason != null) {
          byReason.merge(reason, 1L, Long::sum);
          byClassReason[
              switch (reason) {
                case "OUTLIER_ANGLE" -> 0;
                case "DUPLICATE_IDENTITY" -> 1;
                case "DUPLICATE_IMAGE" -> 2;
                default -> 3;
              }]++;
        }
      }
      int keptHere = PER_CLASS - java.util.Arrays.stream(byClassReason).sum();
      GenericRecord row = classRow(c, perSub, keptHere);
      row.put("new_label", keptHere > 0 ? newLabel : -1);
      newLabel += keptHere > 0 ? 1 : 0;
      row.put("dropped_outlier_angle", byClassReason[0]);
      row.put("dropped_duplicate_identity", byClassReason[1]);
      row.put("dropped_duplicate_image", byClassReason[2]);
      row.put("dropped_test_overlap", byClassReason[3]);
      if (c >= 3) {
        row.put("duplicate_group", 0);
        row.put("group_keeper_label", 3);
        row.put("angle_to_keeper_deg", c == 3 ? 0.0 : 31.5);
      }
      if (c == 2) {
        row.put("test_identity", "test_person_2");
        row.put("angle_to_test_deg", 22.0);
      }
      classes.add(row);
    }
    ParquetFiles.write(clean.resolve("kept/part-0.parquet"), CleanSchemas.CLEANED, kept);
    ParquetFiles.write(clean.resolve("dropped/part-0.parquet"), CleanSchemas.CLEANED, dropped);
    ParquetFiles.write(clean.resolve("classes.parquet"), CleanSchemas.CLASS, classes);
    // the lines as the clean stage writes them
    List<String> merges = new ArrayList<>();
    List<String> overlap = new ArrayList<>();
    for (GenericRecord row : classes) {
      ClassSummary c = ClassSummary.fromAvro(row);
      String m = InterClassFiles.mergeLine(c, InterClassPolicy.DuplicateIdentities.DROP);
      String t = InterClassFiles.testOverlapLine(c);
      if (m != null) {
        merges.add(m);
      }
      if (t != null) {
        overlap.add(t);
      }
    }
    List<String> copies = new ArrayList<>();
    for (GenericRecord r : dropped) {
      if (r.get("duplicate_of") != null) {
        copies.add(InterClassFiles.withinClassLine(r));
      }
    }
    copies.add(
        InterClassFiles.acrossClassesLine("c1/5.jpg", 1, "person_1", "c0/5.jpg", 0, "person_0"));
    csv(clean.resolve(InterClassFiles.MERGES), InterClassFiles.MERGES_HEADER, merges);
    csv(
        clean.resolve(InterClassFiles.DUPLICATE_IMAGES),
        InterClassFiles.DUPLICATE_IMAGES_HEADER,
        copies);
    csv(clean.resolve(InterClassFiles.TEST_OVERLAP), InterClassFiles.TEST_OVERLAP_HEADER, overlap);
    long[] splitHalf = new long[180];
    splitHalf[10] = 3;
    splitHalf[14] = 2;
    long[] nearestOther = new long[180];
    nearestOther[31] = 2;
    nearestOther[62] = 3;
    long[] faces = new long[180];
    long[] nearestFace = new long[180];
    for (int i = 0; i < 9; i++) {
      faces[(int) angle(i)] += 5;
      nearestFace[3 + i] += 5;
    }
    nearestFace[2] = 1;
    Calibration calibration =
        new Calibration(
            50.0,
            62.5,
            35.0,
            32.0,
            8.0,
            new Calibration.Evidence(
                CLASSES,
                CLASSES,
                31.5,
                32.0,
                26.0,
                new long[180],
                nearestOther,
                faces,
                14.0,
                splitHalf,
                nearestFace,
                Double.NaN),
            null);
    CleanSummary summary =
        new CleanSummary(
            CleanSummary.STAGE,
            "test",
            CLASSES * PER_CLASS,
            0,
            Map.of(),
            kept.size(),
            0,
            dropped.size(),
            byReason,
            CLASSES,
            newLabel,
            dropped.size() / (double) (kept.size() + dropped.size()),
            new CleanSummary.Options(
                "drop-py", 75.0, false, null, false, 3, false, 0, null, false, false, "direct"),
            calibration,
            dir.resolve("prepared").toString(),
            "fingerprint-of-prepared",
            dir.resolve("model").toString(),
            "0",
            "fingerprint-of-prepared",
            true,
            null,
            CLASSES * PER_CLASS,
            new CleanSummary.InterClass(
                "drop", 32.0, true, 1, 2, 0, "drop", 8.0, true, 2, 1, TEST_SET, 3, 1, truth, null));
    Files.writeString(clean.resolve(CleanSummary.FILE), StageJson.write(summary));
    return clean;
  }

  private static void csv(Path file, String header, List<String> lines) throws Exception {
    StringBuilder sb = new StringBuilder(header).append('\n');
    lines.forEach(l -> sb.append(l).append('\n'));
    Files.writeString(file, sb.toString());
  }

  /** Every {@link #writeMany} class whose label ends in this (mod 1000) drops both its faces. */
  static final int MOSTLY_LOST_MOD = 7;

  /**
   * Writes the outputs of a {@code drop-py} run at 75° with {@code classes} classes of two faces,
   * all with one 32-pixel image (for size tests at 100K classes); returns the clean folder.
   *
   * <p>In class {@code c} ({@code identity person_c}): face 0 is kept at {@code 30 + c % 40}°, face
   * 1 is dropped {@code OUTLIER_ANGLE} at {@code 76 + c % 20}°; a class with {@code c % 1000 ==}
   * {@link #MOSTLY_LOST_MOD} drops face 0 too, at 90°. No model folder.
   */
  static Path writeMany(Path dir, int classes) throws Exception {
    return writeMany(dir, classes, image(0, 0));
  }

  /** {@link #writeMany} with {@code img} as every face's image. */
  static Path writeMany(Path dir, int classes, byte[] img) throws Exception {
    Path clean = dir.resolve("clean");
    Files.createDirectories(clean.resolve("kept"));
    Files.createDirectories(clean.resolve("dropped"));
    ByteBuffer image = ByteBuffer.wrap(img);
    String sha = LocalFiles.sha256(img);
    long keptCount = 0;
    long droppedCount = 0;
    int lostClasses = 0;
    try (var kept =
            ParquetFiles.writer(clean.resolve("kept/part-0.parquet"), CleanSchemas.CLEANED);
        var dropped =
            ParquetFiles.writer(clean.resolve("dropped/part-0.parquet"), CleanSchemas.CLEANED);
        var classRows = ParquetFiles.writer(clean.resolve("classes.parquet"), CleanSchemas.CLASS)) {
      for (int c = 0; c < classes; c++) {
        boolean lost = c % 1000 == MOSTLY_LOST_MOD;
        lostClasses += lost ? 1 : 0;
        double[] angles = {lost ? 90 : 30 + c % 40, 76 + c % 20};
        for (int i = 0; i < 2; i++) {
          boolean isDropped = lost || i == 1;
          GenericRecord r = new GenericData.Record(CleanSchemas.CLEANED);
          r.put("id", "c" + c + "/" + i + ".jpg");
          r.put("label", isDropped ? -1 : c);
          r.put("identity", "person_" + c);
          r.put("image", image.duplicate());
          r.put("format", "jpeg");
          r.put("width", 32);
          r.put("height", 32);
          r.put("sha256", sha);
          GenericRecord src = new GenericData.Record(FaceSchemas.SOURCE);
          src.put("file", "c" + c + "/" + i + ".jpg");
          src.put("offset", -1L);
          r.put("source", src);
          r.put("truth", i == 1 ? "close_set" : "clean");
          r.put("original_label", c);
          r.put("angle_deg", angles[i]);
          r.put("nearest_sub_center", 0);
          r.put("dominant_sub_center", 0);
          r.put("cosines", FaceSchemas.floatList(new float[] {0.9f, 0.1f, 0.2f}));
          r.put("reason", isDropped ? "OUTLIER_ANGLE" : null);
          (isDropped ? dropped : kept).write(r);
          if (isDropped) {
            droppedCount++;
          } else {
            keptCount++;
          }
        }
        GenericRecord row = new GenericData.Record(CleanSchemas.CLASS);
        row.put("label", c);
        row.put("identity", "person_" + c);
        row.put("new_label", lost ? -1 : c);
        row.put("samples", 2);
        row.put("samples_per_sub_center", List.of(2, 0, 0));
        row.put("dominant_sub_center", 0);
        row.put("dominant_share", 1.0);
        row.put("kept", lost ? 0 : 1);
        row.put("dropped_outlier_angle", lost ? 2 : 1);
        row.put("dropped_non_dominant", 0);
        row.put("dropped_small_class", 0);
        row.put("dropped_other_person", 0);
        row.put("relabelled_out", 0);
        row.put("dropped_duplicate_identity", 0);
        row.put("dropped_duplicate_image", 0);
        row.put("dropped_test_overlap", 0);
        row.put("duplicate_group", -1);
        row.put("group_keeper_label", -1);
        row.put("merged", false);
        row.put("mean_angle_deg", (angles[0] + angles[1]) / 2);
        row.put("max_angle_deg", angles[1]);
        classRows.write(row);
      }
    }
    CleanSummary summary =
        new CleanSummary(
            CleanSummary.STAGE,
            "test",
            keptCount + droppedCount,
            0,
            Map.of(),
            keptCount,
            0,
            droppedCount,
            Map.of(
                "OUTLIER_ANGLE",
                droppedCount,
                "NON_DOMINANT",
                0L,
                "SMALL_CLASS",
                0L,
                "OTHER_PERSON",
                0L),
            classes,
            classes - lostClasses,
            droppedCount / (double) (keptCount + droppedCount),
            new CleanSummary.Options(
                "drop-py", 75.0, false, null, false, 3, false, 0, null, false, false, "direct"),
            null,
            dir.resolve("prepared").toString(),
            "fingerprint-of-prepared",
            dir.resolve("model").toString(),
            "0",
            "fingerprint-of-prepared",
            true,
            null,
            0,
            null);
    Files.writeString(clean.resolve(CleanSummary.FILE), StageJson.write(summary));
    return clean;
  }

  /** A face of {@link CleanSchemas#CLEANED} with its image, truth and scores; no reason yet. */
  static GenericRecord face(int c, int i, int label, double angleDeg) {
    GenericRecord r = new GenericData.Record(CleanSchemas.CLEANED);
    byte[] img = image(c, i);
    r.put("id", "c" + c + "/" + i + ".jpg");
    r.put("label", label);
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
    r.put("angle_deg", angleDeg);
    r.put("nearest_sub_center", nearest(i));
    r.put("dominant_sub_center", 0);
    return r;
  }

  /** A row of {@code classes.parquet} with every drop count 0 and the angles of {@link #angle}. */
  static GenericRecord classRow(int c, int[] perSub, int kept) {
    double sum = 0;
    double max = 0;
    for (int i = 0; i < PER_CLASS; i++) {
      sum += angle(i);
      max = Math.max(max, angle(i));
    }
    GenericRecord row = new GenericData.Record(CleanSchemas.CLASS);
    row.put("label", c);
    row.put("identity", "person_" + c);
    row.put("new_label", c);
    row.put("samples", PER_CLASS);
    row.put("samples_per_sub_center", List.of(perSub[0], perSub[1], perSub[2]));
    row.put("dominant_sub_center", 0);
    row.put("dominant_share", perSub[0] / (double) PER_CLASS);
    row.put("kept", kept);
    row.put("dropped_outlier_angle", 0);
    row.put("dropped_non_dominant", 0);
    row.put("dropped_small_class", 0);
    row.put("dropped_other_person", 0);
    row.put("relabelled_out", 0);
    row.put("dropped_duplicate_identity", 0);
    row.put("dropped_duplicate_image", 0);
    row.put("dropped_test_overlap", 0);
    row.put("duplicate_group", -1);
    row.put("group_keeper_label", -1);
    row.put("merged", false);
    row.put("mean_angle_deg", sum / PER_CLASS);
    row.put("max_angle_deg", max);
    return row;
  }

  /**
   * Rewrites {@code kept/}, {@code dropped/} and {@code classes.parquet} of a clean folder without
   * the columns issues #15 and #17 added, as an older clean run wrote them.
   */
  static void stripNewColumns(Path clean) throws Exception {
    Schema cleaned =
        without(
            CleanSchemas.CLEANED,
            "original_identity",
            "angle_to_target_deg",
            "duplicate_of",
            "angle_to_duplicate_deg",
            "duplicate_exact");
    Schema cls =
        without(
            CleanSchemas.CLASS,
            "dropped_other_person",
            "relabelled_out",
            "dropped_duplicate_identity",
            "dropped_duplicate_image",
            "dropped_test_overlap",
            "duplicate_group",
            "group_keeper_label",
            "angle_to_keeper_deg",
            "test_identity",
            "angle_to_test_deg",
            "merged");
    for (String side : new String[] {"kept", "dropped"}) {
      for (Path f : ParquetFiles.list(clean.resolve(side))) {
        rewrite(f, cleaned);
      }
    }
    rewrite(clean.resolve("classes.parquet"), cls);
  }

  private static void rewrite(Path f, Schema schema) throws Exception {
    List<GenericRecord> out = new ArrayList<>();
    for (GenericRecord r : ParquetFiles.readAll(f)) {
      GenericRecord o = new GenericData.Record(schema);
      for (Schema.Field field : schema.getFields()) {
        o.put(field.name(), r.get(field.name()));
      }
      out.add(o);
    }
    Files.delete(f);
    ParquetFiles.write(f, schema, out);
  }

  private static Schema without(Schema s, String... names) {
    List<String> drop = List.of(names);
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : s.getFields()) {
      if (!drop.contains(f.name())) {
        fields.add(new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal()));
      }
    }
    return Schema.createRecord(s.getName(), s.getDoc(), s.getNamespace(), false, fields);
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
