package dev.facesieve.datasets.input;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import javax.annotation.Nullable;

/**
 * Which Parquet columns hold a face record's fields, for files written by other tools.
 *
 * <p>FaceSieve's own files use {@link #FACESIEVE}. For others, only the image and label columns are
 * required: a missing id column gives ids {@code <file>#<row>}; a missing identity column names
 * identities by their label. The image column may hold raw bytes or a struct with a {@code bytes}
 * field (the Hugging Face {@code datasets} image layout).
 */
public record ColumnMapping(
    @Nullable String id,
    String label,
    @Nullable String identity,
    String image,
    @Nullable String landmarks,
    @Nullable String truth,
    @Nullable String trueIdentity,
    @Nullable String trueDuplicateOf)
    implements Serializable {

  public ColumnMapping {
    checkArgument(label != null && !label.isBlank(), "label column must be named");
    checkArgument(image != null && !image.isBlank(), "image column must be named");
  }

  /** Column names of {@code prepared/faces/*.parquet}, the defaults of the column options. */
  public static final String ID_COLUMN = "id";

  public static final String LABEL_COLUMN = "label";
  public static final String IDENTITY_COLUMN = "identity";
  public static final String IMAGE_COLUMN = "image";
  public static final String LANDMARKS_COLUMN = "landmarks";
  public static final String TRUTH_COLUMN = "truth";
  public static final String TRUE_IDENTITY_COLUMN = "true_identity";
  public static final String TRUE_DUPLICATE_OF_COLUMN = "true_duplicate_of";

  /** The columns of {@code prepared/faces/*.parquet}. */
  public static final ColumnMapping FACESIEVE =
      new ColumnMapping(
          ID_COLUMN,
          LABEL_COLUMN,
          IDENTITY_COLUMN,
          IMAGE_COLUMN,
          LANDMARKS_COLUMN,
          TRUTH_COLUMN,
          TRUE_IDENTITY_COLUMN,
          TRUE_DUPLICATE_OF_COLUMN);

  /** A mapping for foreign files with only an image and a label column. */
  public static ColumnMapping of(String image, String label) {
    return new ColumnMapping(null, label, null, image, null, null, null, null);
  }

  public ColumnMapping withId(@Nullable String column) {
    return new ColumnMapping(
        column, label, identity, image, landmarks, truth, trueIdentity, trueDuplicateOf);
  }

  public ColumnMapping withIdentity(@Nullable String column) {
    return new ColumnMapping(
        id, label, column, image, landmarks, truth, trueIdentity, trueDuplicateOf);
  }
}
