package dev.facesieve.transforms;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.CleanCounts;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.EmbeddingCheck;
import dev.facesieve.datasets.clean.InterClassFindings;
import dev.facesieve.datasets.clean.InterClassPolicy;
import dev.facesieve.model.ModelInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
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
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The cleaning pipeline: embed faces (or take cached embeddings), score each class against its own
 * sub-centres, decide, and join the decisions back to the records.
 *
 * <p>Applied to the prepared faces, with the model's sub-centres ({@link #withCentres}, required)
 * and, to skip inference, cached embeddings ({@link #withCachedEmbeddings}). The {@link Result}
 * holds kept and dropped faces (Avro {@link CleanSchemas#CLEANED}, kept faces relabelled 0…C′−1 in
 * the order of their old labels), the decisions, one row per class (Avro {@link
 * CleanSchemas#CLASS}), the embeddings used and the run's {@link CleanCounts}.
 */
public final class CleanFaces extends PTransform<PCollection<FaceRecord>, CleanFaces.Result> {
  static final TupleTag<GenericRecord> KEPT = new TupleTag<>() {};
  static final TupleTag<GenericRecord> DROPPED = new TupleTag<>() {};
  static final TupleTag<CleanCounts> COUNTS = new TupleTag<>() {};
  static final TupleTag<QuarantineRecord> QUARANTINED = new TupleTag<>() {};
  static final TupleTag<FaceEmbedding> VALID = new TupleTag<>() {};
  static final TupleTag<KV<String, String>> INVALID = new TupleTag<>() {};

  /** Default number of id buckets of the join of decisions back to faces. */
  public static final int DEFAULT_JOIN_BUCKETS = 64;

  /** Default number of class buckets scored together. */
  public static final int DEFAULT_CLASS_BUCKETS = 256;

  private final ModelInfo model;
  private final CleaningPolicy policy;
  private final InterClassPolicy interClass;
  private final int joinBuckets;
  private final int classBuckets;
  private final int embedThreads;
  // Transient: tags made in expand() are anonymous classes holding this transform, and travel.
  private final transient @Nullable PCollection<SubCentre> centres;
  private final transient @Nullable PCollection<FaceEmbedding> cached;
  private final transient @Nullable PCollection<FaceRecord> testFaces;

  private CleanFaces(
      ModelInfo model,
      CleaningPolicy policy,
      InterClassPolicy interClass,
      int joinBuckets,
      int classBuckets,
      int embedThreads,
      @Nullable PCollection<SubCentre> centres,
      @Nullable PCollection<FaceEmbedding> cached,
      @Nullable PCollection<FaceRecord> testFaces) {
    this.model = model;
    this.policy = policy;
    this.interClass = interClass;
    this.joinBuckets = joinBuckets;
    this.classBuckets = classBuckets;
    this.embedThreads = embedThreads;
    this.centres = centres;
    this.cached = cached;
    this.testFaces = testFaces;
  }

  public static CleanFaces with(ModelInfo model, CleaningPolicy policy) {
    return new CleanFaces(
        model,
        policy,
        InterClassPolicy.defaults(),
        DEFAULT_JOIN_BUCKETS,
        DEFAULT_CLASS_BUCKETS,
        0,
        null,
        null,
        null);
  }

  private CleanFaces copy(
      InterClassPolicy ic,
      int join,
      int classes,
      int threads,
      @Nullable PCollection<SubCentre> c,
      @Nullable PCollection<FaceEmbedding> e,
      @Nullable PCollection<FaceRecord> t) {
    return new CleanFaces(model, policy, ic, join, classes, threads, c, e, t);
  }

  /** The model's sub-centres, every class's K rows (required). */
  public CleanFaces withCentres(PCollection<SubCentre> c) {
    return copy(interClass, joinBuckets, classBuckets, embedThreads, c, cached, testFaces);
  }

  /**
   * Embeddings computed earlier by the same model for the same faces: no face is embedded, and
   * {@link Result#embeddings()} is this collection.
   */
  public CleanFaces withCachedEmbeddings(PCollection<FaceEmbedding> e) {
    return copy(interClass, joinBuckets, classBuckets, embedThreads, centres, e, testFaces);
  }

  /** What to do across classes (default {@link InterClassPolicy#defaults}). */
  public CleanFaces withInterClass(InterClassPolicy p) {
    return copy(p, joinBuckets, classBuckets, embedThreads, centres, cached, testFaces);
  }

  /**
   * A test set's faces (prepared, labelled by test identity): they are embedded by the same model
   * and every class whose person is one of their identities is dropped ({@code TEST_OVERLAP}).
   */
  public CleanFaces withTestFaces(PCollection<FaceRecord> t) {
    return copy(interClass, joinBuckets, classBuckets, embedThreads, centres, cached, t);
  }

  /**
   * How many hash buckets of face ids the join of decisions back to faces uses. Each bucket's
   * decisions (small) are held in memory while its faces stream past; size it so that a bucket
   * holds a few hundred faces (one key per face would make some runners set up a bundle per face).
   */
  public CleanFaces withJoinBuckets(int n) {
    checkArgument(n > 0, "join buckets must be > 0, got %s", n);
    return copy(interClass, n, classBuckets, embedThreads, centres, cached, testFaces);
  }

  /** How many buckets of classes are scored together; see {@link ScoreAgainstSubCenters}. */
  public CleanFaces withClassBuckets(int n) {
    checkArgument(n > 0, "class buckets must be > 0, got %s", n);
    return copy(interClass, joinBuckets, n, embedThreads, centres, cached, testFaces);
  }

  /**
   * Threads per worker's ONNX session when faces are embedded; see {@link EmbedFaces#withThreads}.
   */
  public CleanFaces withEmbedThreads(int n) {
    checkArgument(n >= 0, "embed threads must be >= 0, got %s", n);
    return copy(interClass, joinBuckets, classBuckets, n, centres, cached, testFaces);
  }

  /**
   * Bucket counts for {@code images} faces of {@code classes} classes that keep every group under
   * Beam's 10,000-element in-memory {@code CoGbkResult} cache: a larger group must be iterated
   * again for its second input, which Flink's batch runner refuses ("GBK result is not
   * re-iterable"). About 4,000 elements a group; at least the defaults (64 and 256).
   */
  public CleanFaces sizedFor(long images, long classes) {
    int join =
        (int) Math.max(DEFAULT_JOIN_BUCKETS, Math.min(1 << 20, (2 * images + 3_999) / 4_000));
    int score =
        (int)
            Math.max(
                DEFAULT_CLASS_BUCKETS, Math.min(1 << 20, (images + 5 * classes + 3_999) / 4_000));
    return withJoinBuckets(join).withClassBuckets(score);
  }

  /**
   * The join bucket of face {@code id}: its hash mixed first, because {@code String.hashCode} of
   * decimal ids ({@code "1"} … {@code "525000"}, as RecordIO keys are) takes only 80 of 248 values
   * mod 248 (31 divides 248): at 500K faces the join's groups grew past the 10,000-element cache.
   */
  static int bucket(String id, int buckets) {
    int h = id.hashCode();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Math.floorMod(h, buckets);
  }

  @Override
  public Map<TupleTag<?>, PValue> getAdditionalInputs() {
    Map<TupleTag<?>, PValue> m = new LinkedHashMap<>();
    if (centres != null) {
      m.put(ScoreAgainstSubCenters.CENTRES, centres);
    }
    if (cached != null) {
      m.put(ScoreAgainstSubCenters.EMBEDDINGS, cached);
    }
    if (testFaces != null) {
      m.put(ScoreAgainstSubCenters.TEST_IDENTITIES, testFaces);
    }
    return m;
  }

  @Override
  public Result expand(PCollection<FaceRecord> faces) {
    checkState(centres != null, "CleanFaces needs the model's sub-centres: call withCentres");
    PCollection<FaceEmbedding> embeddings =
        cached != null
            ? cached
            : faces.apply(
                "EmbedFaces", EmbedFaces.with(model.withoutIdentities()).withThreads(embedThreads));
    PCollectionTuple checked =
        embeddings.apply(
            "CheckEmbeddings",
            ParDo.of(new CheckEmbeddingFn(model.embeddingSize()))
                .withOutputTags(VALID, TupleTagList.of(INVALID)));
    PCollection<FaceEmbedding> valid = checked.get(VALID).setCoder(FaceEmbedding.Coder.of());
    List<KV<Integer, String>> names = new ArrayList<>();
    model.identities().forEach((c, name) -> names.add(KV.of(c, name)));
    PCollection<KV<Integer, String>> namesIn =
        faces
            .getPipeline()
            .apply(
                "IdentityNames",
                Create.of(names).withCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of())));
    PCollection<KV<Integer, KV<String, String>>> hashes =
        faces
            .apply(
                "DigestsByClass",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.integers(),
                            TypeDescriptors.kvs(
                                TypeDescriptors.strings(), TypeDescriptors.strings())))
                    .via(f -> KV.of(f.label(), KV.of(f.id(), f.sha256()))))
            .setCoder(
                KvCoder.of(
                    VarIntCoder.of(), KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())));
    PCollectionTuple toScore =
        PCollectionTuple.of(ScoreAgainstSubCenters.EMBEDDINGS, valid)
            .and(ScoreAgainstSubCenters.CENTRES, centres)
            .and(ScoreAgainstSubCenters.NAMES, namesIn)
            .and(ScoreAgainstSubCenters.HASHES, hashes);
    if (testFaces != null) {
      toScore =
          toScore.and(
              ScoreAgainstSubCenters.TEST_IDENTITIES,
              testFaces.apply("TestIdentities", new TestIdentities(model, embedThreads)));
    }
    PCollectionTuple scored =
        toScore.apply(
            "ScoreAgainstSubCenters",
            ScoreAgainstSubCenters.with(policy)
                .withInterClass(interClass)
                .withClassBuckets(classBuckets));
    PCollection<ClassSummary> classes = scored.get(ScoreAgainstSubCenters.CLASSES);
    // every class some kept face ends in: its own, moved in by relabelling, or merged in
    PCollection<Integer> keeping = scored.get(ScoreAgainstSubCenters.TARGETS);
    PCollectionView<NewLabels> newLabels =
        keeping
            .apply("AssignNewLabels", Combine.globally(new NewLabelsFn()))
            .setCoder(SerializableCoder.of(NewLabels.class))
            .apply("AsView", View.asSingleton());

    TupleTag<FaceRecord> faceTag = new TupleTag<>() {};
    TupleTag<KV<Decision, Integer>> decisionTag = new TupleTag<>() {};
    TupleTag<KV<String, String>> invalidTag = new TupleTag<>() {};
    int buckets = joinBuckets;
    PCollection<KV<Integer, KV<String, String>>> invalidById =
        checked
            .get(INVALID)
            .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
            .apply(
                "KeyInvalidByIdBucket",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.integers(),
                            TypeDescriptors.kvs(
                                TypeDescriptors.strings(), TypeDescriptors.strings())))
                    .via(e -> KV.of(bucket(e.getKey(), buckets), e)))
            .setCoder(
                KvCoder.of(
                    VarIntCoder.of(), KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())));
    PCollection<KV<Integer, FaceRecord>> facesById =
        faces
            .apply(
                "KeyFacesByIdBucket",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.integers(), TypeDescriptor.of(FaceRecord.class)))
                    .via(f -> KV.of(bucket(f.id(), buckets), f)))
            .setCoder(KvCoder.of(VarIntCoder.of(), FaceCoders.faces()));
    // New labels go onto the (small) decisions here, so that the join below needs no side input.
    PCollection<KV<Integer, KV<Decision, Integer>>> decisionsById =
        scored
            .get(ScoreAgainstSubCenters.DECISIONS)
            .apply(
                "AddNewLabels",
                ParDo.of(new NewLabelFn(newLabels, buckets)).withSideInputs(newLabels))
            .setCoder(
                KvCoder.of(VarIntCoder.of(), KvCoder.of(Decision.Coder.of(), VarIntCoder.of())));
    PCollectionTuple split =
        KeyedPCollectionTuple.of(faceTag, facesById)
            .and(decisionTag, decisionsById)
            .and(invalidTag, invalidById)
            .apply("JoinDecisionsToFaces", CoGroupByKey.create())
            .apply(
                "AttachDecisions",
                ParDo.of(new AttachFn(faceTag, decisionTag, invalidTag))
                    .withOutputTags(KEPT, TupleTagList.of(DROPPED).and(COUNTS).and(QUARANTINED)));
    PCollection<CleanCounts> counts =
        split
            .get(COUNTS)
            .setCoder(SerializableCoder.of(CleanCounts.class))
            .apply("SumCounts", Combine.globally((Iterable<CleanCounts> all) -> sum(all)))
            .setCoder(SerializableCoder.of(CleanCounts.class));
    PCollection<GenericRecord> classRows =
        classes
            .apply("ClassRows", ParDo.of(new ClassRowFn(newLabels)).withSideInputs(newLabels))
            .setCoder(FaceCoders.avro(CleanSchemas.CLASS));
    return new Result(
        faces.getPipeline(),
        split.get(KEPT).setCoder(FaceCoders.avro(CleanSchemas.CLEANED)),
        split.get(DROPPED).setCoder(FaceCoders.avro(CleanSchemas.CLEANED)),
        split.get(QUARANTINED).setCoder(FaceCoders.quarantined()),
        scored.get(ScoreAgainstSubCenters.DECISIONS),
        classRows,
        embeddings,
        counts,
        scored.get(ScoreAgainstSubCenters.CALIBRATION),
        scored.get(ScoreAgainstSubCenters.FINDINGS));
  }

  /**
   * A test set's faces to one {@link ScoreAgainstSubCenters.TestIdentity} per identity: embedded by
   * the model, averaged per label and normalised.
   */
  static final class TestIdentities
      extends PTransform<
          PCollection<FaceRecord>, PCollection<ScoreAgainstSubCenters.TestIdentity>> {
    private final ModelInfo model;
    private final int threads;

    TestIdentities(ModelInfo model, int threads) {
      this.model = model;
      this.threads = threads;
    }

    @Override
    public PCollection<ScoreAgainstSubCenters.TestIdentity> expand(PCollection<FaceRecord> in) {
      PCollectionView<java.util.Map<Integer, String>> names =
          in.apply(
                  "TestNames",
                  MapElements.into(
                          TypeDescriptors.kvs(
                              TypeDescriptors.integers(), TypeDescriptors.strings()))
                      .via(f -> KV.of(f.label(), f.identity())))
              .setCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()))
              .apply("OneNamePerLabel", org.apache.beam.sdk.transforms.Distinct.create())
              .apply("TestNamesView", View.asMap());
      int dimension = model.embeddingSize();
      return in.apply(
              "EmbedTestFaces", EmbedFaces.with(model.withoutIdentities()).withThreads(threads))
          .apply(
              "ValidTestEmbeddings",
              org.apache.beam.sdk.transforms.Filter.by(
                  (FaceEmbedding e) -> EmbeddingCheck.problem(e.vector(), dimension) == null))
          .apply(
              "ByTestLabel",
              MapElements.into(
                      TypeDescriptors.kvs(
                          TypeDescriptors.integers(), TypeDescriptor.of(float[].class)))
                  .via(e -> KV.of(e.label(), e.vector())))
          .setCoder(KvCoder.of(VarIntCoder.of(), SerializableCoder.of(float[].class)))
          .apply("SumPerTestIdentity", Combine.perKey(new SumFn()))
          .apply("ToTestIdentities", ParDo.of(new ToTestIdentityFn(names)).withSideInputs(names))
          .setCoder(SerializableCoder.of(ScoreAgainstSubCenters.TestIdentity.class));
    }
  }

  /** A test identity's summed embeddings to its named unit centroid. */
  static final class ToTestIdentityFn
      extends DoFn<KV<Integer, float[]>, ScoreAgainstSubCenters.TestIdentity> {
    private final PCollectionView<java.util.Map<Integer, String>> names;

    ToTestIdentityFn(PCollectionView<java.util.Map<Integer, String>> names) {
      this.names = names;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      float[] sum = c.element().getValue();
      double[] d = new double[sum.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = sum[i];
      }
      c.output(
          new ScoreAgainstSubCenters.TestIdentity(
              c.sideInput(names).get(c.element().getKey()),
              dev.facesieve.datasets.clean.SubClasses.unit(d)));
    }
  }

  /** Sums float vectors. */
  static final class SumFn extends Combine.BinaryCombineFn<float[]> {
    @Override
    public float[] apply(float[] a, float[] b) {
      float[] out = a.clone();
      for (int i = 0; i < out.length; i++) {
        out[i] += b[i];
      }
      return out;
    }
  }

  private static CleanCounts sum(Iterable<CleanCounts> all) {
    CleanCounts total = CleanCounts.ZERO;
    for (CleanCounts c : all) {
      total = total.plus(c);
    }
    return total;
  }

  /** What {@link CleanFaces} produces. */
  public static final class Result implements POutput {
    private final Pipeline pipeline;
    private final PCollection<GenericRecord> kept;
    private final PCollection<GenericRecord> dropped;
    private final PCollection<QuarantineRecord> quarantined;
    private final PCollection<Decision> decisions;
    private final PCollection<GenericRecord> classRows;
    private final PCollection<FaceEmbedding> embeddings;
    private final PCollection<CleanCounts> counts;
    private final PCollection<Calibration> calibration;
    private final PCollection<InterClassFindings> findings;

    Result(
        Pipeline pipeline,
        PCollection<GenericRecord> kept,
        PCollection<GenericRecord> dropped,
        PCollection<QuarantineRecord> quarantined,
        PCollection<Decision> decisions,
        PCollection<GenericRecord> classRows,
        PCollection<FaceEmbedding> embeddings,
        PCollection<CleanCounts> counts,
        PCollection<Calibration> calibration,
        PCollection<InterClassFindings> findings) {
      this.pipeline = pipeline;
      this.kept = kept;
      this.dropped = dropped;
      this.quarantined = quarantined;
      this.decisions = decisions;
      this.classRows = classRows;
      this.embeddings = embeddings;
      this.counts = counts;
      this.calibration = calibration;
      this.findings = findings;
    }

    /** One element: duplicate-identity groups and test-set matches. */
    public PCollection<InterClassFindings> findings() {
      return findings;
    }

    /** One element: the thresholds read from the data and their evidence. */
    public PCollection<Calibration> calibration() {
      return calibration;
    }

    /** Kept faces, relabelled 0…C′−1 (moved faces under their new class). */
    public PCollection<GenericRecord> kept() {
      return kept;
    }

    /** Dropped faces with their reason (label −1). */
    public PCollection<GenericRecord> dropped() {
      return dropped;
    }

    /**
     * Faces set aside undecided ({@code EMBEDDING_INVALID}): their embedding fails {@link
     * EmbeddingCheck}; they are in no other output.
     */
    public PCollection<QuarantineRecord> quarantined() {
      return quarantined;
    }

    /** Every decided face's decision. */
    public PCollection<Decision> decisions() {
      return decisions;
    }

    /** One {@code classes.parquet} row per class that has faces. */
    public PCollection<GenericRecord> classRows() {
      return classRows;
    }

    /** The embeddings the decisions were made on (computed here, or the cached ones). */
    public PCollection<FaceEmbedding> embeddings() {
      return embeddings;
    }

    /** One element: the tally of kept and dropped faces, with ground truth where known. */
    public PCollection<CleanCounts> counts() {
      return counts;
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      Map<TupleTag<?>, PValue> m = new LinkedHashMap<>();
      m.put(KEPT, kept);
      m.put(DROPPED, dropped);
      m.put(QUARANTINED, quarantined);
      m.put(ScoreAgainstSubCenters.DECISIONS, decisions);
      m.put(ScoreAgainstSubCenters.CLASSES, classRows);
      m.put(ScoreAgainstSubCenters.EMBEDDINGS, embeddings);
      m.put(COUNTS, counts);
      m.put(ScoreAgainstSubCenters.CALIBRATION, calibration);
      m.put(ScoreAgainstSubCenters.FINDINGS, findings);
      return m;
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName, PInput input, PTransform<?, ?> transform) {}
  }

  /**
   * Old label → new contiguous label for the classes that keep at least one face: the rank of the
   * old label among them. Held as a sorted {@code int[]} (4 bytes a class) because every bundle
   * that reads it as a side input may decode it again; a boxed map of 100K classes cost more to
   * decode than the bundle's work.
   */
  static final class NewLabels implements java.io.Serializable {
    private final int[] kept;

    NewLabels(int[] keptSorted) {
      this.kept = keptSorted;
    }

    /** The new label of {@code old}, or −1 when the class keeps nothing. */
    int of(int old) {
      int i = java.util.Arrays.binarySearch(kept, old);
      return i < 0 ? -1 : i;
    }
  }

  /** Collects the labels of classes that keep at least one face. */
  static final class NewLabelsFn extends Combine.CombineFn<Integer, TreeSet<Integer>, NewLabels> {
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
  static final class NewLabelFn extends DoFn<Decision, KV<Integer, KV<Decision, Integer>>> {
    private final PCollectionView<NewLabels> newLabels;
    private final int buckets;

    NewLabelFn(PCollectionView<NewLabels> newLabels, int buckets) {
      this.newLabels = newLabels;
      this.buckets = buckets;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      Decision d = c.element();
      int label = d.kept() ? c.sideInput(newLabels).of(d.target()) : -1;
      c.output(KV.of(bucket(d.id(), buckets), KV.of(d, label)));
    }
  }

  /**
   * Builds the cleaned record of each face and routes it to kept or dropped, or, when its embedding
   * failed {@link EmbeddingCheck}, to the quarantine.
   */
  static final class AttachFn extends DoFn<KV<Integer, CoGbkResult>, GenericRecord> {
    private final TupleTag<FaceRecord> faceTag;
    private final TupleTag<KV<Decision, Integer>> decisionTag;
    private final TupleTag<KV<String, String>> invalidTag;

    AttachFn(
        TupleTag<FaceRecord> f, TupleTag<KV<Decision, Integer>> d, TupleTag<KV<String, String>> i) {
      this.faceTag = f;
      this.decisionTag = d;
      this.invalidTag = i;
    }

    @ProcessElement
    public void process(@Element KV<Integer, CoGbkResult> kv, MultiOutputReceiver out) {
      Map<String, KV<Decision, Integer>> decisions = new java.util.HashMap<>();
      for (KV<Decision, Integer> d : kv.getValue().getAll(decisionTag)) {
        decisions.put(d.getKey().id(), d);
      }
      Map<String, String> invalid = new java.util.HashMap<>();
      for (KV<String, String> i : kv.getValue().getAll(invalidTag)) {
        invalid.put(i.getKey(), i.getValue());
      }
      int faces = 0;
      CleanCounts counts = CleanCounts.ZERO;
      for (FaceRecord f : kv.getValue().getAll(faceTag)) {
        faces++;
        String problem = invalid.get(f.id());
        if (problem != null) {
          out.get(QUARANTINED).output(invalidEmbedding(f, problem));
          continue;
        }
        KV<Decision, Integer> d = decisions.get(f.id());
        if (d == null) {
          throw new IllegalStateException("face " + f.id() + " has no decision");
        }
        Decision decision = d.getKey();
        out.get(decision.kept() ? KEPT : DROPPED).output(cleaned(f, decision, d.getValue()));
        counts =
            counts.plus(
                decision.relabelled()
                    ? CleanCounts.ofMove(f.truth(), movedToTrueIdentity(f, decision))
                    : CleanCounts.ofFace(decision.reason(), f.truth(), decision.merged()));
      }
      out.get(COUNTS).output(counts);
      if (faces != decisions.size() + invalid.size()) {
        throw new IllegalStateException(
            String.format(
                java.util.Locale.ROOT,
                "bucket %d: %d decisions and %d invalid embeddings for %d faces",
                kv.getKey(),
                decisions.size(),
                invalid.size(),
                faces));
      }
    }
  }

  /** A face whose embedding cannot be decided on, as a quarantine record. */
  static QuarantineRecord invalidEmbedding(FaceRecord f, String problem) {
    return QuarantineRecord.of(
        f.id(),
        f.source(),
        QuarantineReason.EMBEDDING_INVALID,
        problem,
        f.label(),
        f.identity(),
        null,
        f.truth());
  }

  /**
   * Sends each embedding that passes {@link EmbeddingCheck} on ({@link #VALID}) and the id and
   * problem of each that fails ({@link #INVALID}).
   */
  static final class CheckEmbeddingFn extends DoFn<FaceEmbedding, FaceEmbedding> {
    private final int dimension;

    CheckEmbeddingFn(int dimension) {
      this.dimension = dimension;
    }

    @ProcessElement
    public void process(@Element FaceEmbedding e, MultiOutputReceiver out) {
      String problem = EmbeddingCheck.problem(e.vector(), dimension);
      if (problem == null) {
        out.get(VALID).output(e);
      } else {
        out.get(INVALID).output(KV.of(e.id(), problem));
      }
    }
  }

  /**
   * Whether a moved face went to its true identity; null when the truth does not name it. (The true
   * identity arrives with the truth file's {@code true_identity} column.)
   */
  @Nullable
  static Boolean movedToTrueIdentity(FaceRecord f, Decision d) {
    return f.trueIdentity() == null ? null : f.trueIdentity().equals(d.targetIdentity());
  }

  /** A face and its decision as one {@link CleanSchemas#CLEANED} record. */
  public static GenericRecord cleaned(FaceRecord f, Decision d, int newLabel) {
    GenericRecord face = FaceSchemas.toAvro(f);
    Schema s = CleanSchemas.CLEANED;
    GenericRecord r = new GenericData.Record(s);
    for (Schema.Field field : FaceSchemas.FACE.getFields()) {
      r.put(field.name(), face.get(field.name()));
    }
    r.put("label", newLabel);
    r.put("original_label", f.label());
    r.put("angle_deg", d.angleDeg());
    r.put("nearest_sub_center", d.nearest());
    r.put("dominant_sub_center", d.dominant());
    r.put("cosines", FaceSchemas.floatList(d.cosines()));
    r.put("reason", d.reason() == null ? null : d.reason().name());
    if (d.relabelled()) {
      r.put("identity", d.targetIdentity());
      r.put("original_identity", f.identity());
      r.put("angle_to_target_deg", d.angleToTargetDeg());
    } else if (d.merged() && d.kept()) {
      r.put("identity", d.targetIdentity());
      r.put("original_identity", f.identity());
    }
    if (d.duplicateOf() != null) {
      r.put("duplicate_of", d.duplicateOf());
      r.put("angle_to_duplicate_deg", d.angleToDuplicateDeg());
      r.put("duplicate_exact", d.exactDuplicate());
    }
    return r;
  }

  /** Adds the new label to each class summary. */
  static final class ClassRowFn extends DoFn<ClassSummary, GenericRecord> {
    private final PCollectionView<NewLabels> newLabels;

    ClassRowFn(PCollectionView<NewLabels> newLabels) {
      this.newLabels = newLabels;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      ClassSummary s = c.element();
      // a class merged into its group's keeper now lives under the keeper's new label
      int label = s.interClass().merged() ? s.interClass().groupKeeper() : s.label();
      c.output(s.toAvro(c.sideInput(newLabels).of(label)));
    }
  }
}
