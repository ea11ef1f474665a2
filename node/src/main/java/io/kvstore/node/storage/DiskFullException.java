package io.kvstore.node.storage;

/**
 * The disk holding the data is full (RocksDB reported "no space"). Nothing was written. The
 * service answers PUT with "out of space" and frees its space reserve so that deletes still fit.
 */
public final class DiskFullException extends StorageException {
  private static final long serialVersionUID = 1L;

  public DiskFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
