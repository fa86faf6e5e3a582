package dev.facesieve.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tests read stage files as untyped JSON trees, independently of the records that write them, and
 * write with the key-sorting mapper FaceSieve used before the stage contracts became records, to
 * check that files and hashes did not change.
 */
public final class Json {
  private Json() {}

  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  public static String write(Object o) {
    try {
      return MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a JSON object file into a map. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> read(Path file) throws IOException {
    return MAPPER.readValue(file.toFile(), LinkedHashMap.class);
  }

  /** {@link LocalFiles#sha256(Path)}, unchecked. */
  public static String sha256(Path file) {
    try {
      return LocalFiles.sha256(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link LocalFiles#sha256(String)}. */
  public static String sha256(String s) {
    return LocalFiles.sha256(s);
  }
}
