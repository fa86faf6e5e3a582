package dev.facesieve.transforms;

import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.DropReason;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Drops a relabelled face whose class of arrival already keeps the same picture (issue #26).
 *
 * <p>Web collections file one photo under several names; a face moved from the wrong name to the
 * right one is often a byte copy of a picture the right class already holds, and moving it would
 * file that picture twice there. Each class's kept faces (its own, and those moved or merged into
 * it) are grouped by class with their sha256; a moved face whose digest a face of the class kept by
 * its own decision already has, or a moved face with a lower id already brought, is dropped as
 * {@link DropReason#DUPLICATE_IMAGE} in its own class instead, and its class's counts follow
 * ({@code relabelled_out} one less, {@code dropped_duplicate_image} one more). Only digests and ids
 * travel. The copy lies in another class, so {@code duplicate-images.csv} lists the pair among the
 * copies across classes (same bytes under two labels), not as a copy within a class.
 */
final class DropMovedCopies
    extends PTransform<
        PCollection<KV<Integer, DropMovedCopies.Kept>>, PCollection<KV<String, Integer>>> {

  /**
   * A face kept in a class, as this step sees it.
   *
   * @param sourceLabel the class it was filed under
   * @param moved whether it was relabelled into this class
   */
  record Kept(String sha256, String id, int sourceLabel, boolean moved) implements Serializable {}

  /** The moved copies (id to source class) and how many each source class loses, as side inputs. */
  record Views(
      PCollectionView<Map<String, Integer>> dropped, PCollectionView<Map<Integer, Long>> perClass)
      implements Serializable {
    static Views of(PCollection<KV<String, Integer>> copies) {
      PCollectionView<Map<Integer, Long>> perClass =
          copies
              .apply("SourceClasses", Values.create())
              .apply("CountPerSourceClass", Count.perElement())
              .apply("PerClassView", View.asMap());
      return new Views(copies.apply("DroppedView", View.asMap()), perClass);
    }

    /** The decisions with every moved copy dropped in its own class instead. */
    PCollection<Decision> applyToDecisions(PCollection<Decision> decisions) {
      return decisions
          .apply(
              "DropMovedCopiesFromDecisions",
              ParDo.of(new ApplyToDecisionsFn(dropped)).withSideInputs(dropped))
          .setCoder(Decision.Coder.of());
    }

    /** The class summaries with their moved copies counted as dropped. */
    PCollection<ClassSummary> applyToClasses(PCollection<ClassSummary> classes) {
      return classes
          .apply(
              "DropMovedCopiesFromClasses",
              ParDo.of(new ApplyToClassesFn(perClass)).withSideInputs(perClass))
          .setCoder(SerializableCoder.of(ClassSummary.class));
    }
  }

  /** The moved faces, by id with their source class, that copy a picture their new class keeps. */
  @Override
  public PCollection<KV<String, Integer>> expand(PCollection<KV<Integer, Kept>> kept) {
    return kept.apply("GroupByClassOfArrival", GroupByKey.create())
        .apply("FindMovedCopies", ParDo.of(new FindMovedCopiesFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(
        DisplayData.item("rule", "a moved face whose picture its new class keeps is dropped"));
  }

  /** One class of arrival's kept faces to the moved copies among them: (id, source class). */
  static final class FindMovedCopiesFn
      extends DoFn<KV<Integer, Iterable<Kept>>, KV<String, Integer>> {
    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<Kept>> kv, OutputReceiver<KV<String, Integer>> out) {
      for (Kept k : movedCopies(kv.getValue())) {
        out.output(KV.of(k.id(), k.sourceLabel()));
      }
    }
  }

  /**
   * The moved faces of one class of arrival that copy a picture it already keeps: its own faces
   * first, then the moved ones by id, the first of each digest kept.
   */
  static List<Kept> movedCopies(Iterable<Kept> faces) {
    List<Kept> all = new ArrayList<>();
    faces.forEach(all::add);
    all.sort(Comparator.comparing(Kept::moved).thenComparing(Kept::id));
    Set<String> seen = new HashSet<>();
    List<Kept> out = new ArrayList<>();
    for (Kept k : all) {
      if (!seen.add(k.sha256()) && k.moved()) {
        out.add(k);
      }
    }
    return out;
  }

  /** A decision with a moved copy dropped in its own class instead. */
  static final class ApplyToDecisionsFn extends DoFn<Decision, Decision> {
    private final PCollectionView<Map<String, Integer>> dropped;

    ApplyToDecisionsFn(PCollectionView<Map<String, Integer>> dropped) {
      this.dropped = dropped;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      Decision d = c.element();
      if (!c.sideInput(dropped).containsKey(d.id())) {
        c.output(d);
        return;
      }
      c.output(
          new Decision(
              d.id(),
              d.label(),
              d.nearest(),
              d.dominant(),
              d.angleDeg(),
              d.cosines(),
              DropReason.DUPLICATE_IMAGE,
              d.label(),
              null,
              Double.NaN));
    }
  }

  /** A class's summary with its moved copies counted as dropped. */
  static final class ApplyToClassesFn extends DoFn<ClassSummary, ClassSummary> {
    private final PCollectionView<Map<Integer, Long>> perClass;

    ApplyToClassesFn(PCollectionView<Map<Integer, Long>> perClass) {
      this.perClass = perClass;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      ClassSummary s = c.element();
      Long n = c.sideInput(perClass).get(s.label());
      c.output(n == null ? s : s.withMovedCopiesDropped(n.intValue()));
    }
  }

  static SerializableCoder<Kept> keptCoder() {
    return SerializableCoder.of(Kept.class);
  }
}
