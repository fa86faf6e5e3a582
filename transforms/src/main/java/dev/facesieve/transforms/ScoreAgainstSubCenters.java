package dev.facesieve.transforms;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.facesieve.datasets.clean.ClassScorer;
import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.DropReason;
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
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
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
 * #DECISIONS} and {@link #CLASSES}.
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
    PCollectionTuple out =
        keyed
            .apply("JoinWithOwnCentres", CoGroupByKey.create())
            .apply(
                "ScoreClasses",
                ParDo.of(new ScoreClassesFn(policy, e, c, in.has(NAMES) ? names : null))
                    .withOutputTags(DECISIONS, TupleTagList.of(CLASSES)));
    out.get(DECISIONS).setCoder(Decision.Coder.of());
    out.get(CLASSES).setCoder(SerializableCoder.of(ClassSummary.class));
    return out;
  }

  /** Scores every class of one bucket, in class order. */
  static final class ScoreClassesFn extends DoFn<KV<Integer, CoGbkResult>, Decision> {
    private final CleaningPolicy policy;
    private final TupleTag<KV<Integer, FaceEmbedding>> e;
    private final TupleTag<SubCentre> c;
    private final @Nullable TupleTag<KV<Integer, String>> names;

    ScoreClassesFn(
        CleaningPolicy policy,
        TupleTag<KV<Integer, FaceEmbedding>> e,
        TupleTag<SubCentre> c,
        @Nullable TupleTag<KV<Integer, String>> names) {
      this.policy = policy;
      this.e = e;
      this.c = c;
      this.names = names;
    }

    @ProcessElement
    public void process(@Element KV<Integer, CoGbkResult> kv, MultiOutputReceiver out) {
      TreeMap<Integer, List<FaceEmbedding>> samples = new TreeMap<>();
      for (KV<Integer, FaceEmbedding> x : kv.getValue().getAll(e)) {
        samples.computeIfAbsent(x.getKey(), k -> new ArrayList<>()).add(x.getValue());
      }
      if (samples.isEmpty()) {
        return; // classes of the model without prepared faces
      }
      Map<Integer, TreeMap<Integer, float[]>> centres = new HashMap<>();
      for (SubCentre sc : kv.getValue().getAll(c)) {
        if (samples.containsKey(sc.label())) {
          centres.computeIfAbsent(sc.label(), k -> new TreeMap<>()).put(sc.index(), sc.vector());
        }
      }
      Map<Integer, String> identity = new HashMap<>();
      if (names != null) {
        for (KV<Integer, String> x : kv.getValue().getAll(names)) {
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
        scoreClass(
            label,
            identity.getOrDefault(label, Integer.toString(label)),
            cls.getValue(),
            byIndex.values().toArray(new float[0][]),
            out);
      }
    }

    private void scoreClass(
        int label,
        String identity,
        List<FaceEmbedding> samples,
        float[][] centres,
        MultiOutputReceiver out) {
      // deterministic order whatever the runner delivered
      samples.sort((a, b) -> a.id().compareTo(b.id()));
      float[][] x = new float[samples.size()][];
      for (int i = 0; i < x.length; i++) {
        x[i] = samples.get(i).vector();
      }
      ClassScorer.Scores s = ClassScorer.score(x, centres);
      DropReason[] reasons = policy.decide(s);
      for (int i = 0; i < x.length; i++) {
        float[] cos = new float[centres.length];
        for (int j = 0; j < cos.length; j++) {
          cos[j] = (float) s.cosines()[i][j];
        }
        out.get(DECISIONS)
            .output(
                new Decision(
                    samples.get(i).id(),
                    label,
                    s.nearest()[i],
                    s.dominant(),
                    s.angleDeg()[i],
                    cos,
                    reasons[i]));
      }
      out.get(CLASSES).output(ClassSummary.of(label, identity, s, reasons));
    }
  }
}
