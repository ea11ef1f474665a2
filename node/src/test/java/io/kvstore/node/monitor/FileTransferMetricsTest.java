package io.kvstore.node.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FileTransferMetricsTest {
  @Test
  void fileStatNamesFitTheStatusServersLimit() {
    assertEquals("ops.files.app.jar", FileTransferMetrics.statName("app.jar"));
    String longest = FileTransferMetrics.statName("n".repeat(128));
    assertEquals(64, longest.length(), "the status server refuses names beyond 64 bytes");
    assertTrue(longest.endsWith("~"));
    assertEquals(64, FileTransferMetrics.statName("n".repeat(54)).length());
    assertTrue(!FileTransferMetrics.statName("n".repeat(54)).endsWith("~"));
  }
}
