package io.kvstore.cli;

import picocli.CommandLine;

/** Reports the build's version (from the jar manifest, "dev" when run from classes). */
public final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Main.class.getPackage().getImplementationVersion();
    return new String[] {"kvstore " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
  }
}
