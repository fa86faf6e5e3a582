package dev.facesieve.datasets.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The one Jackson mapper that writes and reads every stage contract ({@code manifest.json}, {@code
 * model.json}, {@code summary.json}, {@code report.json}, {@code run.json}, cache markers).
 *
 * <p>Contracts are Java records whose camel-case components become snake-case keys ({@code
 * modelSha256} ↔ {@code model_sha256}); map entries are written sorted by key, and a record that
 * must keep today's alphabetical key order says so with {@code @JsonPropertyOrder(alphabetic =
 * true)}. Unknown keys are ignored on reading so that an older FaceSieve reads a newer file.
 */
public final class StageJson {
  private StageJson() {}

  /** The shared mapper; configure nothing on it outside this class. */
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The contract as indented JSON text. */
  public static String write(Object contract) {
    try {
      return MAPPER.writeValueAsString(contract);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + contract.getClass().getSimpleName(), e);
    }
  }

  /** Reads a contract file; the caller turns a malformed file into an input error. */
  public static <T> T read(Path file, Class<T> type) throws IOException {
    return MAPPER.readValue(file.toFile(), type);
  }

  /** Reads a contract from its text (a file read elsewhere than locally). */
  public static <T> T parse(String json, Class<T> type) throws IOException {
    return MAPPER.readValue(json, type);
  }
}
