package io.kvstore.node.replication;

/**
 * The numbers a node's replica traffic names its operations by (the first 8 bytes of a frame's
 * id, echoed in the answer): the top byte is the handler's index in the {@link CoordinatorRegistry},
 * so an answer arriving on any socket finds its handler; the rest counts up from a random start
 * (a restarted node does not take late answers meant for its previous life) and skips 0, which
 * names no operation. Single-threaded, like its owner.
 */
final class OperationNumbers {
  private static final long COUNTER = 0x00FF_FFFF_FFFF_FFFFL;

  private final long index;
  private long last;

  OperationNumbers(int index, long firstNumber) {
    if (index < 0 || index > 255) {
      throw new IllegalArgumentException("handler index " + index + " is not 0-255");
    }
    this.index = (long) index << 56;
    this.last = firstNumber & COUNTER;
  }

  long next() {
    last = (last + 1) & COUNTER;
    if (last == 0) {
      last = 1;
    }
    return index | last;
  }

  /** The handler index an operation number names. */
  static int indexOf(long operation) {
    return (int) (operation >>> 56);
  }
}
