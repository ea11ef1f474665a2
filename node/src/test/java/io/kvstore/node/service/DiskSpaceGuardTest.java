package io.kvstore.node.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpaceGuardTest {
  private static final long MB = 1 << 20;
  @TempDir Path dir;
  private final AtomicLong free = new AtomicLong(100 * MB);

  private DiskSpaceGuard guard(long reserve) {
    return new DiskSpaceGuard(free::get, 4 * MB, new SpaceReserve(dir, reserve), false);
  }

  private Path reserveFile() {
    return dir.resolve(SpaceReserve.FILE_NAME);
  }

  @Test
  void holdsAReserveOfRealBytesWhileThereIsRoom() throws Exception {
    DiskSpaceGuard g = guard(3 * MB);
    assertThat(g.isLow()).isFalse();
    assertThat(Files.size(reserveFile())).isEqualTo(3 * MB);
  }

  @Test
  void lowSpaceReleasesTheReserveAndRecoversOnlyWithRoomForThresholdAndReserve() throws Exception {
    DiskSpaceGuard g = guard(3 * MB);
    free.set(3 * MB); // below the 4 MB threshold
    g.refresh();
    assertThat(g.isLow()).isTrue();
    assertThat(reserveFile()).doesNotExist();

    free.set(6 * MB); // threshold reached, but not threshold + reserve: no flapping at the edge
    g.refresh();
    assertThat(g.isLow()).isTrue();
    assertThat(reserveFile()).doesNotExist();

    free.set(20 * MB);
    g.refresh();
    assertThat(g.isLow()).isFalse();
    assertThat(Files.size(reserveFile())).isEqualTo(3 * MB);
  }

  @Test
  void aFullDiskReportedByStorageReleasesTheReserveAtOnce() {
    DiskSpaceGuard g = guard(3 * MB);
    g.diskFull();
    assertThat(g.isLow()).isTrue();
    assertThat(reserveFile()).doesNotExist();
    g.refresh(); // 100 MB free: the reserve comes back and PUT is allowed
    assertThat(g.isLow()).isFalse();
    assertThat(reserveFile()).exists();
  }

  @Test
  void noRoomForTheReserveAtStartMeansLow() throws Exception {
    // a directory where the reserve file should go: writing it fails as on a full disk
    Path data = dir.resolve("data");
    Files.createDirectories(data.resolve(SpaceReserve.FILE_NAME).resolve("child"));
    free.set(5 * MB); // above the threshold, below threshold + reserve
    DiskSpaceGuard g = new DiskSpaceGuard(free::get, 4 * MB, new SpaceReserve(data, MB), false);
    assertThat(g.isLow()).isTrue();
  }

  @Test
  void memoryNodesAreNeverLow() {
    DiskSpaceGuard g = DiskSpaceGuard.none();
    g.refresh();
    assertThat(g.isLow()).isFalse();
  }
}
