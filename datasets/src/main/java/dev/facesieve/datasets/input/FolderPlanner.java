package dev.facesieve.datasets.input;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.image.ImageFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Plans an identity-per-folder tree ({@code root/<identity>/<image>}) from directory listings.
 *
 * <p>Identity folders get labels 0, 1, ... in sorted name order; hidden entries, top-level files,
 * nested folders and non-image files are counted in the plan's {@code skipped}, not read. A file
 * named like an image of a format FaceSieve cannot decode (GIF, HEIC, ...) is a record, quarantined
 * when read. A tree without a single image file is refused: an empty success would hide a wrong
 * layout.
 */
final class FolderPlanner {
  private FolderPlanner() {}

  static InputPlan plan(
      InputPlanner.Spec spec, Map<String, float[]> landmarks, Map<String, SideFiles.Truth> truth) {
    Path root = spec.input();
    if (!Files.isDirectory(root)) {
      throw new InputException(root, "not a folder of identity folders");
    }
    Map<String, Long> skipped = new LinkedHashMap<>();
    List<Path> identityDirs = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.sorted().toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith(".")) {
          skipped.merge("hidden_entries", 1L, Long::sum);
        } else if (Files.isDirectory(p)) {
          identityDirs.add(p);
        } else {
          skipped.merge("top_level_files", 1L, Long::sum);
        }
      }
    } catch (IOException e) {
      throw new InputException(root, "cannot list folder: " + e.getMessage(), e);
    }
    if (identityDirs.isEmpty()) {
      throw new InputException(root, "no identity folders (expected root/<identity>/<image>)");
    }
    SortedMap<Integer, String> names = new TreeMap<>();
    List<InputShard> shards = new ArrayList<>();
    List<InputShard.FolderEntry> batch = new ArrayList<>();
    String rootStr = root.toAbsolutePath().toString();
    int label = 0;
    long images = 0;
    boolean parquet = false;
    for (Path dir : identityDirs) {
      String identity = dir.getFileName().toString();
      names.put(label, identity);
      try (Stream<Path> s = Files.list(dir)) {
        for (Path f : s.sorted().toList()) {
          String name = f.getFileName().toString();
          if (name.startsWith(".")) {
            skipped.merge("hidden_entries", 1L, Long::sum);
          } else if (Files.isDirectory(f)) {
            skipped.merge("nested_folders", 1L, Long::sum);
          } else if (!ImageFormat.isImageFileName(name)) {
            skipped.merge("non_image_files", 1L, Long::sum);
            parquet |= name.toLowerCase(Locale.ROOT).endsWith(".parquet");
          } else {
            batch.add(new InputShard.FolderEntry(identity + "/" + name, label, identity));
            images++;
            if (batch.size() == spec.shardSize()) {
              shards.add(shard(rootStr, batch, landmarks, truth));
              batch = new ArrayList<>();
            }
          }
        }
      } catch (IOException e) {
        throw new InputException(dir, "cannot list folder: " + e.getMessage(), e);
      }
      label++;
    }
    if (!batch.isEmpty()) {
      shards.add(shard(rootStr, batch, landmarks, truth));
    }
    if (images == 0) {
      throw new InputException(
          root,
          "no image files in "
              + (identityDirs.size() == 1
                  ? "the identity folder"
                  : "the " + identityDirs.size() + " identity folders")
              + " (expected root/<identity>/<image>; skipped "
              + skipped
              + ")"
              + (parquet ? "; for .parquet files in subfolders give --format parquet" : ""));
    }
    return new InputPlan(
        InputFormat.FOLDER, root, shards, List.of(root), names.size(), names, skipped);
  }

  private static InputShard shard(
      String root,
      List<InputShard.FolderEntry> batch,
      Map<String, float[]> landmarks,
      Map<String, SideFiles.Truth> truth) {
    List<String> ids = batch.stream().map(InputShard.FolderEntry::relativePath).toList();
    return new InputShard.Folder(root, List.copyOf(batch), SideInfo.forIds(ids, landmarks, truth));
  }
}
