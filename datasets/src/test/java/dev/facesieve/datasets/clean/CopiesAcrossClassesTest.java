package dev.facesieve.datasets.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.facesieve.datasets.clean.CopiesAcrossClasses.Copy;
import dev.facesieve.datasets.clean.CopiesAcrossClasses.Face;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopiesAcrossClassesTest {
  @Test
  void theFirstByIdIsTheOriginalAndOnlyOtherLabelsAreCopies() {
    Face a = new Face("a", 1, "x");
    Face b = new Face("b", 2, "y");
    Face c = new Face("c", 1, "x");
    Face d = new Face("d", 3, "z");
    assertEquals(
        List.of(new Copy(b, a), new Copy(d, a)), CopiesAcrossClasses.of(List.of(d, c, b, a)));
  }

  @Test
  void oneFaceOrOneLabelHasNoCopyAcrossClasses() {
    assertEquals(List.of(), CopiesAcrossClasses.of(List.of(new Face("a", 1, "x"))));
    assertEquals(
        List.of(), CopiesAcrossClasses.of(List.of(new Face("b", 1, "x"), new Face("a", 1, "x"))));
  }
}
