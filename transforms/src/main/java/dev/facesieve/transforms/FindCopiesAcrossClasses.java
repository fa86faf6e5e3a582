package dev.facesieve.transforms;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.clean.CopiesAcrossClasses;
import dev.facesieve.datasets.contract.InterClassFiles;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Finds the faces whose exact bytes (sha256) are also filed under another label ({@link
 * CopiesAcrossClasses}) and writes one {@code duplicate-images.csv} line per copy. Only digests are
 * grouped, never image bytes.
 */
public final class FindCopiesAcrossClasses
    extends PTransform<PCollection<FaceRecord>, PCollection<String>> {
  @Override
  public PCollection<String> expand(PCollection<FaceRecord> faces) {
    return faces
        .apply(
            "ByDigest",
            MapElements.into(
                    TypeDescriptors.kvs(
                        TypeDescriptors.strings(),
                        TypeDescriptor.of(CopiesAcrossClasses.Face.class)))
                .via(
                    f ->
                        KV.of(
                            f.sha256(),
                            new CopiesAcrossClasses.Face(f.id(), f.label(), f.identity()))))
        .setCoder(
            KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(CopiesAcrossClasses.Face.class)))
        .apply("GroupByDigest", GroupByKey.create())
        .apply("CopyLines", ParDo.of(new CopyLinesFn()));
  }

  /** One digest's faces to the lines of its copies across classes. */
  static final class CopyLinesFn
      extends DoFn<KV<String, Iterable<CopiesAcrossClasses.Face>>, String> {
    @ProcessElement
    public void process(
        @Element KV<String, Iterable<CopiesAcrossClasses.Face>> kv, OutputReceiver<String> out) {
      List<CopiesAcrossClasses.Face> faces = new ArrayList<>();
      kv.getValue().forEach(faces::add);
      for (CopiesAcrossClasses.Copy c : CopiesAcrossClasses.of(faces)) {
        out.output(
            InterClassFiles.acrossClassesLine(
                c.copy().id(),
                c.copy().label(),
                c.copy().identity(),
                c.original().id(),
                c.original().label(),
                c.original().identity()));
      }
    }
  }
}
