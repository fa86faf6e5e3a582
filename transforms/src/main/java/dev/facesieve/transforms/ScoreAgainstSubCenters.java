package dev.facesieve.transforms;

import dev.facesieve.datasets.CleanSchemas.DropReason;
import dev.facesieve.model.ClassScorer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
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
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Joins each class's embeddings with its own K sub-centres and decides, per class, which samples
 * stay.
 *
 * <p>Input: {@link #EMBEDDINGS} and {@link #CENTRES} ({@code KV<class, KV<sub-centre index,
 * vector>>}); both are keyed by class and co-grouped, so no worker ever holds all C·K centres, and
 * only ids and embeddings (never image bytes) are grouped. Output: {@link #DECISIONS} and {@link
 * #CLASSES}.
 */
public final class ScoreAgainstSubCenters extends PTransform<PCollectionTuple, PCollectionTuple> {
  public static final TupleTag<FaceEmbedding> EMBEDDINGS = new TupleTag<>() {};
  public static final TupleTag<KV<Integer, KV<Integer, float[]>>> CENTRES = new TupleTag<>() {};
  public static final TupleTag<Decision> DECISIONS = new TupleTag<>() {};
  public static final TupleTag<ClassSummary> CLASSES = new TupleTag<>() {};

  private final CleaningPolicy policy;
  private final Map<Integer, String> identities;

  private ScoreAgainstSubCenters(CleaningPolicy policy, Map<Integer, String> identities) {
    this.policy = policy;
    this.identities = identities;
  }

  public static ScoreAgainstSubCenters with(CleaningPolicy policy, Map<Integer, String> names) {
    return new ScoreAgainstSubCenters(policy, new TreeMap<>(names));
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple in) {
    TupleTag<FaceEmbedding> e = new TupleTag<>() {};
    TupleTag<KV<Integer, float[]>> c = new TupleTag<>() {};
    PCollection<KV<Integer, FaceEmbedding>> byClass =
        in.get(EMBEDDINGS)
            .apply(
                "KeyByClass",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.integers(),
                            org.apache.beam.sdk.values.TypeDescriptor.of(FaceEmbedding.class)))
                    .via(x -> KV.of(x.label(), x)))
            .setCoder(KvCoder.of(VarIntCoder.of(), FaceEmbedding.Coder.of()));
    PCollection<KV<Integer, KV<Integer, float[]>>> centres = in.get(CENTRES);
    PCollectionTuple out =
        KeyedPCollectionTuple.of(e, byClass)
            .and(c, centres)
            .apply("JoinWithOwnCentres", CoGroupByKey.create())
            .apply(
                "ScoreClass",
                ParDo.of(new ScoreClassFn(policy, identities, e, c))
                    .withOutputTags(DECISIONS, TupleTagList.of(CLASSES)));
    out.get(DECISIONS).setCoder(Decision.Coder.of());
    out.get(CLASSES).setCoder(SerializableCoder.of(ClassSummary.class));
    return out;
  }

  /** Scores one class. */
  static final class ScoreClassFn extends DoFn<KV<Integer, CoGbkResult>, Decision> {
    private final CleaningPolicy policy;
    private final Map<Integer, String> identities;
    private final TupleTag<FaceEmbedding> e;
    private final TupleTag<KV<Integer, float[]>> c;

    ScoreClassFn(
        CleaningPolicy policy,
        Map<Integer, String> identities,
        TupleTag<FaceEmbedding> e,
        TupleTag<KV<Integer, float[]>> c) {
      this.policy = policy;
      this.identities = identities;
      this.e = e;
      this.c = c;
    }

    @ProcessElement
    public void process(@Element KV<Integer, CoGbkResult> kv, MultiOutputReceiver out) {
      List<FaceEmbedding> samples = new ArrayList<>();
      kv.getValue().getAll(e).forEach(samples::add);
      if (samples.isEmpty()) {
        return; // a class of the model without prepared faces
      }
      // deterministic order whatever the runner delivered
      samples.sort((a, b) -> a.id().compareTo(b.id()));
      TreeMap<Integer, float[]> byIndex = new TreeMap<>();
      for (KV<Integer, float[]> x : kv.getValue().getAll(c)) {
        byIndex.put(x.getKey(), x.getValue());
      }
      if (byIndex.isEmpty()) {
        throw new IllegalStateException(
            "class " + kv.getKey() + " has faces but the model has no" + " sub-centres for it");
      }
      float[][] centres = byIndex.values().toArray(new float[0][]);
      float[][] x = new float[samples.size()][];
      for (int i = 0; i < x.length; i++) {
        x[i] = samples.get(i).vector();
      }
      ClassScorer.Scores s = ClassScorer.score(x, centres);
      String[] reasons = policy.decide(s);
      int kept = 0;
      int[] dropped = new int[DropReason.values().length];
      double sum = 0;
      double max = 0;
      for (int i = 0; i < x.length; i++) {
        float[] cos = new float[centres.length];
        for (int j = 0; j < cos.length; j++) {
          cos[j] = (float) s.cosines()[i][j];
        }
        out.get(DECISIONS)
            .output(
                new Decision(
                    samples.get(i).id(),
                    kv.getKey(),
                    s.nearest()[i],
                    s.dominant(),
                    s.angleDeg()[i],
                    cos,
                    reasons[i]));
        if (reasons[i] == null) {
          kept++;
        } else {
          dropped[DropReason.valueOf(reasons[i]).ordinal()]++;
        }
        sum += s.angleDeg()[i];
        max = Math.max(max, s.angleDeg()[i]);
      }
      out.get(CLASSES)
          .output(
              new ClassSummary(
                  kv.getKey(),
                  identities.getOrDefault(kv.getKey(), Integer.toString(kv.getKey())),
                  x.length,
                  s.countPerSubCentre(),
                  s.dominant(),
                  kept,
                  dropped[DropReason.OUTLIER_ANGLE.ordinal()],
                  dropped[DropReason.NON_DOMINANT.ordinal()],
                  dropped[DropReason.SMALL_CLASS.ordinal()],
                  sum / x.length,
                  max));
    }
  }
}
