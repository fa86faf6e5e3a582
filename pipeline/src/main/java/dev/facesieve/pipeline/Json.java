package dev.facesieve.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON and hashing helpers for manifests. */
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

  /** SHA-256 of a file's bytes, streamed. */
  public static String sha256(Path file) {
    Hasher h = Hashing.sha256().newHasher();
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        h.putBytes(buf, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return h.hash().toString();
  }

  /** SHA-256 of a string. */
  public static String sha256(String s) {
    return Hashing.sha256().hashString(s, java.nio.charset.StandardCharsets.UTF_8).toString();
  }
}
