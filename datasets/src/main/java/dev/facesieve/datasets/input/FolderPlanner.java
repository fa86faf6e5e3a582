package dev.facesieve.datasets.input;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.image.ImageFormat;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Plans an identity-per-folder tree ({@code root/<identity>/<image>}) from directory listings.
 *
 * <p>Identity folders get labels 0, 1, ... in sorted name order; hidden entries, top-level files,
 * nested folders and non-image files are counted in the plan's {@code skipped}, not read. A file
 * named like an image of a format FaceSieve cannot decode (GIF, HEIC, ...) is a record, quarantined
 * when read. A tree without a single image file is refused: an empty success would hide a wrong
 * layout.
 *
 * <p>A local folder and one named by a URI ({@code hdfs://…}) are planned by the same rules, from
 * the listings {@link FolderFiles} gives; links are followed in listings and checked when read
 * ({@link ShardReader}). The plan carries the listing's hash: the relative path and size of every
 * planned image, sizes with links followed, -1 when unknown.
 */
final class FolderPlanner {
  private FolderPlanner() {}

  static InputPlan plan(
      InputPlanner.Spec spec, Map<String, float[]> landmarks, Map<String, SideFiles.Truth> truth) {
    Path root = spec.input();
    if (!Files.isDirectory(root)) {
      throw new InputException(root, "not a folder of identity folders");
    }
    Planned p =
        plan(new FolderFiles.Local(root), root.toString(), spec.shardSize(), landmarks, truth);
    return new InputPlan(
        InputFormat.FOLDER,
        root.toString(),
        p.shards,
        List.of(root),
        p.names.size(),
        p.names,
        p.skipped,
        List.of(),
        p.listingSha256);
  }

  /**
   * Plans an image folder on a Hadoop file system ({@code hdfs://…}) by the rules of {@link #plan}:
   * the shards and the plan's {@code remoteFiles} name the root by its URI.
   */
  static InputPlan planRemote(
      URI in, int shardSize, Map<String, float[]> landmarks, Map<String, SideFiles.Truth> truth) {
    String where = in.toString();
    FolderFiles.OnHadoop files;
    try {
      files = new FolderFiles.OnHadoop(in);
      FolderFiles.Kind kind = files.rootKind();
      if (kind == FolderFiles.Kind.MISSING) {
        throw new InputException(where, "input not found");
      }
      if (kind != FolderFiles.Kind.FOLDER) {
        throw new InputException(where, "not a folder of identity folders");
      }
    } catch (IOException e) {
      throw new InputException(where, "cannot read: " + e.getMessage(), e);
    }
    Planned p = plan(files, where, shardSize, landmarks, truth);
    return new InputPlan(
        InputFormat.FOLDER,
        where,
        p.shards,
        List.of(),
        p.names.size(),
        p.names,
        p.skipped,
        List.of(files.rootUri()),
        p.listingSha256);
  }

  /** What the listing gave: shards, label names, what was skipped and the listing's hash. */
  private record Planned(
      List<InputShard> shards,
      SortedMap<Integer, String> names,
      Map<String, Long> skipped,
      String listingSha256) {}

  private static Planned plan(
      FolderFiles files,
      String where,
      int shardSize,
      Map<String, float[]> landmarks,
      Map<String, SideFiles.Truth> truth) {
    Map<String, Long> skipped = new LinkedHashMap<>();
    List<String> identityDirs = new ArrayList<>();
    for (FolderFiles.Entry e : list(files, "", where)) {
      if (e.name().startsWith(".")) {
        skipped.merge("hidden_entries", 1L, Long::sum);
      } else if (e.kind() == FolderFiles.Kind.FOLDER) {
        identityDirs.add(e.name());
      } else {
        skipped.merge("top_level_files", 1L, Long::sum);
      }
    }
    if (identityDirs.isEmpty()) {
      throw new InputException(where, "no identity folders (expected root/<identity>/<image>)");
    }
    SortedMap<Integer, String> names = new TreeMap<>();
    List<InputShard> shards = new ArrayList<>();
    List<InputShard.FolderEntry> batch = new ArrayList<>();
    StringBuilder listing = new StringBuilder();
    int label = 0;
    long images = 0;
    boolean parquet = false;
    for (String identity : identityDirs) {
      names.put(label, identity);
      for (FolderFiles.Entry f : list(files, identity, where + "/" + identity)) {
        String name = f.name();
        if (name.startsWith(".")) {
          skipped.merge("hidden_entries", 1L, Long::sum);
        } else if (f.kind() == FolderFiles.Kind.FOLDER) {
          skipped.merge("nested_folders", 1L, Long::sum);
        } else if (!ImageFormat.isImageFileName(name)) {
          skipped.merge("non_image_files", 1L, Long::sum);
          parquet |= name.toLowerCase(Locale.ROOT).endsWith(".parquet");
        } else {
          // FIFOs, links and files gone since are planned too: the reader quarantines them
          batch.add(new InputShard.FolderEntry(identity + "/" + name, label, identity));
          listing.append(identity).append('/').append(name).append('\t').append(f.size());
          listing.append('\n');
          images++;
          if (batch.size() == shardSize) {
            shards.add(shard(files.root(), batch, landmarks, truth));
            batch = new ArrayList<>();
          }
        }
      }
      label++;
    }
    if (!batch.isEmpty()) {
      shards.add(shard(files.root(), batch, landmarks, truth));
    }
    if (images == 0) {
      throw new InputException(
          where,
          "no image files in "
              + (identityDirs.size() == 1
                  ? "the identity folder"
                  : "the " + identityDirs.size() + " identity folders")
              + " (expected root/<identity>/<image>; skipped "
              + skipped
              + ")"
              + (parquet ? "; for .parquet files in subfolders give --format parquet" : ""));
    }
    return new Planned(shards, names, skipped, LocalFiles.sha256(listing.toString()));
  }

  private static List<FolderFiles.Entry> list(FolderFiles files, String folder, String where) {
    try {
      return files.list(folder);
    } catch (IOException e) {
      throw new InputException(where, "cannot list folder: " + e.getMessage(), e);
    }
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
