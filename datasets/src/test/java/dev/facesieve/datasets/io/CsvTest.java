package dev.facesieve.datasets.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.input.SideFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
  @TempDir Path dir;

  private static final List<String> TRICKY =
      List.of(
          "=1+2",
          "+1",
          "-1",
          "@SUM(A1)",
          "\tx",
          "\rx",
          "'=x",
          "''-x",
          "'plain",
          "'",
          "",
          "plain",
          "a,b",
          "say \"hi\"",
          "two\nlines",
          "Bush, George W");

  @Test
  void safeCellsNeverStartAFormulaAndReadBackExactly() {
    for (String s : TRICKY) {
      String cell = Csv.safe(s);
      assertTrue(cell.isEmpty() || "=+-@\t\r".indexOf(cell.charAt(0)) < 0, cell);
      assertEquals(s, Csv.text(cell), s);
    }
    assertEquals("'=1+2", Csv.safe("=1+2"));
    assertEquals("plain", Csv.safe("plain"));
  }

  @Test
  void textIsQuotedNumbersStayBare() {
    assertEquals("\"'-x\",-1,-0.5,\"a,b\",\"\"", Csv.line("-x", -1, -0.5, "a,b", null));
  }

  @Test
  void writtenRowsReadBackCellForCell() throws Exception {
    Path f = dir.resolve("t.csv");
    try (Csv.Out out = Csv.write(f, "id", "n")) {
      for (int i = 0; i < TRICKY.size(); i++) {
        out.row(TRICKY.get(i), -i);
      }
    }
    assertTrue(Files.readString(f).startsWith("id,n\n"));
    List<String> ids = new ArrayList<>();
    List<String> ns = new ArrayList<>();
    Csv.read(
        f,
        "test file",
        (r, line) -> {
          ids.add(Csv.text(r.get(0)));
          ns.add(r.get(1));
        });
    assertEquals("id", ids.remove(0));
    assertEquals(TRICKY, ids);
    assertEquals("-3", ns.get(4));
  }

  @Test
  void malformedOrMissingFilesAreOneInputError() throws Exception {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, "id,truth\n\"a,clean\nb,clean\n");
    InputException e =
        assertThrows(InputException.class, () -> Csv.read(f, "truth file", (r, l) -> {}));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    e =
        assertThrows(
            InputException.class,
            () -> Csv.read(dir.resolve("none.csv"), "truth file", (r, l) -> {}));
    assertTrue(e.getMessage().endsWith("truth file not found"), e.getMessage());
  }

  /** The optional {@code true_identity} column names the identity shown; an empty cell is null. */
  @Test
  void truthFileReadsTrueIdentityWhenItHasTheColumn() throws Exception {
    Path truth = dir.resolve("truth.csv");
    Files.writeString(
        truth,
        "id,label,identity,truth,true_identity\n"
            + "A/1.jpg,0,A,clean,A\n"
            + "A/2.jpg,0,A,close_set,\"Bush, George W\"\n"
            + "A/3.jpg,0,A,open_set,'=Zed\n"
            + "A/4.jpg,0,A,corrupt,\n");
    assertEquals(
        Map.of(
            "A/1.jpg",
            new SideFiles.Truth(NoiseKind.CLEAN, "A", null),
            "A/2.jpg",
            new SideFiles.Truth(NoiseKind.CLOSE_SET, "Bush, George W", null),
            "A/3.jpg",
            new SideFiles.Truth(NoiseKind.OPEN_SET, "=Zed", null),
            "A/4.jpg",
            new SideFiles.Truth(NoiseKind.CORRUPT, null, null)),
        SideFiles.readTruth(truth));
  }

  /**
   * The optional {@code true_duplicate_of} column, in any position; an empty cell marks no copy.
   */
  @Test
  void truthFileMarksCopies() throws Exception {
    Path truth = dir.resolve("truth.csv");
    Files.writeString(
        truth,
        "id,true_duplicate_of,truth,true_identity\n"
            + "A/1.jpg,,clean,A\n"
            + "A/2.jpg,A/1.jpg,clean,A\n"
            + "\"B, b/3.jpg\",\"A/1.jpg\",close_set,A\n");
    assertEquals(
        Map.of(
            "A/1.jpg",
            new SideFiles.Truth(NoiseKind.CLEAN, "A", null),
            "A/2.jpg",
            new SideFiles.Truth(NoiseKind.CLEAN, "A", "A/1.jpg"),
            "B, b/3.jpg",
            new SideFiles.Truth(NoiseKind.CLOSE_SET, "A", "A/1.jpg")),
        SideFiles.readTruth(truth));
  }

  /** Issue 18, items 25 and 26, at the readers: quoted commas, Python's nan. */
  @Test
  void sideFilesReadQuotedIdsAndNan() throws Exception {
    Path truth = dir.resolve("truth.csv");
    Files.writeString(
        truth,
        "id,label,identity,truth\n\"Bush, George W/1.jpg\",0,\"Bush, George W\",clean\n"
            + "\"'=x/2.jpg\",1,\"'=x\",open_set\n");
    Map<String, SideFiles.Truth> t = SideFiles.readTruth(truth);
    assertEquals(
        Map.of(
            "Bush, George W/1.jpg",
            new SideFiles.Truth(NoiseKind.CLEAN, null, null),
            "=x/2.jpg",
            new SideFiles.Truth(NoiseKind.OPEN_SET, null, null)),
        t);

    Path lm = dir.resolve("landmarks.csv");
    Files.writeString(
        lm,
        "id,x1,y1,x2,y2,x3,y3,x4,y4,x5,y5\n"
            + "\"a,b/1.jpg\",1,2,3,4,5,6,7,8,9,10\n"
            + "c,d/2.jpg,nan,NaN,-inf,inf,5,6,7,8,9,10\n");
    Map<String, float[]> m = SideFiles.readLandmarks(lm);
    assertEquals(2, m.size());
    assertEquals(10f, m.get("a,b/1.jpg")[9]);
    float[] bad = m.get("c,d/2.jpg");
    assertNotNull(bad, m.keySet().toString());
    assertTrue(Float.isNaN(bad[0]) && Float.isNaN(bad[1]));
    assertEquals(Float.NEGATIVE_INFINITY, bad[2]);
    assertEquals(Float.POSITIVE_INFINITY, bad[3]);
  }
}
