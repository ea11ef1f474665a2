package io.kvstore.node.storage;

/**
 * The storage engine could not do what was asked: the data directory is unusable, the disk failed,
 * or stored data is corrupt. The transport answers such requests with "internal failure".
 */
public class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
