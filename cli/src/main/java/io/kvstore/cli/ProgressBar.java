package io.kvstore.cli;

import java.io.PrintWriter;

/** One line redrawn in place: {@code upload [#########           ]  45%  45.0/100.0 MB}. */
final class ProgressBar {
  private static final int WIDTH = 30;
  private final PrintWriter out;
  private final String label;
  private final long total;
  private int lastPercent = -1;

  ProgressBar(PrintWriter out, String label, long total) {
    this.out = out;
    this.label = label;
    this.total = total;
  }

  void update(long done) {
    int percent = total == 0 ? 100 : (int) (done * 100 / total);
    if (percent == lastPercent) {
      return;
    }
    lastPercent = percent;
    int filled = percent * WIDTH / 100;
    out.printf("\r%s [%s%s] %3d%%  %.1f/%.1f MB", label, "#".repeat(filled), " ".repeat(WIDTH - filled),
        percent, done / 1e6, total / 1e6);
    out.flush();
  }

  void done() {
    update(total);
    out.println();
    out.flush();
  }
}
