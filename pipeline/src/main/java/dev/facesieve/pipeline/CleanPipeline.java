package dev.facesieve.pipeline;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelInfo;
import dev.facesieve.transforms.CleanFaces;
import dev.facesieve.transforms.EmbedFaces;
import dev.facesieve.transforms.FaceEmbedding;
import dev.facesieve.transforms.ReadFaceFiles;
import dev.facesieve.transforms.SubCentre;
import java.io.IOException;
import javax.annotation.Nullable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * The clean stage's Beam pipeline: reads the prepared faces, the model's sub-centres, the stored
 * embeddings (when they are reused) and a test set's faces, applies {@link CleanFaces} and writes
 * its outputs into the staging folder ({@link WriteCleanOutputs}), then runs on the chosen runner
 * with its progress shown.
 */
final class CleanPipeline {
  private CleanPipeline() {}

  /**
   * Builds and runs the pipeline.
   *
   * @param cached whether the embeddings are read from the store instead of computed
   * @param prepared the prepared faces, which size the runner and the buckets
   * @param embStaging the store's staging folder to fill, or null
   */
  static void run(
      CleanJob.Settings s,
      ModelInfo model,
      boolean cached,
      long prepared,
      Location staging,
      @Nullable Location embStaging,
      @Nullable TestSet test,
      ProgressListener progress)
      throws IOException {
    Runners.Choice runner = Runners.forStage(s.runner(), "clean", prepared, "faces", progress);
    FaceSieveOptions options = Runners.options(runner, "facesieve-clean");
    options.setInput(s.data().spec(false));
    options.setOutput(s.output().spec(false));
    Pipeline p = Pipeline.create(options);
    PCollection<FaceRecord> faces =
        p.apply(
            "ReadFaces", ReadFaceFiles.from(s.data().resolve("faces").spec(true) + "*.parquet"));
    PCollection<SubCentre> centres =
        p.apply(
                "ReadCentres",
                ParquetIO.read(ModelDirectory.CENTRES)
                    .from(s.model().resolve("centres.parquet").spec(false)))
            .apply(
                "ToSubCentres",
                MapElements.into(TypeDescriptor.of(SubCentre.class)).via(SubCentre::fromAvro))
            .setCoder(SubCentre.Coder.of());
    CleanFaces clean =
        CleanFaces.with(model, s.policy())
            .withCentres(centres)
            .sizedFor(prepared, model.classes())
            .withEmbedThreads(Runners.embedThreads(runner))
            .withInterClass(CleanJob.interClass(s, model));
    if (test != null) {
      clean =
          clean.withTestFaces(
              p.apply(
                  "ReadTestFaces",
                  ReadFaceFiles.from(test.prepared().resolve("faces").spec(true) + "*.parquet")));
    }
    if (cached) {
      clean =
          clean.withCachedEmbeddings(
              p.apply(
                      "ReadCachedEmbeddings",
                      ParquetIO.read(CleanSchemas.EMBEDDING)
                          .from(s.embeddings().spec(true) + "*.parquet"))
                  .apply("ToEmbeddings", ParDo.of(new EmbeddingCache.ToEmbedding()))
                  .setCoder(FaceEmbedding.Coder.of()));
    }
    CleanFaces.Result out = faces.apply("CleanFaces", clean);
    out.apply(
        "WriteCleanOutputs",
        WriteCleanOutputs.to(staging)
            .withRelabelled(s.policy().relabel())
            .withTestOverlap(test != null)
            .withDuplicateIdentities(s.interClass().duplicateIdentities())
            .withEmbeddingsTo(embStaging));
    StageProgress.run(
        p,
        cached ? "clean (cached embeddings)" : "clean: embedding",
        cached ? EmbeddingCache.class : EmbedFaces.class,
        cached ? EmbeddingCache.READ_COUNTER : EmbedFaces.FACES_EMBEDDED_COUNTER,
        prepared,
        progress);
  }
}
