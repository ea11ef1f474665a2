package io.kvstore.protocol;

/** Client-facing command codes (DESIGN.md §2). Codes at or above {@link #INTERNAL_BASE} are node-to-node. */
public enum Command {
  PUT(0x01, true, true),
  GET(0x02, true, false),
  REMOVE(0x03, true, false),
  SHUTDOWN(0x04, false, false),
  WIPEOUT(0x05, false, false),
  IS_ALIVE(0x06, false, false),
  GET_PID(0x07, false, false),
  GET_MEMBERSHIP_COUNT(0x08, false, false),
  /**
   * This project's extension: one page of the node's membership view.
   * Optional payload: the index of the first member, uint32 LE.
   */
  LIST_MEMBERS(0x10, false, false),
  /**
   * This project's extension: a signed fleet operation (docs/OPERATIONS.md) as the value; the key
   * is the operation id padded with zeros. Never routed or replicated: the node it reaches
   * verifies it and spreads it. Reply SUCCESS, or NOT_PERMITTED with the refusal reason as a value.
   */
  OPS_SUBMIT(0x11, true, true),
  /**
   * This project's extension: one piece (at most 12 KiB) of a pushed file, to the node that took
   * the FILE operation (docs/OPERATIONS.md "Files"). Key: operation id (16), chunk index (4,
   * big-endian; -1 = the chunk-hash list), offset (4), 8 zero bytes. Never routed or replicated.
   * Reply SUCCESS; 0x01 while the node does not hold the operation; 0x03 when busy; NOT_PERMITTED
   * with the reason as a value for a piece or chunk it refuses.
   */
  OPS_CHUNK(0x12, true, true);

  /** First code reserved for internal (node-to-node) messages. */
  public static final int INTERNAL_BASE = 0x20;

  private static final Command[] BY_CODE = new Command[INTERNAL_BASE];

  static {
    for (Command c : values()) {
      BY_CODE[c.code] = c;
    }
  }

  public final int code;
  /** Whether the request carries a 32-byte key after the command byte. */
  public final boolean hasKey;
  /** Whether a value length and value follow the key (PUT's layout). */
  public final boolean hasValue;

  Command(int code, boolean hasKey, boolean hasValue) {
    this.code = code;
    this.hasKey = hasKey;
    this.hasValue = hasValue;
  }

  /** The commands on a stored key: routed to the key's replicas and coordinated there. */
  public boolean isKeyOperation() {
    return this == PUT || this == GET || this == REMOVE;
  }

  /** The command for a code, or null when the code is unknown or internal. */
  public static Command fromCode(int code) {
    return code >= 0 && code < INTERNAL_BASE ? BY_CODE[code] : null;
  }

  /** Admin commands are accepted only from allowed sources. */
  public boolean isAdmin() {
    return this == SHUTDOWN || this == WIPEOUT;
  }
}
