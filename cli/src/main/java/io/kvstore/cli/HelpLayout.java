package io.kvstore.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Help text is written as short source lines; picocli would print each as a line of its own and
 * wrap the longer ones again at the terminal width, leaving a word or two on a line by itself
 * ("heap capped at" / "64 MB ..."). Joining each paragraph into one string lets picocli wrap it
 * once, at word boundaries, whatever the width. (Option descriptions are single strings, which
 * picocli wraps the same way.)
 */
final class HelpLayout {
  private HelpLayout() {}

  static void reflow(CommandLine cli) {
    cli.setUsageHelpAutoWidth(true);
    reflow(cli.getCommandSpec());
  }

  private static void reflow(CommandSpec spec) {
    spec.usageMessage().description(paragraphs(spec.usageMessage().description()));
    for (CommandLine sub : spec.subcommands().values()) {
      if (sub.getCommandSpec() != spec) {
        reflow(sub.getCommandSpec());
      }
    }
  }

  /** Example and table lines (indented, aligned with runs of spaces, continued with a backslash). */
  private static boolean isPreformatted(String line) {
    return !line.isBlank()
        && (Character.isWhitespace(line.charAt(0)) || line.strip().contains("  ") || line.endsWith("\\"));
  }

  /**
   * Consecutive prose lines joined with spaces; blank lines kept as paragraph breaks, example and
   * table lines kept as they are.
   */
  static String[] paragraphs(String[] lines) {
    List<String> out = new ArrayList<>();
    StringBuilder paragraph = new StringBuilder();
    for (String line : lines) {
      if (isPreformatted(line)) {
        if (paragraph.length() > 0) {
          out.add(paragraph.toString());
          paragraph.setLength(0);
        }
        out.add(line);
      } else if (line.isBlank()) {
        if (paragraph.length() > 0) {
          out.add(paragraph.toString());
          paragraph.setLength(0);
        }
        out.add("");
      } else {
        if (paragraph.length() > 0) {
          paragraph.append(' ');
        }
        paragraph.append(line.strip());
      }
    }
    if (paragraph.length() > 0) {
      out.add(paragraph.toString());
    }
    return out.toArray(String[]::new);
  }
}
