package io.kvstore.protocol;

/** Client-facing command codes (DESIGN.md §2). Codes at or above {@link #INTERNAL_BASE} are node-to-node. */
public enum Command {
  PUT(0x01, true),
  GET(0x02, true),
  REMOVE(0x03, true),
  SHUTDOWN(0x04, false),
  WIPEOUT(0x05, false),
  IS_ALIVE(0x06, false),
  GET_PID(0x07, false),
  GET_MEMBERSHIP_COUNT(0x08, false),
  /**
   * This project's extension: one page of the node's membership view.
   * Optional payload: the index of the first member, uint32 LE.
   */
  LIST_MEMBERS(0x10, false);

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

  Command(int code, boolean hasKey) {
    this.code = code;
    this.hasKey = hasKey;
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
