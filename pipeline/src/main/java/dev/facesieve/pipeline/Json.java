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
 * The map-based JSON reading and writing of the stage files not yet turned into records (see {@link
 * dev.facesieve.datasets.contract.StageJson}, which replaces it); keys sorted at every level.
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

  /**
   * {@link LocalFiles#sha256(Path)}, unchecked, for {@code PrepareJob}'s manifest until it calls
   * {@link LocalFiles} itself.
   */
  public static String sha256(Path file) {
    try {
      return LocalFiles.sha256(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link LocalFiles#sha256(String)}, for {@code PrepareJob} until it calls it itself. */
  public static String sha256(String s) {
    return LocalFiles.sha256(s);
  }
}
