package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code facesieve report} writes {@code report/} pages into a clean output; in a folder written
 * before the pages existed they must become FaceSieve's, or a later {@code clean --overwrite} there
 * would refuse them as the user's. A folder without a record is nobody's output.
 */
class ReportPagesOwnershipTest {
  @Test
  void pagesWrittenIntoAnOlderCleanFolderAreRecorded(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("summary.json"), "{}");
    Files.writeString(dir.resolve("report.html"), "<html></html>");
    OwnedFiles.record(dir, OutputKind.CLEAN, List.of("summary.json", "report.html"));
    Files.createDirectories(dir.resolve("report/classes"));
    Files.writeString(dir.resolve("report/classes/3.html"), "<html></html>");
    Files.writeString(dir.resolve("report/table-1.html"), "<html></html>");
    // before: the pages are not in the record, so the folder reads as holding foreign files
    assertThrows(InputException.class, () -> OutputGuard.inspect(dir, OutputKind.CLEAN));
    OwnedFiles.addToRecord(dir, OutputKind.CLEAN, "report");
    OutputGuard.Ownership o = OutputGuard.inspect(dir, OutputKind.CLEAN);
    assertTrue(o.owned().contains("report/classes/3.html"), o.owned().toString());
    assertTrue(o.owned().contains("report/table-1.html"));
  }

  @Test
  void aFolderWithoutARecordIsNobodysOutput(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("summary.json"), "{}");
    Files.createDirectories(dir.resolve("report/classes"));
    Files.writeString(dir.resolve("report/classes/3.html"), "<html></html>");
    OwnedFiles.addToRecord(dir, OutputKind.CLEAN, "report"); // no record: left as it is
    assertTrue(Files.notExists(dir.resolve(OutputGuard.OWNED)));
    // without a record nothing in it is FaceSieve's: a clean there is refused, naming a file
    InputException e =
        assertThrows(InputException.class, () -> OutputGuard.inspect(dir, OutputKind.CLEAN));
    assertTrue(e.getMessage().contains("report/classes/3.html"), e.getMessage());
  }
}
