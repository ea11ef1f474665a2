package io.kvstore.node.storage;

/** Stored bytes are not a record {@link RecordCodec} can read: truncated, damaged or too new. */
public final class CorruptRecordException extends StorageException {
  private static final long serialVersionUID = 1L;

  public CorruptRecordException(String message) {
    super(message);
  }
}
