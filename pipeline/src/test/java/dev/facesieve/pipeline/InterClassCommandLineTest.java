package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.facesieve.datasets.clean.DropReason;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.InterClassFiles;
import dev.facesieve.datasets.io.Csv;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inter-class cleaning at the command line on ORL (40 people × 10 real faces) with the shared ONNX
 * embedder, with everything planted that it should find, and nothing else:
 *
 * <ul>
 *   <li>one person split into two folders ({@code s1}: images 1–5, {@code s1_b}: 6–10): one
 *       duplicate-identity group, merged under one label;
 *   <li>a byte copy and a re-encoded, brightened copy of a picture in {@code s2}: two copies within
 *       the class, one exact, one near;
 *   <li>a byte copy of a picture of {@code s3} filed under {@code s4}: an exact copy across
 *       classes;
 *   <li>a test set of {@code s5} and {@code s6}'s images 6–10 (their 1–5 stay in training) and all
 *       of {@code s7} (not in training): exactly classes {@code s5} and {@code s6} are dropped.
 * </ul>
 *
 * <p>What was planted is also written to the input's {@code truth.csv} (true identities, and the
 * copies as {@code true_duplicate_of}), so the summary scores the findings: all 1.0 at the
 * defaults, and less where a rerun with tighter cuts misses some.
 */
class InterClassCommandLineTest {
  @TempDir Path dir;

