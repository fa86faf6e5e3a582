package dev.facesieve.transforms;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.Centroids;
import dev.facesieve.datasets.clean.ClassDecision;
import dev.facesieve.datasets.clean.ClassScorer;
import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.SubClasses;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Joins each class's embeddings with its own K sub-centres and decides, per class, which samples
 * stay.
 *
 * <p>Input: {@link #EMBEDDINGS}, {@link #CENTRES} (every class's K {@link SubCentre}s) and,
 * optionally, {@link #NAMES} ({@code KV<class, identity>}; without it a class is named by its
 * number). All three are keyed by a bucket of classes and co-grouped, so no worker ever holds all
 * C·K centres, and only ids and embeddings (never image bytes) are grouped. Output: {@link
 * #DECISIONS}, {@link #CLASSES}, {@link #CALIBRATION} (one element) and {@link #TARGETS} (the
 * classes relabelled faces were moved to, once per source class).
 *
 * <p>Two passes over the grouped classes. The first summarises each class ({@link
 * Calibration.ClassStats}: its dominant sub-class centroid and a few angles) and combines them into
 * the run's {@link Calibration}; that, with every class's centroid when relabelling, is the one
 * global side input of the second pass, which decides each class. Decisions stay per class; only C
 * centroids (C·D floats) travel, and the calibration's nearest-other-class search is bounded
 * ({@link Calibration#MAX_QUERIES} classes against all C).
 *
 * <p>Why buckets rather than one key per class: a runner may set up a bundle per key (the
 * DirectRunner does, and re-serialises each DoFn for every bundle), so with 100K classes the
 * per-bundle cost, not the scoring, was the stage's run time. A bucket holds every class {@code c}
 * with {@code c mod buckets} equal; its embeddings are held in memory while it is scored (about
 * {@code images / buckets} vectors).
 */
public final class ScoreAgainstSubCenters extends PTransform<PCollectionTuple, PCollectionTuple> {
  public static final TupleTag<FaceEmbedding> EMBEDDINGS = new TupleTag<>() {};
  public static final TupleTag<SubCentre> CENTRES = new TupleTag<>() {};
  public static final TupleTag<KV<Integer, String>> NAMES = new TupleTag<>() {};
  public static final TupleTag<Decision> DECISIONS = new TupleTag<>() {};
  public static final TupleTag<ClassSummary> CLASSES = new TupleTag<>() {};
  public static final TupleTag<Calibration> CALIBRATION = new TupleTag<>() {};
  public static final TupleTag<Integer> TARGETS = new TupleTag<>() {};

  private final CleaningPolicy policy;
  private final int buckets;

  private ScoreAgainstSubCenters(CleaningPolicy policy, int buckets) {
    this.policy = policy;
    this.buckets = buckets;
  }

  public static ScoreAgainstSubCenters with(CleaningPolicy policy) {
    checkNotNull(policy, "policy");
    return new ScoreAgainstSubCenters(policy, 256);
  }

  /** How many buckets of classes are grouped and scored together (default 256). */
  public ScoreAgainstSubCenters withClassBuckets(int n) {
    checkArgument(n > 0, "class buckets must be > 0, got %s", n);
    return new ScoreAgainstSubCenters(policy, n);
  }

  static int bucketOf(int label, int buckets) {
    return Math.floorMod(label, buckets);
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple in) {
    int n = buckets;
    TupleTag<KV<Integer, FaceEmbedding>> e = new TupleTag<>() {};
    TupleTag<SubCentre> c = new TupleTag<>() {};
    TupleTag<KV<Integer, String>> names = new TupleTag<>() {};
    PCollection<KV<Integer, KV<Integer, FaceEmbedding>>> embeddings =
        in.get(EMBEDDINGS)
            .apply(
                "KeyByClassBucket",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.integers(),
                            TypeDescriptors.kvs(
                                TypeDescriptors.integers(),
                                TypeDescriptor.of(FaceEmbedding.class))))
                    .via(x -> KV.of(bucketOf(x.label(), n), KV.of(x.label(), x))))
            .setCoder(
                KvCoder.of(
                    VarIntCoder.of(), KvCoder.of(VarIntCoder.of(), FaceEmbedding.Coder.of())));
    PCollection<KV<Integer, SubCentre>> centres =
        in.get(CENTRES)
            .apply(
                "KeyCentresByClassBucket",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.integers(), TypeDescriptor.of(SubCentre.class)))
                    .via(x -> KV.of(bucketOf(x.label(), n), x)))
            .setCoder(KvCoder.of(VarIntCoder.of(), SubCentre.Coder.of()));
    KeyedPCollectionTuple<Integer> keyed = KeyedPCollectionTuple.of(e, embeddings).and(c, centres);
    if (in.has(NAMES)) {
      keyed =
          keyed.and(
              names,
              in.get(NAMES)
                  .apply(
                      "KeyNamesByClassBucket",
                      MapElements.into(
                              TypeDescriptors.kvs(
                                  TypeDescriptors.integers(),
                                  TypeDescriptors.kvs(
                                      TypeDescriptors.integers(), TypeDescriptors.strings())))
                          .via(x -> KV.of(bucketOf(x.getKey(), n), x)))
                  .setCoder(
                      KvCoder.of(
                          VarIntCoder.of(), KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()))));
    }
    PCollection<KV<Integer, CoGbkResult>> grouped =
        keyed.apply("JoinWithOwnCentres", CoGroupByKey.create());
    TupleTag<KV<Integer, String>> namesTag = in.has(NAMES) ? names : null;
    PCollection<Calibrated> calibrated =
        grouped
            .apply(
                "SummariseClasses",
                ParDo.of(new ClassStatsFn(policy.minSubclassSize(), e, c, namesTag)))
            .setCoder(SerializableCoder.of(Calibration.ClassStats.class))
            .apply("Calibrate", Combine.globally(new CalibrateFn(policy.relabel())))
            .setCoder(SerializableCoder.of(Calibrated.class));
    PCollectionView<Calibrated> view = calibrated.apply("CalibrationView", View.asSingleton());
    PCollectionTuple out =
        grouped.apply(
            "ScoreClasses",
            ParDo.of(new ScoreClassesFn(policy, e, c, namesTag, view))
                .withSideInputs(view)
                .withOutputTags(DECISIONS, TupleTagList.of(CLASSES).and(TARGETS)));
    out.get(DECISIONS).setCoder(Decision.Coder.of());
    out.get(CLASSES).setCoder(SerializableCoder.of(ClassSummary.class));
    out.get(TARGETS).setCoder(VarIntCoder.of());
    PCollection<Calibration> calibration =
        calibrated
            .apply(
                "CalibrationOnly",
                MapElements.into(TypeDescriptor.of(Calibration.class)).via(Calibrated::calibration))
            .setCoder(SerializableCoder.of(Calibration.class));
    return out.and(CALIBRATION, calibration);
  }

  /** The calibration and, when relabelling, every class's centroid: the side input of scoring. */
  record Calibrated(Calibration calibration, @Nullable Centroids centroids)
      implements Serializable {}

  /** One class's faces, sorted by id (deterministic whatever the runner delivered). */
  private record ClassFaces(
      int label, String identity, List<FaceEmbedding> faces, float[][] x, float[][] centres) {}

  /** The classes of one bucket that have faces, in class order. */
  private static List<ClassFaces> classesOf(
      CoGbkResult r,
      TupleTag<KV<Integer, FaceEmbedding>> e,
      TupleTag<SubCentre> c,
      @Nullable TupleTag<KV<Integer, String>> names) {
    TreeMap<Integer, List<FaceEmbedding>> samples = new TreeMap<>();
    for (KV<Integer, FaceEmbedding> x : r.getAll(e)) {
      samples.computeIfAbsent(x.getKey(), k -> new ArrayList<>()).add(x.getValue());
    }
    List<ClassFaces> out = new ArrayList<>();
    if (samples.isEmpty()) {
      return out; // classes of the model without prepared faces
    }
    Map<Integer, TreeMap<Integer, float[]>> centres = new HashMap<>();
    for (SubCentre sc : r.getAll(c)) {
      if (samples.containsKey(sc.label())) {
        centres.computeIfAbsent(sc.label(), k -> new TreeMap<>()).put(sc.index(), sc.vector());
      }
    }
    Map<Integer, String> identity = new HashMap<>();
    if (names != null) {
      for (KV<Integer, String> x : r.getAll(names)) {
        identity.put(x.getKey(), x.getValue());
      }
    }
    for (Map.Entry<Integer, List<FaceEmbedding>> cls : samples.entrySet()) {
      int label = cls.getKey();
      TreeMap<Integer, float[]> byIndex = centres.get(label);
      if (byIndex == null) {
        throw new IllegalStateException(
            "class " + label + " has faces but the model has no sub-centres for it");
      }
      List<FaceEmbedding> faces = cls.getValue();
      faces.sort((a, b) -> a.id().compareTo(b.id()));
      float[][] x = new float[faces.size()][];
      for (int i = 0; i < x.length; i++) {
        x[i] = faces.get(i).vector();
      }
      out.add(
          new ClassFaces(
              label,
              identity.getOrDefault(label, Integer.toString(label)),
              faces,
              x,
              byIndex.values().toArray(new float[0][])));
    }
    return out;
  }

  /** First pass: each class's contribution to the calibration. */
  static final class ClassStatsFn extends DoFn<KV<Integer, CoGbkResult>, Calibration.ClassStats> {
    private final int minSubclassSize;
    private final TupleTag<KV<Integer, FaceEmbedding>> e;
    private final TupleTag<SubCentre> c;
    private final @Nullable TupleTag<KV<Integer, String>> names;

    ClassStatsFn(
        int minSubclassSize,
        TupleTag<KV<Integer, FaceEmbedding>> e,
        TupleTag<SubCentre> c,
        @Nullable TupleTag<KV<Integer, String>> names) {
      this.minSubclassSize = minSubclassSize;
      this.e = e;
      this.c = c;
      this.names = names;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, CoGbkResult> kv, OutputReceiver<Calibration.ClassStats> out) {
      for (ClassFaces f : classesOf(kv.getValue(), e, c, names)) {
        ClassScorer.Scores s = ClassScorer.score(f.x(), f.centres());
        out.output(
            Calibration.ClassStats.of(
                f.label(), f.identity(), f.x(), s, SubClasses.of(f.x(), s), minSubclassSize));
      }
    }
  }

  /** Combines every class's stats into the run's calibration. */
  static final class CalibrateFn
      extends Combine.CombineFn<Calibration.ClassStats, Calibration.Stats, Calibrated> {
    private final boolean withCentroids;

    CalibrateFn(boolean withCentroids) {
      this.withCentroids = withCentroids;
    }

    @Override
    public Calibration.Stats createAccumulator() {
      return new Calibration.Stats();
    }

    @Override
    public Calibration.Stats addInput(Calibration.Stats acc, Calibration.ClassStats in) {
      return acc.add(in);
    }

    @Override
    public Calibration.Stats mergeAccumulators(Iterable<Calibration.Stats> accs) {
      Calibration.Stats m = new Calibration.Stats();
      accs.forEach(m::merge);
      return m;
    }

    @Override
    public Calibrated extractOutput(Calibration.Stats acc) {
      return new Calibrated(acc.calibrate(), withCentroids ? acc.centroids() : null);
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<Calibration.Stats> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry r,
        org.apache.beam.sdk.coders.Coder<Calibration.ClassStats> in) {
      return SerializableCoder.of(Calibration.Stats.class);
    }
  }

  /** Second pass: decides every class of one bucket, in class order. */
  static final class ScoreClassesFn extends DoFn<KV<Integer, CoGbkResult>, Decision> {
    private final CleaningPolicy policy;
    private final TupleTag<KV<Integer, FaceEmbedding>> e;
    private final TupleTag<SubCentre> c;
    private final @Nullable TupleTag<KV<Integer, String>> names;
    private final PCollectionView<Calibrated> calibration;

    ScoreClassesFn(
        CleaningPolicy policy,
        TupleTag<KV<Integer, FaceEmbedding>> e,
        TupleTag<SubCentre> c,
        @Nullable TupleTag<KV<Integer, String>> names,
        PCollectionView<Calibrated> calibration) {
      this.policy = policy;
      this.e = e;
      this.c = c;
      this.names = names;
      this.calibration = calibration;
    }

    @ProcessElement
    public void process(ProcessContext ctx, MultiOutputReceiver out) {
      Calibrated cal = ctx.sideInput(calibration);
      CleaningPolicy p = policy.resolve(cal.calibration());
      for (ClassFaces f : classesOf(ctx.element().getValue(), e, c, names)) {
        scoreClass(p, f, cal.centroids(), out);
      }
    }

    private static void scoreClass(
        CleaningPolicy policy,
        ClassFaces f,
        @Nullable Centroids centroids,
        MultiOutputReceiver out) {
      ClassScorer.Scores s = ClassScorer.score(f.x(), f.centres());
      ClassDecision d = policy.decideClass(f.label(), f.x(), s, centroids);
      java.util.TreeSet<Integer> targets = new java.util.TreeSet<>();
      for (int i = 0; i < f.x().length; i++) {
        float[] cos = new float[f.centres().length];
        for (int j = 0; j < cos.length; j++) {
          cos[j] = (float) s.cosines()[i][j];
        }
        boolean moved = d.relabelled(i);
        if (moved) {
          targets.add(d.target()[i]);
        }
        out.get(DECISIONS)
            .output(
                new Decision(
                    f.faces().get(i).id(),
                    f.label(),
                    s.nearest()[i],
                    s.dominant(),
                    d.angleDeg()[i],
                    cos,
                    d.reason()[i],
                    d.target()[i],
                    moved ? centroids.identity(centroids.indexOf(d.target()[i])) : null,
                    d.angleToTargetDeg()[i]));
      }
      targets.forEach(t -> out.get(TARGETS).output(t));
      out.get(CLASSES).output(ClassSummary.of(f.identity(), s, d));
    }
  }
}
