package io.kvstore.node.ops.files;

/**
 * Whether this node has room for a file operation, decided when it arrives (before anything of
 * it is fetched or uploaded): in its chunk store at all, and on its data disk beside the pushes in
 * progress. Transfer thread only.
 */
final class TransferRoom {
  private final ChunkStore store;
  private final DiskRoom disk;

  TransferRoom(ChunkStore store, DiskRoom disk) {
    this.store = store;
    this.disk = disk;
  }

  /**
   * Why {@code op} could never be complete here, or null: its file and list exceed the whole
   * chunk store (a signed manifest may announce 16 GiB), so fetching would only fill the store and
   * keep every other push out of it until the operation expired.
   */
  String tooLargeForStore(FileOp op) {
    long needed = op.manifest.size() + op.manifest.listLength();
    if (needed <= store.maxBytes()) {
      return null;
    }
    return "the file and its chunk list (" + needed + " bytes) exceed the chunk store ("
        + store.maxBytes() + " bytes)";
  }

  /**
   * Why {@code op} cannot be taken on this disk, or null: what it will still write here (its
   * chunks and list, and the file once more while it is assembled, if it writes one) and what the
   * pushes {@code inProgress} will still write must leave {@code min-free-disk} free.
   */
  String noDiskFor(FileOp op, Iterable<FileOp> inProgress) {
    long usable = disk.usableBytes().getAsLong();
    long others = 0;
    for (FileOp o : inProgress) {
      others += bytesToCome(o);
    }
    long needed = bytesToCome(op);
    if (usable - others - needed >= disk.minFreeBytes()) {
      return null;
    }
    return "not enough free disk: it needs " + needed + " bytes here ("
        + (op.manifest.size() + op.manifest.listLength()) + " of chunks"
        + (op.writes ? ", " + op.manifest.size() + " more while the file is assembled" : "")
        + "), pushes in progress " + others + " more, and " + usable + " bytes are free: that would"
        + " leave less than min-free-disk (" + disk.minFreeBytes() + " bytes). Free space on the data"
        + " disk (chunks stay in ops/chunks until their operation expires) or push a smaller file";
  }

  /** Bytes of {@code op}'s chunks and list not stored yet: what its download reserves. */
  long chunkBytesToCome(FileOp op) {
    return Math.max(0, op.manifest.size() + op.manifest.listLength() - store.bytesOf(op.id));
  }

  /** Bytes {@code op} will still write on this disk: the chunks not stored yet, then the assembly. */
  private long bytesToCome(FileOp op) {
    return chunkBytesToCome(op) + (op.writes ? op.manifest.size() : 0);
  }
}
