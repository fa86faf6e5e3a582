import dev.facesieve.datasets.parquet.ParquetFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Prints {@code kept <id>} and {@code dropped <id>} for every face of a local copy of a {@code
 * facesieve clean} output, sorted, for bench/hdfs-cluster.sh to compare two cleans' decisions.
 *
 * <p>Run as a single source file on the launcher's class path: {@code java -cp
 * 'pipeline/target/facesieve.jar:pipeline/target/lib/*' bench/hdfs-cluster/FaceIds.java <clean>}.
 */
public class FaceIds {
  public static void main(String[] args) throws Exception {
    Path clean = Path.of(args[0]);
    for (String folder : List.of("kept", "dropped")) {
      TreeSet<String> ids = new TreeSet<>();
      List<Path> files = new ArrayList<>();
      try (Stream<Path> s = Files.list(clean.resolve(folder))) {
        s.filter(p -> p.getFileName().toString().endsWith(".parquet")).forEach(files::add);
      }
      for (Path f : files) {
        ParquetFiles.read(f, r -> ids.add(r.get("id").toString()));
      }
      for (String id : ids) {
        System.out.println(folder + " " + id);
      }
    }
  }
}
