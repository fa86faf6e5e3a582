package dev.facesieve.pipeline;

import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.datasets.recordio.InsightFaceRecWriter;
import dev.facesieve.datasets.recordio.RecordIOReader;
import dev.facesieve.datasets.recordio.RecordIOWriter;
import dev.facesieve.transforms.WriteFaceFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;

/** {@code clean --emit-recordio}: the kept set as InsightFace {@code train.rec/.idx/property}. */
final class KeptRecordIO {
  private KeptRecordIO() {}

  /**
   * Writes the kept set as InsightFace {@code train.rec/.idx/property}. Images of one label must be
   * consecutive there, so records are first copied to a scratch RecordIO in arrival order, then
   * rewritten by label and, within a label, by a 64-bit hash of the face id (a few dozen bytes of
   * memory per record). Arrival order follows the runner's bundles; the hash makes the RecordIO,
   * its keys, and so a retraining on it, the same on every run.
   */
  static void write(Path keptDir, Path out) throws IOException {
    write(ParquetFiles.list(keptDir).stream().map(Path::toString).toList(), out);
  }

  /**
   * {@link #write(Path, Path)} of the kept set's Parquet files named by local paths or URIs ({@code
   * hdfs://…}, streamed from there); the RecordIO and its scratch copy are written locally.
   */
  static void write(List<String> keptFiles, Path out) throws IOException {
    Path scratchRec = out.resolveSibling("scratch.rec");
    Path scratchIdx = out.resolveSibling("scratch.idx");
    List<long[]> index = new ArrayList<>(); // {label, hash of the id, offset}
    TreeMap<Integer, String> names = new TreeMap<>();
    try (RecordIOWriter w = new RecordIOWriter(scratchRec, scratchIdx)) {
      long[] key = {0};
      for (String f : keptFiles) {
        try {
          ParquetFiles.read(
              f,
              0,
              0,
              (GenericRecord r) -> {
                int label = (Integer) r.get("label");
                names.putIfAbsent(label, r.get("identity").toString());
                long order = WriteFaceFiles.orderOf(r.get("id").toString());
                try {
                  index.add(new long[] {label, order, w.position()});
                  w.write(key[0]++, FaceSchemas.bytes(r.get("image")));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
        } catch (UncheckedIOException e) {
          throw e.getCause();
        }
      }
    }
    index.sort(
        Comparator.<long[]>comparingLong(e -> e[0])
            .thenComparingLong(e -> e[1])
            .thenComparingLong(e -> e[2]));
    try (RecordIOReader in = new RecordIOReader(scratchRec);
        InsightFaceRecWriter w = new InsightFaceRecWriter(out)) {
      for (long[] e : index) {
        int label = (int) e[0];
        w.add(label, names.get(label), in.read(e[2]), 112, 112);
      }
    }
    Files.deleteIfExists(scratchRec);
    Files.deleteIfExists(scratchIdx);
  }
}
