package dev.facesieve.transforms;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.auto.value.AutoBuilder;
import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceRecord;
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
import javax.annotation.Nullable;
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
import org.apache.beam.sdk.transforms.display.DisplayData;
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
  static final TupleTag<String> COPIES_ACROSS_CLASSES = new TupleTag<>() {};
  static final TupleTag<FaceEmbedding> VALID = new TupleTag<>() {};
  static final TupleTag<KV<String, String>> INVALID = new TupleTag<>() {};

  /** Default number of id buckets of the join of decisions back to faces. */
  public static final int DEFAULT_JOIN_BUCKETS = 64;

  /** Default number of class buckets scored together. */
  public static final int DEFAULT_CLASS_BUCKETS = 256;

  /**
   * The transform's settings: everything but its input collections.
   *
   * @param joinBuckets hash buckets of face ids the join of decisions back to faces uses. Each
   *     bucket's decisions (small) are held in memory while its faces stream past; size it so that
   *     a bucket holds a few hundred faces (one key per face would make some runners set up a
   *     bundle per face)
   * @param classBuckets buckets of classes scored together; see {@link ScoreAgainstSubCenters}
   * @param embedThreads threads per worker's ONNX session when faces are embedded; see {@link
   *     EmbedFaces#withThreads}
   */
  public record Options(
      ModelInfo model,
      CleaningPolicy policy,
      InterClassPolicy interClass,
      int joinBuckets,
      int classBuckets,
      int embedThreads)
      implements java.io.Serializable {
    public Options {
      checkArgument(joinBuckets > 0, "join buckets must be > 0, got %s", joinBuckets);
      checkArgument(classBuckets > 0, "class buckets must be > 0, got %s", classBuckets);
      checkArgument(embedThreads >= 0, "embed threads must be >= 0, got %s", embedThreads);
    }

    public Builder toBuilder() {
      return new AutoBuilder_CleanFaces_Options_Builder(this);
    }

    /** Builds {@link Options}. */
    @AutoBuilder
    public interface Builder {
      Builder setModel(ModelInfo m);

      Builder setPolicy(CleaningPolicy p);

      Builder setInterClass(InterClassPolicy p);

      Builder setJoinBuckets(int n);

      Builder setClassBuckets(int n);

      Builder setEmbedThreads(int n);

      Options build();
    }
  }

  private final Options options;
  // Transient: tags made in expand() are anonymous classes holding this transform, and travel.
  private final transient @Nullable PCollection<SubCentre> centres;
  private final transient @Nullable PCollection<FaceEmbedding> cached;
  private final transient @Nullable PCollection<FaceRecord> testFaces;

  private CleanFaces(
      Options options,
      @Nullable PCollection<SubCentre> centres,
      @Nullable PCollection<FaceEmbedding> cached,
      @Nullable PCollection<FaceRecord> testFaces) {
    this.options = options;
    this.centres = centres;
    this.cached = cached;
    this.testFaces = testFaces;
  }

  /** Cleaning with {@code model} by {@code policy}; every other option default. */
  public static CleanFaces with(ModelInfo model, CleaningPolicy policy) {
    return new CleanFaces(
        new Options(
            model,
            policy,
            InterClassPolicy.defaults(),
            DEFAULT_JOIN_BUCKETS,
            DEFAULT_CLASS_BUCKETS,
            0),
        null,
        null,
        null);
  }

  /** This transform with other options. */
  public CleanFaces withOptions(Options o) {
    return new CleanFaces(o, centres, cached, testFaces);
  }

  /** The model's sub-centres, every class's K rows (required). */
  public CleanFaces withCentres(PCollection<SubCentre> c) {
    return new CleanFaces(options, c, cached, testFaces);
  }

  /**
   * Embeddings computed earlier by the same model for the same faces: no face is embedded, and
   * {@link Result#embeddings()} is this collection.
   */
  public CleanFaces withCachedEmbeddings(PCollection<FaceEmbedding> e) {
    return new CleanFaces(options, centres, e, testFaces);
  }

  /**
   * A test set's faces (prepared, labelled by test identity): they are embedded by the same model
   * and every class whose person is one of their identities is dropped ({@code TEST_OVERLAP}).
   */
  public CleanFaces withTestFaces(PCollection<FaceRecord> t) {
    return new CleanFaces(options, centres, cached, t);
  }

  /** What to do across classes (default {@link InterClassPolicy#defaults}). */
  public CleanFaces withInterClass(InterClassPolicy p) {
    return withOptions(options.toBuilder().setInterClass(p).build());
  }

  /** {@link Options#joinBuckets}. */
  public CleanFaces withJoinBuckets(int n) {
    return withOptions(options.toBuilder().setJoinBuckets(n).build());
  }

  /** {@link Options#classBuckets}. */
  public CleanFaces withClassBuckets(int n) {
    return withOptions(options.toBuilder().setClassBuckets(n).build());
  }

  /** {@link Options#embedThreads}. */
  public CleanFaces withEmbedThreads(int n) {
    return withOptions(options.toBuilder().setEmbedThreads(n).build());
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
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("model", options.model().directory()).withLabel("Model"))
        .add(DisplayData.item("policy", options.policy().toString()).withLabel("Policy"))
        .add(DisplayData.item("interClass", options.interClass().toString()).withLabel("Across"))
        .add(DisplayData.item("joinBuckets", options.joinBuckets()).withLabel("Join buckets"))
        .add(DisplayData.item("classBuckets", options.classBuckets()).withLabel("Class buckets"))
        .add(DisplayData.item("cachedEmbeddings", cached != null).withLabel("Stored embeddings"))
        .add(DisplayData.item("testSet", testFaces != null).withLabel("Test set"));
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
    ModelInfo model = options.model();
    int embedThreads = options.embedThreads();
    checkState(centres != null, "CleanFaces needs the model's sub-centres: call withCentres");
    PCollection<FaceEmbedding> embeddings =
        cached != null
            ? cached
            : faces.apply(
                "EmbedFaces", EmbedFaces.with(model.withoutIdentities()).withThreads(embedThreads));
    PCollectionTuple checked =
        embeddings.apply(
            "CheckEmbeddings",
            ParDo.of(new AttachDecisionsFn.CheckEmbeddingFn(model.embeddingSize()))
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
              testFaces.apply("TestIdentities", new EmbedTestIdentities(model, embedThreads)));
    }
    PCollectionTuple scored =
        toScore.apply(
            "ScoreAgainstSubCenters",
            ScoreAgainstSubCenters.with(options.policy())
                .withInterClass(options.interClass())
                .withClassBuckets(options.classBuckets()));
    PCollection<ClassSummary> classes = scored.get(ScoreAgainstSubCenters.CLASSES);
    // every class some kept face ends in: its own, moved in by relabelling, or merged in
    PCollection<Integer> keeping = scored.get(ScoreAgainstSubCenters.TARGETS);
    PCollectionView<NewLabels> newLabels =
        keeping
            .apply("AssignNewLabels", Combine.globally(new NewLabels.CollectFn()))
            .setCoder(SerializableCoder.of(NewLabels.class))
            .apply("AsView", View.asSingleton());

    TupleTag<FaceRecord> faceTag = new TupleTag<>() {};
    TupleTag<KV<Decision, Integer>> decisionTag = new TupleTag<>() {};
    TupleTag<KV<String, String>> invalidTag = new TupleTag<>() {};
    int buckets = options.joinBuckets();
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
                ParDo.of(new NewLabels.KeyDecisionFn(newLabels, buckets)).withSideInputs(newLabels))
            .setCoder(
                KvCoder.of(VarIntCoder.of(), KvCoder.of(Decision.Coder.of(), VarIntCoder.of())));
    PCollectionTuple split =
        KeyedPCollectionTuple.of(faceTag, facesById)
            .and(decisionTag, decisionsById)
            .and(invalidTag, invalidById)
            .apply("JoinDecisionsToFaces", CoGroupByKey.create())
            .apply(
                "AttachDecisions",
                ParDo.of(new AttachDecisionsFn(faceTag, decisionTag, invalidTag))
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
        scored.get(ScoreAgainstSubCenters.FINDINGS),
        faces.apply("ExactCopiesAcrossClasses", new FindCopiesAcrossClasses()));
  }

  private static CleanCounts sum(Iterable<CleanCounts> all) {
    CleanCounts total = CleanCounts.ZERO;
    for (CleanCounts c : all) {
      total = total.plus(c);
    }
    return total;
  }

  /**
   * What {@link CleanFaces} produces; also the input of a transform that writes it ({@link
   * #apply}).
   */
  public static final class Result implements POutput, PInput {
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
    private final PCollection<String> copiesAcrossClasses;

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
        PCollection<InterClassFindings> findings,
        PCollection<String> copiesAcrossClasses) {
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
      this.copiesAcrossClasses = copiesAcrossClasses;
    }

    /** Applies {@code t} (a writer of these outputs) to this result. */
    public <T extends POutput> T apply(String name, PTransform<? super Result, T> t) {
      return Pipeline.applyTransform(name, this, t);
    }

    /**
     * The {@code duplicate-images.csv} lines of byte copies filed under another label ({@link
     * FindCopiesAcrossClasses}).
     */
    public PCollection<String> copiesAcrossClasses() {
      return copiesAcrossClasses;
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
      m.put(COPIES_ACROSS_CLASSES, copiesAcrossClasses);
      return m;
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName, PInput input, PTransform<?, ?> transform) {}
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
