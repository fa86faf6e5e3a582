package dev.facesieve.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Axes of the report's charts: whole-number ticks on counts, angle ranges fitted to the data. */
class ChartsTest {
  /** A handful of faces: without integer tick units JFreeChart labels 0.5, 1.5, … faces. */
  @Test
  void countAxesTickOnWholeNumbers() {
    long[] dominant = new long[181];
    dominant[30] = 1;
    dominant[31] = 2;
    dominant[33] = 1;
    long[] other = new long[181];
    other[80] = 1;
    int[] thresholds = {60, 70, 80};
    long[] few = {2, 1, 1};
    long[] bins = new long[20];
    bins[0] = 2;
    bins[1] = 1;
    for (String svg :
        List.of(
            Charts.angleHistogram(dominant, other, 75),
            Charts.sweep(thresholds, few, few, null, 75),
            Charts.faceCut(dominant, 31, 62.5),
            Charts.classDropRates(bins))) {
      List<String> ticks = numericLabels(svg);
      assertFalse(ticks.isEmpty(), "no tick labels found");
      for (String t : ticks) {
        assertTrue(t.matches("-?[0-9,]+"), "a fractional tick on a count axis: " + ticks);
      }
    }
  }

  @Test
  void angleAxesFitTheData() {
    long[] bins = new long[181];
    bins[21] = 3;
    bins[44] = 1;
    // data in [21, 45), threshold 75: 15°..80°, not 0..180°
    assertArrayEquals(new double[] {15, 80}, Charts.angleRange(new long[][] {bins}, 75), 0);
    assertArrayEquals(new double[] {15, 50}, Charts.angleRange(new long[][] {bins}), 0);
    assertArrayEquals(
        new double[] {0, 180}, Charts.angleRange(new long[][] {new long[181]}, Double.NaN), 0);
    bins[2] = 1;
    bins[179] = 1;
    assertArrayEquals(new double[] {0, 180}, Charts.angleRange(new long[][] {bins}), 0);
    // and the histogram's axis shows it: ticks end at 80°, none at 180°
    String svg = Charts.angleHistogram(bins(21, 44), new long[181], 75);
    assertTrue(numericLabels(svg).contains("80"), numericLabels(svg).toString());
    assertFalse(numericLabels(svg).contains("180"), numericLabels(svg).toString());
  }

  private static long[] bins(int... at) {
    long[] b = new long[181];
    for (int i : at) {
      b[i]++;
    }
    return b;
  }

  /** The text of every {@code <text>} element that is a number: the axes' tick labels. */
  static List<String> numericLabels(String svg) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("<text[^>]*>([^<]*)</text>").matcher(svg);
    while (m.find()) {
      String t = m.group(1).trim();
      if (t.matches("-?[0-9][0-9,.]*")) {
        out.add(t);
      }
    }
    return out;
  }
}
