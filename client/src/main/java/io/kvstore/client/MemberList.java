package io.kvstore.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A page of a node's membership view, as LIST_MEMBERS returns it (docs/PROTOCOL.md).
 *
 * @param security what the node says about its authentication, or null from a node too old to say
 */
public record MemberList(int total, List<Entry> members, Security security) {
  /** One member: its id, address, state and incarnation. */
  public record Entry(String id, InetSocketAddress address, String state, long incarnation) {}

  /**
   * The node's trailer after the members.
   *
   * @param insecure the node runs --insecure: internal traffic is not authenticated
   * @param rejectedInternalFrames internal datagrams it dropped for a wrong or missing secret
   */
  public record Security(boolean insecure, long rejectedInternalFrames) {}

  private static final String[] STATES = {"alive", "suspect", "dead", "left"};

  /**
   * Parses a LIST_MEMBERS reply body.
   *
   * @throws KvException if the body is malformed
   */
  public static MemberList parse(byte[] body) {
    try {
      ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
      int total = b.getInt();
      int count = b.getShort() & 0xFFFF;
      List<Entry> members = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int state = b.get() & 0xFF;
        long incarnation = b.getLong();
        byte[] id = new byte[b.get() & 0xFF];
        b.get(id);
        byte[] ip = new byte[b.get() & 0xFF];
        b.get(ip);
        int port = b.getShort() & 0xFFFF;
        members.add(
            new Entry(
                new String(id, StandardCharsets.UTF_8),
                new InetSocketAddress(InetAddress.getByAddress(ip), port),
                state < STATES.length ? STATES[state] : "unknown(" + state + ")",
                incarnation));
      }
      Security security = null;
      if (b.remaining() >= 9) {
        security = new Security((b.get() & 1) != 0, b.getLong());
      }
      return new MemberList(total, members, security);
    } catch (RuntimeException | UnknownHostException e) {
      throw new KvException("malformed member list from the node: " + e);
    }
  }
}
