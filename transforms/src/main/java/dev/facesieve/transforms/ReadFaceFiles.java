package dev.facesieve.transforms;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import org.apache.beam.sdk.io.parquet.ParquetIO;

/**
 * Reads {@code prepared/faces/*.parquet} (written by {@link WriteFaceFiles}) as {@link
 * FaceRecord}s.
 *
 * <p>Each record is converted with the schema of its own file rather than read as {@link
 * FaceSchemas#FACE}: {@code ParquetIO.read(FACE)} hands on records of the file's schema under a
 * coder of {@code FACE}, which fails on files written before a field was added (such as {@code
 * true_identity}). {@link FaceSchemas#faceFromAvro} leaves such fields null.
 */
public final class ReadFaceFiles {
  private ReadFaceFiles() {}

  /** Reads the face files matching {@code glob}. */
  public static ParquetIO.Parse<FaceRecord> from(String glob) {
    return ParquetIO.parseGenericRecords(FaceSchemas::faceFromAvro)
        .withCoder(FaceCoders.faces())
        .from(glob);
  }
}
