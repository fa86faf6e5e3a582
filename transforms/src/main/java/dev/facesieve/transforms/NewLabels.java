package dev.facesieve.transforms;

import java.util.TreeSet;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Old label → new contiguous label for the classes that keep at least one face: the rank of the old
 * label among them. Held as a sorted {@code int[]} (4 bytes a class) because every bundle that
 * reads it as a side input may decode it again; a boxed map of 100K classes cost more to decode
 * than the bundle's work.
 */
final class NewLabels implements java.io.Serializable {
  private final int[] kept;

  NewLabels(int[] keptSorted) {
    this.kept = keptSorted;
  }

  /** The new label of {@code old}, or −1 when the class keeps nothing. */
  int of(int old) {
    int i = java.util.Arrays.binarySearch(kept, old);
    return i < 0 ? -1 : i;
  }

  /** Collects the labels of classes that keep at least one face. */
  static final class CollectFn extends Combine.CombineFn<Integer, TreeSet<Integer>, NewLabels> {
    @Override
    public TreeSet<Integer> createAccumulator() {
      return new TreeSet<>();
    }

    @Override
    public TreeSet<Integer> addInput(TreeSet<Integer> acc, Integer label) {
      acc.add(label);
      return acc;
    }

    @Override
    public TreeSet<Integer> mergeAccumulators(Iterable<TreeSet<Integer>> accs) {
      TreeSet<Integer> m = new TreeSet<>();
      accs.forEach(m::addAll);
      return m;
    }

    @Override
    public NewLabels extractOutput(TreeSet<Integer> acc) {
      return new NewLabels(acc.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<TreeSet<Integer>> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry r, org.apache.beam.sdk.coders.Coder<Integer> in) {
      return SerializableCoder.of(new TypeDescriptor<TreeSet<Integer>>() {});
    }
  }

  /** Keys a decision by face id, with the new label of its class (−1 when it is dropped). */
  static final class KeyDecisionFn extends DoFn<Decision, KV<Integer, KV<Decision, Integer>>> {
    private final PCollectionView<NewLabels> newLabels;
    private final int buckets;

    KeyDecisionFn(PCollectionView<NewLabels> newLabels, int buckets) {
      this.newLabels = newLabels;
      this.buckets = buckets;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      Decision d = c.element();
      int label = d.kept() ? c.sideInput(newLabels).of(d.target()) : -1;
      c.output(KV.of(CleanFaces.bucket(d.id(), buckets), KV.of(d, label)));
    }
  }
}
