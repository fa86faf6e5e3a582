package dev.facesieve.pipeline;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import javax.annotation.Nullable;

/**
 * {@code .facesieve-owned.json}: the kind of output a folder is and every entry FaceSieve wrote in
 * it; FaceSieve deletes nothing else there.
 *
 * <p>Written with {@link dev.facesieve.datasets.contract.StageJson}. Paths are relative to the
 * folder, {@code /}-separated, sorted; a folder's path ends with {@code /}. While a stage replaces
 * its output the record lists the old and the new entries together, so an interrupted replacement
 * never leaves a FaceSieve file that the record does not name.
 *
 * @param kind the {@link OutputKind}'s name in lower case
 * @param files the entries written
 */
@JsonPropertyOrder(alphabetic = true)
record OwnedFiles(String kind, @Nullable String facesieveVersion, List<String> files) {
  OwnedFiles {
    files = files == null ? List.of() : List.copyOf(files);
  }
}
