package dev.facesieve.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Writes lines as one CSV file with a header, sorted, skipping empty lines: for the small
 * inter-class files ({@code merges.csv}, {@code test-overlap.csv}, {@code duplicate-images.csv})
 * whose readers compare them across runs, so their order must not depend on the runner.
 *
 * <p>All lines meet on one worker to be sorted; these files hold a line per class in a group or per
 * copy of a picture, a small part of a run.
 */
final class SortedCsv extends PTransform<PCollection<String>, PDone> {
  private final String file;
  private final String header;

  private SortedCsv(String file, String header) {
    this.file = file;
    this.header = header;
  }

  /**
   * Writes {@code file} (a local path or a URI, its name ending in {@code .csv}) with {@code
   * header}.
   */
  static SortedCsv to(String file, String header) {
    return new SortedCsv(file, header);
  }

  @Override
  public PDone expand(PCollection<String> lines) {
    String name = file;
    return lines
        .apply("NonEmpty", Filter.by((String l) -> !l.isEmpty()))
        .apply("Sort", Combine.globally(new SortFn()))
        .apply("Join", Filter.by((String l) -> !l.isEmpty()))
        .apply(
            "Write",
            TextIO.write()
                .to(name.substring(0, name.length() - ".csv".length()))
                .withSuffix(".csv")
                .withoutSharding()
                .withHeader(header));
  }

  /** Collects lines and joins them sorted. */
  static final class SortFn extends Combine.CombineFn<String, List<String>, String> {
    @Override
    public List<String> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<String> addInput(List<String> acc, String line) {
      acc.add(line);
      return acc;
    }

    @Override
    public List<String> mergeAccumulators(Iterable<List<String>> accs) {
      List<String> all = new ArrayList<>();
      accs.forEach(all::addAll);
      return all;
    }

    @Override
    public String extractOutput(List<String> acc) {
      List<String> sorted = new ArrayList<>(acc);
      sorted.sort(SortFn::compare);
      return String.join("\n", sorted);
    }

    /** By the leading number of a line when both have one (a group, a label), then as text. */
    static int compare(String a, String b) {
      long x = leading(a);
      long y = leading(b);
      if (x >= 0 && y >= 0 && x != y) {
        return Long.compare(x, y);
      }
      return a.compareTo(b);
    }

    private static long leading(String s) {
      int i = 0;
      while (i < s.length() && i < 18 && Character.isDigit(s.charAt(i))) {
        i++;
      }
      return i == 0 ? -1 : Long.parseLong(s.substring(0, i));
    }

    @Override
    public Coder<List<String>> getAccumulatorCoder(CoderRegistry r, Coder<String> in) {
      return ListCoder.of(StringUtf8Coder.of());
    }
  }
}
