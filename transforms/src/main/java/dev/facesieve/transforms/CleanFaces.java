package dev.facesieve.transforms;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.model.ModelInfo;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
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
 * The cleaning pipeline: embed faces (or take cached embeddings), score each class against its own
 * sub-centres, decide, and join the decisions back to the records.
 *
 * <p>Inputs: {@link #FACES}, {@link ScoreAgainstSubCenters#CENTRES} and, to skip inference, {@link
 * ScoreAgainstSubCenters#EMBEDDINGS}. Outputs: {@link #KEPT} and {@link #DROPPED} (Avro {@link
 * CleanSchemas#CLEANED}, kept faces relabelled 0…C′−1 in the order of their old labels), {@link
 * ScoreAgainstSubCenters#DECISIONS}, {@link #CLASS_ROWS} (Avro {@link CleanSchemas#CLASS}) and
 * {@link ScoreAgainstSubCenters#EMBEDDINGS}.
 */
public final class CleanFaces extends PTransform<PCollectionTuple, PCollectionTuple> {
  public static final TupleTag<FaceRecord> FACES = new TupleTag<>() {};
  public static final TupleTag<GenericRecord> KEPT = new TupleTag<>() {};
  public static final TupleTag<GenericRecord> DROPPED = new TupleTag<>() {};
  public static final TupleTag<GenericRecord> CLASS_ROWS = new TupleTag<>() {};

  private final ModelInfo model;
  private final CleaningPolicy policy;

  private CleanFaces(ModelInfo model, CleaningPolicy policy) {
    this.model = model;
    this.policy = policy;
  }

  public static CleanFaces with(ModelInfo model, CleaningPolicy policy) {
    return new CleanFaces(model, policy);
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple in) {
    PCollection<FaceRecord> faces = in.get(FACES);
    PCollection<FaceEmbedding> embeddings =
        in.has(ScoreAgainstSubCenters.EMBEDDINGS)
            ? in.get(ScoreAgainstSubCenters.EMBEDDINGS)
            : faces.apply("EmbedFaces", EmbedFaces.with(model));
    PCollectionTuple scored =
        PCollectionTuple.of(ScoreAgainstSubCenters.EMBEDDINGS, embeddings)
            .and(ScoreAgainstSubCenters.CENTRES, in.get(ScoreAgainstSubCenters.CENTRES))
            .apply(
                "ScoreAgainstSubCenters", ScoreAgainstSubCenters.with(policy, model.identities()));
    PCollection<ClassSummary> classes = scored.get(ScoreAgainstSubCenters.CLASSES);
    PCollectionView<TreeMap<Integer, Integer>> newLabels =
        classes
            .apply("AssignNewLabels", Combine.globally(new NewLabelsFn()))
            .setCoder(SerializableCoder.of(new TypeDescriptor<TreeMap<Integer, Integer>>() {}))
            .apply("AsView", View.asSingleton());

    TupleTag<FaceRecord> faceTag = new TupleTag<>() {};
    TupleTag<Decision> decisionTag = new TupleTag<>() {};
    PCollection<KV<String, FaceRecord>> facesById =
        faces
            .apply(
                "KeyFacesById",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.strings(), TypeDescriptor.of(FaceRecord.class)))
                    .via(f -> KV.of(f.id(), f)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), FaceCoders.faces()));
    PCollection<KV<String, Decision>> decisionsById =
        scored
            .get(ScoreAgainstSubCenters.DECISIONS)
            .apply(
                "KeyDecisionsById",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.strings(), TypeDescriptor.of(Decision.class)))
                    .via(d -> KV.of(d.id(), d)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), Decision.Coder.of()));
    PCollectionTuple split =
        KeyedPCollectionTuple.of(faceTag, facesById)
            .and(decisionTag, decisionsById)
            .apply("JoinDecisionsToFaces", CoGroupByKey.create())
            .apply(
                "AttachDecisions",
                ParDo.of(new AttachFn(faceTag, decisionTag, newLabels))
                    .withSideInputs(newLabels)
                    .withOutputTags(KEPT, TupleTagList.of(DROPPED)));
    PCollection<GenericRecord> classRows =
        classes
            .apply("ClassRows", ParDo.of(new ClassRowFn(newLabels)).withSideInputs(newLabels))
            .setCoder(FaceCoders.avro(CleanSchemas.CLASS));
    return PCollectionTuple.of(
            KEPT, split.get(KEPT).setCoder(FaceCoders.avro(CleanSchemas.CLEANED)))
        .and(DROPPED, split.get(DROPPED).setCoder(FaceCoders.avro(CleanSchemas.CLEANED)))
        .and(ScoreAgainstSubCenters.DECISIONS, scored.get(ScoreAgainstSubCenters.DECISIONS))
        .and(CLASS_ROWS, classRows)
        .and(ScoreAgainstSubCenters.EMBEDDINGS, embeddings);
  }

  /** Old label → new contiguous label for every class that keeps at least one face. */
  static final class NewLabelsFn
      extends Combine.CombineFn<
          ClassSummary, TreeMap<Integer, Integer>, TreeMap<Integer, Integer>> {
    @Override
    public TreeMap<Integer, Integer> createAccumulator() {
      return new TreeMap<>();
    }

    @Override
    public TreeMap<Integer, Integer> addInput(TreeMap<Integer, Integer> acc, ClassSummary c) {
      if (c.kept() > 0) {
        acc.put(c.label(), -1);
      }
      return acc;
    }

    @Override
    public TreeMap<Integer, Integer> mergeAccumulators(Iterable<TreeMap<Integer, Integer>> accs) {
      TreeMap<Integer, Integer> m = new TreeMap<>();
      accs.forEach(m::putAll);
      return m;
    }

    @Override
    public TreeMap<Integer, Integer> extractOutput(TreeMap<Integer, Integer> acc) {
      TreeMap<Integer, Integer> out = new TreeMap<>();
      int next = 0;
      for (Integer old : acc.keySet()) {
        out.put(old, next++);
      }
      return out;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<TreeMap<Integer, Integer>> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry r,
        org.apache.beam.sdk.coders.Coder<ClassSummary> in) {
      return SerializableCoder.of(new TypeDescriptor<TreeMap<Integer, Integer>>() {});
    }
  }

  /** Builds the cleaned record of each face and routes it to kept or dropped. */
  static final class AttachFn extends DoFn<KV<String, CoGbkResult>, GenericRecord> {
    private final TupleTag<FaceRecord> faceTag;
    private final TupleTag<Decision> decisionTag;
    private final PCollectionView<TreeMap<Integer, Integer>> newLabels;

    AttachFn(
        TupleTag<FaceRecord> f,
        TupleTag<Decision> d,
        PCollectionView<TreeMap<Integer, Integer>> newLabels) {
      this.faceTag = f;
      this.decisionTag = d;
      this.newLabels = newLabels;
    }

    @ProcessElement
    public void process(
        @Element KV<String, CoGbkResult> kv, MultiOutputReceiver out, ProcessContext c) {
      FaceRecord f = kv.getValue().getOnly(faceTag, null);
      Decision d = kv.getValue().getOnly(decisionTag, null);
      if (f == null || d == null) {
        throw new IllegalStateException(
            "record " + kv.getKey() + " lost its " + (f == null ? "face" : "decision"));
      }
      Map<Integer, Integer> labels = c.sideInput(newLabels);
      GenericRecord r = cleaned(f, d, d.kept() ? labels.get(f.label()) : -1);
      out.get(d.kept() ? KEPT : DROPPED).output(r);
    }
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
    r.put("reason", d.reason());
    return r;
  }

  /** Adds the new label to each class summary. */
  static final class ClassRowFn extends DoFn<ClassSummary, GenericRecord> {
    private final PCollectionView<TreeMap<Integer, Integer>> newLabels;

    ClassRowFn(PCollectionView<TreeMap<Integer, Integer>> newLabels) {
      this.newLabels = newLabels;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      ClassSummary s = c.element();
      c.output(s.toAvro(c.sideInput(newLabels).getOrDefault(s.label(), -1)));
    }
  }
}
