package io.kvstore.simulator;

import java.util.Arrays;
import java.util.stream.LongStream;

/** The seeds every simulation test runs with: {@code -Dsim.seed=1,2,3} or a fixed list. */
public final class SimulationSeeds {
  public static final String PROPERTY = "sim.seed";
  private static final long[] DEFAULT = {1, 2, 3, 4, 5};

  private SimulationSeeds() {}

  public static LongStream seeds() {
    String given = System.getProperty(PROPERTY, "").trim();
    if (given.isEmpty()) {
      return LongStream.of(DEFAULT);
    }
    return Arrays.stream(given.split(",")).map(String::trim).mapToLong(Long::parseLong);
  }
}
