package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 4 on an HDFS with permissions, as users meet one: {@code facesieve} runs as the
 * user {@code alice} (not the name node's superuser, who started the cluster) and writes as her,
 * and a folder she may not read or write is a one-line usage error that says so, without the name
 * node's stack trace that Hadoop's {@code RemoteException} carries in its message.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HdfsPermissionsTest {
  MiniDFSCluster cluster;
  String root;
  Path synth;
  UserGroupInformation alice = UserGroupInformation.createRemoteUser("alice");

  @BeforeAll
  void start(@TempDir Path base) throws Exception {
    cluster = HdfsOutputTest.startCluster(base);
    root = HdfsOutputTest.root(cluster);
    synth = base.resolve("synth");
    OwnershipTest.ok(OwnershipTest.synthArgs(synth));
    FileSystem fs = cluster.getFileSystem();
    org.apache.hadoop.fs.Path local = new org.apache.hadoop.fs.Path(synth.toUri());
    for (String dir : java.util.List.of("/shared", "/private")) { // the superuser's, 755 and 700
      fs.mkdirs(new org.apache.hadoop.fs.Path(dir));
      fs.copyFromLocalFile(local, new org.apache.hadoop.fs.Path(dir + "/synth"));
    }
    fs.setPermission(new org.apache.hadoop.fs.Path("/private"), new FsPermission((short) 0700));
    fs.mkdirs(new org.apache.hadoop.fs.Path("/user/alice"));
    fs.setOwner(new org.apache.hadoop.fs.Path("/user/alice"), "alice", "alice");
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  /** {@code facesieve} with {@code args}, run as {@code alice}. */
  CommandLineTest.Result asAlice(String... args) throws Exception {
    return alice.doAs(
        (PrivilegedExceptionAction<CommandLineTest.Result>) () -> CommandLineTest.run(args));
  }

  @Test
  void aPrepareWritesAsTheUserWhoRunsIt() throws Exception {
    String out = root + "/user/alice/prepared";
    CommandLineTest.Result r =
        asAlice("prepare", "--input", root + "/shared/synth", "--output", out);
    assertEquals(0, r.code(), r.err() + r.out());
    FileSystem fs = cluster.getFileSystem();
    for (String f : java.util.List.of("", "/manifest.json", "/faces")) {
      assertEquals(
          "alice", fs.getFileStatus(new org.apache.hadoop.fs.Path(out + f)).getOwner(), out + f);
    }
  }

  @Test
  void anOutputTheUserMayNotWriteIsOneLineThatSaysWhy() throws Exception {
    String out = root + "/shared/prepared";
    CommandLineTest.Result r =
        asAlice("prepare", "--input", root + "/shared/synth", "--output", out);
    OwnershipTest.refused(
        r, out, "Permission denied: user=alice, access=WRITE", "inode=\"/shared\"");
    assertFalse(r.err().contains(" at org.apache."), "no name node stack trace: " + r.err());
    assertFalse(cluster.getFileSystem().exists(new org.apache.hadoop.fs.Path("/shared/prepared")));
  }

  @Test
  void anInputTheUserMayNotReadIsOneLineThatSaysWhy() throws Exception {
    String in = root + "/private/synth";
    CommandLineTest.Result r =
        asAlice("prepare", "--input", in, "--output", root + "/user/alice/from-private");
    OwnershipTest.refused(r, in, "Permission denied: user=alice", "inode=\"/private");
    assertFalse(r.err().contains(" at org.apache."), "no name node stack trace: " + r.err());
    assertTrue(r.err().length() < 400, r.err());
  }
}
