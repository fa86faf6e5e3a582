package dev.facesieve.transforms;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.clean.EmbeddingCheck;
import dev.facesieve.model.ModelInfo;
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
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Embeds a test set's faces into one {@link ScoreAgainstSubCenters.TestIdentity} per identity:
 * embedded by the model, averaged per label and normalised; a face whose embedding fails {@link
 * EmbeddingCheck} is left out.
 */
final class EmbedTestIdentities
    extends PTransform<PCollection<FaceRecord>, PCollection<ScoreAgainstSubCenters.TestIdentity>> {
  private final ModelInfo model;
  private final int threads;

  EmbedTestIdentities(ModelInfo model, int threads) {
    this.model = model;
    this.threads = threads;
  }

  @Override
  public PCollection<ScoreAgainstSubCenters.TestIdentity> expand(PCollection<FaceRecord> in) {
    PCollectionView<java.util.Map<Integer, String>> names =
        in.apply(
                "TestNames",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.integers(), TypeDescriptors.strings()))
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
}