  @Test
  void findsWhatWasPlantedOnOrlAndNothingElse() throws Exception {
    Path orl = SharedData.find("data/orl");
    Path onnx = SharedData.find("models/mobilefacenet-512.onnx");
    assumeTrue(orl != null && onnx != null, "../shared ORL or ONNX model is not present");
    Path train = dir.resolve("train");
    Path test = dir.resolve("test");
    for (Path person : list(orl)) {
      String name = person.getFileName().toString();
      if (name.equals("s7")) {
        copyAll(person, test.resolve(name), 1, 10);
      } else if (name.equals("s5") || name.equals("s6")) {
        copyAll(person, train.resolve(name), 1, 5);
        copyAll(person, test.resolve(name), 6, 10);
      } else if (name.equals("s1")) {
        copyAll(person, train.resolve("s1"), 1, 5);
        copyAll(person, train.resolve("s1_b"), 6, 10);
      } else {
        copyAll(person, train.resolve(name), 1, 10);
      }
    }
    Files.copy(orl.resolve("s2/3.pgm"), train.resolve("s2/3-copy.pgm"));
    BufferedImage img =
        dev.facesieve.datasets.image.Pgm.decode(
            Files.readAllBytes(orl.resolve("s2/4.pgm")), Long.MAX_VALUE);
    BufferedImage brighter =
        new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int v = Math.min(255, img.getRaster().getSample(x, y, 0) + 6);
        brighter.getRaster().setSample(x, y, 0, v);
      }
    }
    Files.write(
        train.resolve("s2/4-brighter.png"), dev.facesieve.datasets.image.Images.png(brighter));
    Files.copy(orl.resolve("s3/2.pgm"), train.resolve("s4/from-s3.pgm"));
    try (Csv.Out truth =
        Csv.write(
            train.resolve("truth.csv"), "id", "truth", "true_identity", "true_duplicate_of")) {
      for (Path person : list(train)) {
        String name = person.getFileName().toString();
        try (Stream<Path> faces = Files.list(person)) {
          for (Path face : faces.sorted().toList()) {
            String id = name + "/" + face.getFileName();
            String copyOf =
                switch (id) {
                  case "s2/3-copy.pgm" -> "s2/3.pgm";
                  case "s2/4-brighter.png" -> "s2/4.pgm";
                  case "s4/from-s3.pgm" -> "s3/2.pgm";
                  default -> "";
                };
            boolean fromS3 = id.equals("s4/from-s3.pgm");
            truth.row(
                id,
                fromS3 ? "close_set" : "clean",
                fromS3 ? "s3" : name.equals("s1_b") ? "s1" : name,
                copyOf);
          }
        }
      }
    }

    Path out = dir.resolve("out");
    CommandLineTest.Result r =
        CommandLineTest.run(
            "run",
            "--input",
            train.toString(),
            "--output",
            out.toString(),
            "--backbone",
            "onnx:" + onnx,
            "--epochs",
            "8",
            "--batch-size",
            "32",
            "--duplicate-identities",
            "merge",
            "--exclude-identities-of",
            test.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    Path clean = out.resolve("clean");
    String files =
        "\n"
            + Files.readString(clean.resolve("merges.csv"))
            + Files.readString(clean.resolve("duplicate-images.csv"))
            + Files.readString(clean.resolve("test-overlap.csv"))
            + Files.readAllLines(clean.resolve("dropped.csv")).stream()
                .filter(l -> l.contains("s1") || l.contains("s2/"))
                .collect(Collectors.joining("\n"))
            + debugAngles(out);
    assertTrue(
        r.out().contains("across classes: 1 group of one person (2 classes)"), r.out() + files);

    List<InterClassFiles.Merge> merges = InterClassFiles.readMerges(clean);
    assertEquals(
        Set.of("s1", "s1_b"),
        merges.stream().map(InterClassFiles.Merge::identity).collect(Collectors.toSet()),
        "the split person, and no false merge: " + merges);
    assertEquals(Set.of(0), merges.stream().map(m -> m.group()).collect(Collectors.toSet()));

    List<InterClassFiles.DuplicateImage> copies = InterClassFiles.readDuplicateImages(clean);
    TreeSet<String> found = new TreeSet<>();
    for (InterClassFiles.DuplicateImage d : copies) {
      found.add(
          d.id().replaceAll(".*/", "")
              + ">"
              + d.duplicateOf().replaceAll(".*/", "")
              + ":"
              + d.scope()
              + ":"
              + d.exact());
    }
    assertEquals(
        new TreeSet<>(
            List.of(
                "3-copy.pgm>3.pgm:within_class:true",
                "4-brighter.png>4.pgm:within_class:false",
                "2.pgm>from-s3.pgm:across_classes:true")),
        normalised(found),
        "copies: " + files);

    List<InterClassFiles.TestOverlap> overlap = InterClassFiles.readTestOverlap(clean);
    assertEquals(
        Set.of("s5", "s6"),
        overlap.stream().map(InterClassFiles.TestOverlap::identity).collect(Collectors.toSet()));

    CleanSummary s = CleanSummary.read(clean);
    assertEquals(s.input(), s.kept() + s.dropped() + s.quarantined());
    assertEquals(10, s.droppedByReason().get(DropReason.TEST_OVERLAP.name()), "5 faces each");
    assertEquals(2L, s.droppedByReason().get(DropReason.DUPLICATE_IMAGE.name()));
    assertEquals(3, s.interClass().testIdentities(), "s5, s6 and s7");
    // merged: one label for both folders, labels stay contiguous
    TreeSet<Integer> labels = new TreeSet<>();
    TreeSet<Integer> s1Labels = new TreeSet<>();
    List<GenericRecord> keptRows = new java.util.ArrayList<>();
    for (Path f : ParquetFiles.list(clean.resolve("kept"))) {
      keptRows.addAll(ParquetFiles.readAll(f));
    }
    for (GenericRecord k : keptRows) {
      labels.add((Integer) k.get("label"));
      Object original = k.get("original_identity");
      String who = (original != null ? original : k.get("identity")).toString();
      if (who.equals("s1") || who.equals("s1_b")) {
        s1Labels.add((Integer) k.get("label"));
        assertEquals("s1", k.get("identity").toString(), "merged under the keeper's name");
      }
    }
    assertEquals(1, s1Labels.size(), "s1 and s1_b share one label");
    assertEquals(labels.size(), labels.last() + 1, "labels are contiguous: " + labels);
    assertEquals(s.classesAfter(), labels.size());

    // the truth file scores each finding: everything planted was found, nothing else
    CleanSummary.InterClass.Truth t = s.interClass().truth();
    assertDetection(1, 1, 1, t.duplicateIdentities(), "the split person, one pair of classes");
    assertDetection(2, 2, 2, t.testOverlap(), "s5 and s6");
    assertDetection(3, 3, 3, t.duplicateImages(), "two copies within s2, one across");
    assertTrue(
        r.out()
            .contains(
                "across classes against ground truth: duplicate identities precision 1.000,"
                    + " recall 1.000 (1 of 1 pairs of classes right, 1 in truth); test overlap"
                    + " precision 1.000, recall 1.000 (2 of 2 classes right, 2 in truth);"
                    + " duplicate images precision 1.000, recall 1.000 (3 of 3 copies right, 3 in"
                    + " truth)"),
        r.out());

    // cleaned again from the stored embeddings with cuts that miss things: the split person (and
    // with the same 1° cut the test identities) and the brightened copy; recall says so
    Path tight = dir.resolve("tight");
    CommandLineTest.Result again =
        CommandLineTest.run(
            "clean",
            "--input",
            out.resolve("prepared").toString(),
            "--model",
            out.resolve("model").toString(),
            "--embeddings",
            out.resolve("embeddings").toString(),
            "--output",
            tight.toString(),
            "--duplicate-identity-deg",
            "1",
            "--near-duplicate-deg",
            "0",
            "--exclude-identities-of",
            test.toString());
    assertEquals(0, again.code(), again.out() + again.err());
    CleanSummary.InterClass.Truth missed = CleanSummary.read(tight).interClass().truth();
    assertDetection(0, 0, 1, missed.duplicateIdentities(), "no group at 1°");
    assertEquals(0.0, missed.duplicateIdentities().recall());
    assertDetection(0, 0, 2, missed.testOverlap(), "no test identity within 1°");
    assertDetection(2, 2, 3, missed.duplicateImages(), "byte copies only");
    assertEquals(1.0, missed.duplicateImages().precision());
    assertEquals(2 / 3.0, missed.duplicateImages().recall(), 1e-12);
  }

  private static void assertDetection(
      long found, long correct, long inTruth, CleanSummary.InterClass.Detection d, String what) {
    assertEquals(
        List.of(found, correct, inTruth), List.of(d.found(), d.correct(), d.inTruth()), what);
    if (found == correct && correct == inTruth && found > 0) {
      assertEquals(1.0, d.precision(), what);
      assertEquals(1.0, d.recall(), what);
    }
  }

  /** Each "a>b" pair with its two file names in sorted order, whichever copy was kept. */
  private static TreeSet<String> normalised(TreeSet<String> found) {
    TreeSet<String> out = new TreeSet<>();
    for (String f : found) {
      String[] parts = f.split(":", 2);
      String[] ids = parts[0].split(">");
      String a = ids[0].compareTo(ids[1]) < 0 ? ids[0] : ids[1];
      String b = a.equals(ids[0]) ? ids[1] : ids[0];
      out.add(a + ">" + b + ":" + parts[1]);
    }
    return out;
  }

  private static String debugAngles(Path out) throws Exception {
    java.util.Map<String, double[]> sums = new java.util.TreeMap<>();
    List<GenericRecord> all = new java.util.ArrayList<>();
    for (Path f : ParquetFiles.list(out.resolve("embeddings"))) {
      all.addAll(ParquetFiles.readAll(f));
    }
    for (GenericRecord e : all) {
      String id = e.get("id").toString();
      String who = id.replaceAll("/[^/]*$", "").replaceAll(".*/", "");
      float[] v = dev.facesieve.datasets.FaceSchemas.floats(e.get("vector"));
      double[] s = sums.computeIfAbsent(who, k -> new double[v.length]);
      for (int i = 0; i < v.length; i++) {
        s[i] += v[i];
      }
    }
    double[] a = sums.get("s1");
    double[] b = sums.get("s1_b");
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return "\ns1 vs s1_b (all faces): "
        + Math.toDegrees(Math.acos(dot / Math.sqrt(na * nb)))
        + " ids like "
        + sums.keySet().stream().limit(3).toList();
  }

  private static List<Path> list(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(Files::isDirectory).sorted().toList();
    }
  }

  private static void copyAll(Path from, Path to, int first, int last) throws Exception {
    Files.createDirectories(to);
    for (int i = first; i <= last; i++) {
      Files.copy(
          from.resolve(i + ".pgm"), to.resolve(i + ".pgm"), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
