package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.io.HadoopFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BeamBackedFileSystem} through Hadoop's own discovery, on its test scheme ({@code
 * beamtest:///…} served by Beam's local file system): status, listings and reads equal the local
 * files'.
 */
class BeamBackedFileSystemTest {
  @TempDir java.nio.file.Path dir;
  byte[] bytes;
  FileSystem fs;

  @BeforeEach
  void files() throws IOException {
    bytes = new byte[200_000];
    new Random(5).nextBytes(bytes);
    Files.createDirectories(dir.resolve("a/b"));
    Files.write(dir.resolve("a/x.bin"), bytes);
    Files.writeString(dir.resolve("a/b/y.txt"), "why");
    Files.writeString(dir.resolve("z.txt"), "zed");
    Files.createDirectories(dir.resolve("a/empty"));
    fs = HadoopFiles.fileSystem(URI.create(BeamTestFileSystem.uri(dir)));
  }

  private Path p(String rel) {
    return new Path(BeamTestFileSystem.uri(dir.resolve(rel)));
  }

  @Test
  void hadoopFindsTheAdapterByItsScheme() {
    assertInstanceOf(BeamTestFileSystem.class, fs);
    assertEquals("beamtest", fs.getUri().getScheme());
  }

  @Test
  void statusOfFilesAndFolders() throws IOException {
    FileStatus file = fs.getFileStatus(p("a/x.bin"));
    assertTrue(file.isFile());
    assertEquals(bytes.length, file.getLen());
    assertEquals(p("a/x.bin"), file.getPath());
    assertTrue(fs.getFileStatus(p("a")).isDirectory());
    assertTrue(fs.getFileStatus(p("a/b")).isDirectory());
    assertTrue(fs.getFileStatus(new Path("beamtest://local/")).isDirectory());
    assertThrows(FileNotFoundException.class, () -> fs.getFileStatus(p("a/nothing")));
    assertTrue(fs.exists(p("z.txt")));
    assertFalse(fs.exists(p("a/x")), "a name's prefix is not a file");
    // an object store has no empty folders
    assertFalse(fs.exists(p("a/empty")));
  }

  @Test
  void listingsHoldTheImmediateChildren() throws IOException {
    assertEquals(List.of("a/", "z.txt"), names(fs.listStatus(p(""))));
    assertEquals(List.of("b/", "x.bin"), names(fs.listStatus(p("a"))));
    assertEquals(List.of("x.bin"), names(fs.listStatus(p("a/x.bin"))));
    FileStatus x =
        Arrays.stream(fs.listStatus(p("a")))
            .filter(s -> s.getPath().getName().equals("x.bin"))
            .findFirst()
            .orElseThrow();
    assertEquals(bytes.length, x.getLen());
    assertEquals(p("a/x.bin"), x.getPath());

    List<String> all = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(p(""), true);
    while (it.hasNext()) {
      all.add(it.next().getPath().toUri().getPath());
    }
    List<String> local;
    try (Stream<java.nio.file.Path> s = Files.walk(dir)) {
      local = s.filter(Files::isRegularFile).map(f -> f.toAbsolutePath().toString()).toList();
    }
    assertEquals(local.stream().sorted().toList(), all.stream().sorted().toList());
  }

  @Test
  void readsSeeksAndPositionedReadsGiveTheLocalBytes() throws IOException {
    try (FSDataInputStream in = fs.open(p("a/x.bin"))) {
      assertEquals(bytes[0] & 0xff, in.read());
      assertEquals(1, in.getPos());
      in.seek(150_000);
      byte[] b = new byte[1000];
      in.readFully(b);
      assertArrayEquals(Arrays.copyOfRange(bytes, 150_000, 151_000), b);
      assertEquals(151_000, in.getPos());
      // a positioned read leaves the position where it was
      byte[] c = new byte[5000];
      in.readFully(7, c);
      assertArrayEquals(Arrays.copyOfRange(bytes, 7, 5007), c);
      assertEquals(151_000, in.getPos());
      in.seek(10);
      assertEquals(bytes[10] & 0xff, in.read());
      in.seek(bytes.length - 2);
      assertEquals(bytes[bytes.length - 2] & 0xff, in.read());
      assertEquals(bytes[bytes.length - 1] & 0xff, in.read());
      assertEquals(-1, in.read());
    }
    try (FSDataInputStream in = fs.open(p("a/x.bin"))) {
      assertArrayEquals(bytes, in.readAllBytes());
    }
    assertEquals(
        dev.facesieve.datasets.io.LocalFiles.sha256(dir.resolve("a/x.bin")),
        HadoopFiles.sha256(URI.create(BeamTestFileSystem.uri(dir.resolve("a/x.bin")))));
    assertThrows(FileNotFoundException.class, () -> fs.open(p("a/missing")).close());
  }

  @Test
  void writesAreRefusedWithAReason() {
    UnsupportedOperationException e =
        assertThrows(UnsupportedOperationException.class, () -> fs.create(p("new.txt")));
    assertTrue(e.getMessage().contains("outputs are written through Beam"), e.getMessage());
    assertThrows(UnsupportedOperationException.class, () -> fs.mkdirs(p("d")));
    assertThrows(UnsupportedOperationException.class, () -> fs.delete(p("z.txt"), false));
    assertTrue(Files.exists(dir.resolve("z.txt")));
  }

  @Test
  void gsAndS3AreTheAdapterAndAMissingBeamFileSystemIsSaid() throws IOException {
    assertInstanceOf(
        BeamBackedFileSystem.Gs.class, HadoopFiles.fileSystem(URI.create("gs://bucket/faces")));
    FileSystem s3 = HadoopFiles.fileSystem(URI.create("s3://bucket/faces"));
    assertInstanceOf(BeamBackedFileSystem.S3.class, s3);
    // Beam's AWS module is not on the class path (Beam's GCS one is, and would try to reach GCS)
    IOException e =
        assertThrows(IOException.class, () -> s3.getFileStatus(new Path("s3://bucket/faces")));
    assertTrue(e.getMessage().contains("Beam has none for s3"), e.getMessage());
  }

  private static List<String> names(FileStatus[] list) {
    return Arrays.stream(list)
        .map(s -> s.getPath().getName() + (s.isDirectory() ? "/" : ""))
        .sorted()
        .toList();
  }
}
