package io.kvstore.cli.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * memcached's text protocol over UDP (protocol.txt, "UDP protocol"). Every datagram starts with an
 * 8-byte frame header: request id, sequence number, datagram count, reserved (big-endian 16-bit
 * each). The request id holds the slot in its low bits and the tag in the rest; replies larger than
 * one datagram (values above about 1,300 bytes) arrive in several numbered parts.
 */
final class MemcachedWire implements BenchWire {
  private static final int HEADER = 8;
  private static final byte[] GET = ascii("get ");
  private static final byte[] SET = ascii("set ");
  private static final byte[] CRLF = ascii("\r\n");
  private static final byte[] VALUE = ascii("VALUE ");
  private static final byte[] END = ascii("END\r\n");
  private static final byte[] STORED = ascii("STORED\r\n");
  private static final byte[] VERSION = ascii("version\r\n");

  /** Reply lines that report a failure; they become the error labels. */
  private static final String[] ERROR_LINES = {
    "SERVER_ERROR", "CLIENT_ERROR", "NOT_STORED", "ERROR"
  };

  private static final byte[][] ERROR_PREFIXES = asciiAll(ERROR_LINES);

  private final byte[][] keys;
  private final byte[][] values;

  /** " 0 0 <bytes>\r\n": flags, expiry and length of every set. */
  private final byte[] setArguments;

  private final int slotBits;
  private final int slotMask;

  MemcachedWire(byte[][] keys, int valueSize, SplittableRandom random, int slots) {
    this.keys = keys;
    this.values = ValuePool.printableAscii(valueSize, random);
    this.setArguments = ascii(" 0 0 " + valueSize + "\r\n");
    this.slotBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, slots - 1));
    this.slotMask = (1 << slotBits) - 1;
  }

  @Override
  public long encode(ByteBuffer out, int slot, long tag, boolean get, int key) {
    long wireTag = tag & (0xFFFF >>> slotBits);
    putHeader(out, (int) (wireTag << slotBits) | slot);
    if (get) {
      out.put(GET).put(keys[key]).put(CRLF);
    } else {
      out.put(SET).put(keys[key]).put(setArguments).put(ValuePool.pick(values, tag)).put(CRLF);
    }
    return wireTag;
  }

  @Override
  public void encodeProbe(ByteBuffer out) {
    putHeader(out, 0);
    out.put(VERSION);
  }

  private static void putHeader(ByteBuffer out, int requestId) {
    out.putShort((short) requestId).putShort((short) 0).putShort((short) 1).putShort((short) 0);
  }

  @Override
  public boolean decodeHeader(ByteBuffer reply, ReplyHeader header) {
    if (reply.remaining() < HEADER) {
      return false;
    }
    int start = reply.position();
    int requestId = reply.getShort(start) & 0xFFFF;
    header.slot = requestId & slotMask;
    header.tag = requestId >>> slotBits;
    header.part = reply.getShort(start + 2) & 0xFFFF;
    header.parts = Math.max(1, reply.getShort(start + 4) & 0xFFFF);
    return true;
  }

  @Override
  public String check(ByteBuffer reply, ReplyHeader header, boolean get) {
    int body = reply.position() + HEADER;
    if (!get) {
      return matches(reply, body, STORED) && reply.limit() == body + STORED.length
          ? OK
          : errorLabel(reply, body);
    }
    boolean first = header.part == 0;
    boolean last = header.part == header.parts - 1;
    if (first
        && header.parts == 1
        && reply.limit() == body + END.length
        && matches(reply, body, END)) {
      return MISS;
    }
    if (first && !matches(reply, body, VALUE)) {
      return errorLabel(reply, body);
    }
    if (last && !matches(reply, reply.limit() - END.length, END)) {
      return MALFORMED;
    }
    return OK;
  }

  private static String errorLabel(ByteBuffer reply, int body) {
    for (int i = 0; i < ERROR_PREFIXES.length; i++) {
      if (matches(reply, body, ERROR_PREFIXES[i])) {
        return ERROR_LINES[i];
      }
    }
    return MALFORMED;
  }

  private static boolean matches(ByteBuffer buffer, int offset, byte[] expected) {
    if (offset < buffer.position() || offset + expected.length > buffer.limit()) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (buffer.get(offset + i) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[][] asciiAll(String[] texts) {
    byte[][] bytes = new byte[texts.length][];
    for (int i = 0; i < texts.length; i++) {
      bytes[i] = ascii(texts[i]);
    }
    return bytes;
  }
}
