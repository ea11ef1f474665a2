package io.kvstore.cli.bench;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides what a freed slot sends next. Each socket's thread has its own instance or shares a
 * thread-safe one.
 */
interface RequestSource {
  /** The key of the next request, or -1 when there is nothing left to send. */
  int nextKey();

  /** Whether the next request is a GET (otherwise a PUT). */
  boolean nextIsGet();

  /** Uniformly random keys and a fixed share of GETs, reproducible from a seed. */
  static RequestSource mixed(SplittableRandom random, int keyCount, double getFraction) {
    return new RequestSource() {
      @Override
      public int nextKey() {
        return random.nextInt(keyCount);
      }

      @Override
      public boolean nextIsGet() {
        return getFraction >= 1.0 || (getFraction > 0 && random.nextDouble() < getFraction);
      }
    };
  }

  /** A PUT of every key once, handed out across all sockets from one shared counter. */
  static RequestSource putEachKey(AtomicInteger nextKey, int keyCount) {
    return new RequestSource() {
      @Override
      public int nextKey() {
        int key = nextKey.getAndIncrement();
        return key < keyCount ? key : -1;
      }

      @Override
      public boolean nextIsGet() {
        return false;
      }
    };
  }
}
