package dev.facesieve.transforms;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.Centroids;
import dev.facesieve.datasets.clean.ClassDecision;
import dev.facesieve.datasets.clean.ClassScorer;
import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.InterClassFindings;
import dev.facesieve.datasets.clean.InterClassPolicy;
import dev.facesieve.datasets.clean.SimilaritySearch;
import dev.facesieve.datasets.clean.SubClasses;
import dev.facesieve.model.SimilaritySearches;
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
import org.apache.beam.sdk.transforms.Create;
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
 * number), {@link #HASHES} ({@code KV<class, KV<id, sha256>>}, for exact duplicate images) and
 * {@link #TEST_IDENTITIES} (the centroids of a test set's identities). The per-class inputs are
 * keyed by a bucket of classes and co-grouped, so no worker ever holds all C·K centres, and only
 * ids, digests and embeddings (never image bytes) are grouped. Output: {@link #DECISIONS}, {@link
 * #CLASSES}, {@link #CALIBRATION} and {@link #FINDINGS} (one element each) and {@link #TARGETS}
 * (every class some kept face ends in, once per source class).
 *
 * <p>Two passes over the grouped classes. The first summarises each class ({@link
 * Calibration.ClassStats}: its dominant sub-class centroid and a few angles) and combines them into
 * the run's {@link Calibration}; the search across classes ({@link InterClassFindings}: duplicate
 * identities, test-set overlap) runs once on the combined centroids. Those two, with every class's
 * centroid when relabelling, are the one global side input of the second pass, which decides each
 * class (its own decision, then {@link InterClassPolicy#apply}). Decisions stay per class; only C
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
  public static final TupleTag<KV<Integer, KV<String, String>>> HASHES = new TupleTag<>() {};
  public static final TupleTag<TestIdentity> TEST_IDENTITIES = new TupleTag<>() {};
  public static final TupleTag<InterClassFindings> FINDINGS = new TupleTag<>() {};

  /** Each kept face's digest under the class it ends in (for {@link DropMovedCopies}). */
  static final TupleTag<KV<Integer, DropMovedCopies.Kept>> KEPT = new TupleTag<>() {};

  private final CleaningPolicy policy;
  private final InterClassPolicy interClass;
  private final SimilaritySearch search;
  private final int buckets;

  private ScoreAgainstSubCenters(
      CleaningPolicy policy, InterClassPolicy interClass, SimilaritySearch search, int buckets) {
    this.policy = policy;
    this.interClass = interClass;
    this.search = search;
    this.buckets = buckets;
  }

  public static ScoreAgainstSubCenters with(CleaningPolicy policy) {
    checkNotNull(policy, "policy");
    return new ScoreAgainstSubCenters(
        policy, InterClassPolicy.defaults(), SimilaritySearches.bestWhereRun(), 256);
  }

  /** How many buckets of classes are grouped and scored together (default 256). */
  public ScoreAgainstSubCenters withClassBuckets(int n) {
    checkArgument(n > 0, "class buckets must be > 0, got %s", n);
    return new ScoreAgainstSubCenters(policy, interClass, search, n);
  }

  /** What to do across classes (default {@link InterClassPolicy#defaults}). */
  public ScoreAgainstSubCenters withInterClass(InterClassPolicy p) {
    checkNotNull(p, "inter-class policy");
    return new ScoreAgainstSubCenters(policy, p, search, buckets);
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
    TupleTag<KV<Integer, KV<String, String>>> hashes = new TupleTag<>() {};
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
    if (in.has(HASHES)) {
      keyed =
          keyed.and(
              hashes,
              in.get(HASHES)
                  .apply(
                      "KeyHashesByClassBucket",
                      MapElements.into(
                              TypeDescriptors.kvs(
                                  TypeDescriptors.integers(),
                                  TypeDescriptors.kvs(
                                      TypeDescriptors.integers(),
                                      TypeDescriptors.kvs(
                                          TypeDescriptors.strings(), TypeDescriptors.strings()))))
                          .via(x -> KV.of(bucketOf(x.getKey(), n), x)))
                  .setCoder(
                      KvCoder.of(
                          VarIntCoder.of(),
                          KvCoder.of(
                              VarIntCoder.of(),
                              KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))));
    }
    PCollection<KV<Integer, CoGbkResult>> grouped =
        keyed.apply("JoinWithOwnCentres", CoGroupByKey.create());
    Tags tags = new Tags(e, c, in.has(NAMES) ? names : null, in.has(HASHES) ? hashes : null);
    PCollection<Gathered> gathered =
        grouped
            .apply("SummariseClasses", ParDo.of(new ClassStatsFn(policy.minSubclassSize(), tags)))
            .setCoder(SerializableCoder.of(Calibration.ClassStats.class))
            .apply("Calibrate", Combine.globally(new CalibrateFn(search)))
            .setCoder(SerializableCoder.of(Gathered.class));
    PCollectionView<List<TestIdentity>> testView =
        (in.has(TEST_IDENTITIES)
                ? in.get(TEST_IDENTITIES)
                : grouped
                    .getPipeline()
                    .apply(
                        "NoTestIdentities", Create.empty(SerializableCoder.of(TestIdentity.class))))
            .apply("TestIdentitiesView", View.asList());
    PCollection<Calibrated> calibrated =
        gathered
            .apply(
                "SearchAcrossClasses",
                ParDo.of(new AcrossClassesFn(interClass, search, policy.relabel(), testView))
                    .withSideInputs(testView))
            .setCoder(SerializableCoder.of(Calibrated.class));
    PCollectionView<Calibrated> view = calibrated.apply("CalibrationView", View.asSingleton());
    PCollectionTuple out =
        grouped.apply(
            "ScoreClasses",
            ParDo.of(new ScoreClassesFn(policy, interClass, tags, view))
                .withSideInputs(view)
                .withOutputTags(DECISIONS, TupleTagList.of(CLASSES).and(TARGETS).and(KEPT)));
    PCollection<Decision> decisions = out.get(DECISIONS).setCoder(Decision.Coder.of());
    PCollection<ClassSummary> classes =
        out.get(CLASSES).setCoder(SerializableCoder.of(ClassSummary.class));
    out.get(TARGETS).setCoder(VarIntCoder.of());
    out.get(KEPT).setCoder(KvCoder.of(VarIntCoder.of(), DropMovedCopies.keptCoder()));
    if (policy.relabel() && in.has(HASHES)) {
      DropMovedCopies.Views copies =
          DropMovedCopies.Views.of(out.get(KEPT).apply("DropMovedCopies", new DropMovedCopies()));
      decisions = copies.applyToDecisions(decisions);
      classes = copies.applyToClasses(classes);
    }
    PCollection<Calibration> calibration =
        calibrated
            .apply(
                "CalibrationOnly",
                MapElements.into(TypeDescriptor.of(Calibration.class)).via(Calibrated::calibration))
            .setCoder(SerializableCoder.of(Calibration.class));
    PCollection<InterClassFindings> findings =
        calibrated
            .apply(
                "FindingsOnly",
                MapElements.into(TypeDescriptor.of(InterClassFindings.class))
                    .via(Calibrated::findings))
            .setCoder(SerializableCoder.of(InterClassFindings.class));
    return PCollectionTuple.of(DECISIONS, decisions)
        .and(CLASSES, classes)
        .and(TARGETS, out.get(TARGETS))
        .and(CALIBRATION, calibration)
        .and(FINDINGS, findings);
  }

  /**
   * A test-set identity: its name and the unit mean of its faces' embeddings.
   *
   * @param identity the test set's name for it
   * @param centroid unit vector of the embedder's dimension
   */
  public record TestIdentity(String identity, float[] centroid) implements Serializable {}

  /**
   * The combined per-class stats: the calibration, every class's dominant centroid (for
   * relabelling) and person centroid (compared across classes), and face count.
   */
  record Gathered(
      Calibration calibration,
      Centroids centroids,
      Centroids persons,
      TreeMap<Integer, Integer> faces)
      implements Serializable {}

  /**
   * The calibration, what was found across classes and, when relabelling, every class's centroid:
   * the side input of scoring.
   */
  record Calibrated(
      Calibration calibration, @Nullable Centroids centroids, InterClassFindings findings)
      implements Serializable {}

  /** The co-grouped inputs' tags. */
  private record Tags(
      TupleTag<KV<Integer, FaceEmbedding>> e,
      TupleTag<SubCentre> c,
      @Nullable TupleTag<KV<Integer, String>> names,
      @Nullable TupleTag<KV<Integer, KV<String, String>>> hashes)
      implements Serializable {}

  /** One class's faces, sorted by id (deterministic whatever the runner delivered). */
  private record ClassFaces(
      int label,
      String identity,
      List<FaceEmbedding> faces,
      float[][] x,
      float[][] centres,
      String[] sha256) {}

  /** The classes of one bucket that have faces, in class order. */
  private static List<ClassFaces> classesOf(CoGbkResult r, Tags tags) {
    TupleTag<KV<Integer, FaceEmbedding>> e = tags.e();
    TupleTag<SubCentre> c = tags.c();
    TupleTag<KV<Integer, String>> names = tags.names();
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
    Map<String, String> sha = new HashMap<>();
    if (tags.hashes() != null) {
      for (KV<Integer, KV<String, String>> x : r.getAll(tags.hashes())) {
        sha.put(x.getValue().getKey(), x.getValue().getValue());
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
      String[] digests = new String[faces.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = faces.get(i).vector();
        digests[i] = sha.get(faces.get(i).id());
      }
      out.add(
          new ClassFaces(
              label,
              identity.getOrDefault(label, Integer.toString(label)),
              faces,
              x,
              byIndex.values().toArray(new float[0][]),
              digests));
    }
    return out;
  }

  /** First pass: each class's contribution to the calibration. */
  static final class ClassStatsFn extends DoFn<KV<Integer, CoGbkResult>, Calibration.ClassStats> {
    private final int minSubclassSize;
    private final Tags tags;

    ClassStatsFn(int minSubclassSize, Tags tags) {
      this.minSubclassSize = minSubclassSize;
      this.tags = tags;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, CoGbkResult> kv, OutputReceiver<Calibration.ClassStats> out) {
      for (ClassFaces f : classesOf(kv.getValue(), tags)) {
        ClassScorer.Scores s = ClassScorer.score(f.x(), f.centres());
        out.output(
            Calibration.ClassStats.of(
                f.label(), f.identity(), f.x(), s, SubClasses.of(f.x(), s), minSubclassSize));
      }
    }
  }

  /** Combines every class's stats into the run's calibration, with every centroid. */
  static final class CalibrateFn
      extends Combine.CombineFn<Calibration.ClassStats, Calibration.Stats, Gathered> {
    private final SimilaritySearch search;

    CalibrateFn(SimilaritySearch search) {
      this.search = search;
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
    public Gathered extractOutput(Calibration.Stats acc) {
      return new Gathered(
          acc.calibrate(search),
          acc.centroids(),
          acc.personCentroids(),
          new TreeMap<>(acc.faces()));
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<Calibration.Stats> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry r,
        org.apache.beam.sdk.coders.Coder<Calibration.ClassStats> in) {
      return SerializableCoder.of(Calibration.Stats.class);
    }
  }

  /**
   * Searches across classes once, on the combined centroids: duplicate identities and, with a test
   * set, test-set overlap.
   */
  static final class AcrossClassesFn extends DoFn<Gathered, Calibrated> {
    private final InterClassPolicy interClass;
    private final SimilaritySearch search;
    private final boolean withCentroids;
    private final PCollectionView<List<TestIdentity>> test;

    AcrossClassesFn(
        InterClassPolicy interClass,
        SimilaritySearch search,
        boolean withCentroids,
        PCollectionView<List<TestIdentity>> test) {
      this.interClass = interClass;
      this.search = search;
      this.withCentroids = withCentroids;
      this.test = test;
    }

    @ProcessElement
    public void process(ProcessContext ctx) {
      Gathered g = ctx.element();
      List<TestIdentity> t = new ArrayList<>(ctx.sideInput(test));
      t.sort((a, b) -> a.identity().compareTo(b.identity()));
      Centroids testCentroids = null;
      if (!t.isEmpty()) {
        int[] labels = new int[t.size()];
        String[] names = new String[t.size()];
        float[][] unit = new float[t.size()][];
        for (int i = 0; i < labels.length; i++) {
          labels[i] = i;
          names[i] = t.get(i).identity();
          unit[i] = t.get(i).centroid();
        }
        testCentroids = new Centroids(labels, names, unit);
      }
      InterClassPolicy resolved = interClass.resolve(g.calibration());
      InterClassFindings findings =
          InterClassFindings.find(
              g.persons(), g.faces(), testCentroids, resolved.duplicateIdentityDeg(), search);
      ctx.output(new Calibrated(g.calibration(), withCentroids ? g.centroids() : null, findings));
    }
  }

  /** Second pass: decides every class of one bucket, in class order. */
  static final class ScoreClassesFn extends DoFn<KV<Integer, CoGbkResult>, Decision> {
    private final CleaningPolicy policy;
    private final InterClassPolicy interClass;
    private final Tags tags;
    private final PCollectionView<Calibrated> calibration;

    ScoreClassesFn(
        CleaningPolicy policy,
        InterClassPolicy interClass,
        Tags tags,
        PCollectionView<Calibrated> calibration) {
      this.policy = policy;
      this.interClass = interClass;
      this.tags = tags;
      this.calibration = calibration;
    }

    @ProcessElement
    public void process(ProcessContext ctx, MultiOutputReceiver out) {
      Calibrated cal = ctx.sideInput(calibration);
      CleaningPolicy p = policy.resolve(cal.calibration());
      InterClassPolicy ic = interClass.resolve(cal.calibration());
      for (ClassFaces f : classesOf(ctx.element().getValue(), tags)) {
        scoreClass(p, ic, f, cal, out);
      }
    }

    private static void scoreClass(
        CleaningPolicy policy,
        InterClassPolicy interClass,
        ClassFaces f,
        Calibrated cal,
        MultiOutputReceiver out) {
      Centroids centroids = cal.centroids();
      InterClassFindings findings = cal.findings();
      ClassScorer.Scores s = ClassScorer.score(f.x(), f.centres());
      ClassDecision d =
          interClass.apply(
              policy.decideClass(f.label(), f.x(), s, centroids), f.x(), f.sha256(), findings);
      java.util.TreeSet<Integer> targets = new java.util.TreeSet<>();
      for (int i = 0; i < f.x().length; i++) {
        float[] cos = new float[f.centres().length];
        for (int j = 0; j < cos.length; j++) {
          cos[j] = (float) s.cosines()[i][j];
        }
        boolean moved = d.relabelled(i);
        boolean merged = d.merged()[i];
        if (d.reason()[i] == null) {
          targets.add(d.target()[i]);
          if (policy.relabel() && f.sha256()[i] != null) {
            out.get(KEPT)
                .output(
                    KV.of(
                        d.target()[i],
                        new DropMovedCopies.Kept(
                            f.sha256()[i], f.faces().get(i).id(), f.label(), moved)));
          }
        }
        String targetIdentity =
            moved
                ? centroids.identity(centroids.indexOf(d.target()[i]))
                : merged ? findings.identityOf(d.target()[i]) : null;
        int dup = d.duplicateOf()[i];
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
                    targetIdentity,
                    d.angleToTargetDeg()[i],
                    merged,
                    dup < 0 ? null : f.faces().get(dup).id(),
                    d.angleToDuplicateDeg()[i],
                    d.exactDuplicate()[i]));
      }
      targets.forEach(t -> out.get(TARGETS).output(t));
      out.get(CLASSES)
          .output(
              ClassSummary.of(
                  f.identity(),
                  s,
                  d,
                  findings.forClass(
                      f.label(),
                      interClass.duplicateIdentities()
                          == InterClassPolicy.DuplicateIdentities.MERGE),
                  policy.kind() == CleaningPolicy.Kind.SUBCLASS
                      ? ClassSummary.Groups.of(f.x(), s, d)
                      : null));
    }
  }
}
