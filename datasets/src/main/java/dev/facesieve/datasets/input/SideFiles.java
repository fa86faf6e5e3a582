package dev.facesieve.datasets.input;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.NoiseKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Readers of the CSV side files that come with an input: ground truth and 5-point landmarks. */
public final class SideFiles {
  private SideFiles() {}

  /**
   * Reads {@code id,truth[,...]} with a header line naming at least {@code id} and {@code truth}.
   */
  public static Map<String, NoiseKind> readTruth(Path file) {
    Map<String, NoiseKind> out = new HashMap<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (header == null) {
        return out;
      }
      List<String> cols = List.of(header.strip().split(","));
      int id = cols.indexOf("id");
      int kind = cols.indexOf("truth");
      if (id < 0 || kind < 0) {
        throw new InputException(file, "header must name the columns 'id' and 'truth'");
      }
      String line;
      int no = 1;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split(",", -1);
        if (f.length != cols.size()) {
          throw new InputException(
              file, "line " + no + " has " + f.length + " fields, expected " + cols.size());
        }
        try {
          out.put(f[id], NoiseKind.parse(f[kind]));
        } catch (IllegalArgumentException e) {
          throw new InputException(
              file,
              "line "
                  + no
                  + ": unknown truth '"
                  + f[kind]
                  + "' (clean, close_set, open_set, corrupt)");
        }
      }
    } catch (NoSuchFileException e) {
      throw new InputException(file, "truth file not found");
    } catch (IOException e) {
      throw new InputException(file, "cannot read: " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Reads {@code id,x1,y1,...,x5,y5} lines (an optional header line is skipped). The id is
   * everything before the last ten fields, so ids may contain commas.
   */
  public static Map<String, float[]> readLandmarks(Path file) {
    Map<String, float[]> out = new HashMap<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.strip().split(",", -1);
        if (f.length < 11) {
          throw new InputException(file, "line " + no + " is not 'id,x1,y1,...,x5,y5'");
        }
        float[] lm = new float[10];
        try {
          for (int i = 0; i < 10; i++) {
            lm[i] = Float.parseFloat(f[f.length - 10 + i].trim());
          }
        } catch (NumberFormatException e) {
          if (no == 1) {
            continue; // header
          }
          throw new InputException(file, "line " + no + " has a non-numeric coordinate");
        }
        out.put(String.join(",", Arrays.copyOf(f, f.length - 10)), lm);
      }
    } catch (NoSuchFileException e) {
      throw new InputException(file, "landmarks file not found");
    } catch (IOException e) {
      throw new InputException(file, "cannot read: " + e.getMessage(), e);
    }
    return out;
  }
}
