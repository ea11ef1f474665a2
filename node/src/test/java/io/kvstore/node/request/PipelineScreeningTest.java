package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.RequestEncoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What a pipeline refuses before anything runs: admin commands from outside admin-from, its own
 * address, too short or malformed datagrams (error replies rate-limited per address), internal
 * frames without the secret's tag or of unknown versions and types, and client datagrams from a
 * ring member's own address (a peer's reply is never a command).
 */
class PipelineScreeningTest extends PipelineHarness {
  @Test
  void adminCommandsFromOutsideTheAllowListAreNotPermitted() {
    Harness h = harness(16, 64);
    h.storage.put(key(3), new byte[] {1}, 1);
    h.receive(RequestEncoder.encode(id(), Command.WIPEOUT, null, null), REMOTE);
    assertThat(h.onlyCode()).isEqualTo(0x21);
    h.receive(RequestEncoder.encode(id(), Command.SHUTDOWN, null, null), REMOTE);
    assertThat(h.onlyCode()).isEqualTo(0x21);
    assertThat(h.halts).hasValue(0);
    assertThat(h.storage.keyCount()).isEqualTo(1);
    assertThat(h.stats.notPermitted.sum()).isEqualTo(2);
  }

  @Test
  void errorRepliesAreRateLimitedPerSource() {
    Harness h = harness(16, 64);
    byte[] bad = new byte[17];
    bad[16] = 0x1F;
    for (int i = 0; i < 500; i++) {
      h.receive(bad, CLIENT);
    }
    assertThat(h.replies()).as("the burst, no refill while time stands still").hasSize(100);
    assertThat(h.stats.errorRepliesSuppressed.sum()).isEqualTo(400);
    clock.advance(100);
    for (int i = 0; i < 50; i++) {
      h.receive(bad, CLIENT);
    }
    assertThat(h.replies()).as("100 per second refill").hasSize(10);
    for (int port = 1024; port < 1524; port++) {
      h.receive(bad, new InetSocketAddress(CLIENT.getAddress(), port));
    }
    assertThat(h.replies()).as("a source is its address: new ports get nothing more").isEmpty();
    h.receive(bad, REMOTE);
    assertThat(h.replies()).as("another source has its own budget").hasSize(1);
  }

  @Test
  void datagramsClaimingToComeFromTheNodeItselfAreDropped() {
    Harness h = harness(16, 64);
    h.storage.put(key(4), new byte[] {1}, 1);
    h.receive(RequestEncoder.encode(id(), Command.WIPEOUT, null, null), NODE);
    assertThat(h.replies()).isEmpty();
    assertThat(h.stats.selfSourced.sum()).isEqualTo(1);
    assertThat(h.storage.keyCount()).isEqualTo(1);
  }

  @Test
  void tooShortDatagramsAreDroppedAndMalformedOnesRejected() {
    Harness h = harness(16, 64);
    h.receive(new byte[15], CLIENT);
    assertThat(h.replies()).isEmpty();
    assertThat(h.stats.tooShort.sum()).isEqualTo(1);
    byte[] truncatedPut = Arrays.copyOf(RequestEncoder.encode(id(), Command.PUT, key(1), new byte[10]), 55);
    h.receive(truncatedPut, CLIENT);
    assertThat(h.onlyCode()).isEqualTo(0x07);
    assertThat(h.storage.keyCount()).isZero();
  }

  @Test
  void withASecretUnauthenticatedInternalFramesAreDroppedAndClientsStillServed() {
    FrameAuthenticator auth = FrameAuthenticator.withSecret("0123456789abcdef-secret");
    Harness h = new Harness(NODE, 16, 64, auth, LOCAL);
    byte[] frame = new byte[30];
    frame[16] = 0x20;
    frame[17] = 1;
    h.receive(frame, REMOTE);
    h.receive(FrameAuthenticator.withSecret("wrong-secret-0123456789").seal(frame), REMOTE);
    assertThat(h.internalFrames).isEmpty();
    assertThat(h.stats.unauthenticated.sum()).isEqualTo(2);
    h.receive(auth.seal(frame), REMOTE);
    assertThat(h.internalFrames).singleElement().isEqualTo(frame);
    assertThat(h.replies()).as("internal frames are never answered").isEmpty();
    h.receive(RequestEncoder.encode(id(), Command.IS_ALIVE, null, null), REMOTE);
    assertThat(h.onlyCode()).as("client commands need no secret").isZero();
    h.receive(RequestEncoder.encode(id(), Command.LIST_MEMBERS, null, null), CLIENT);
    byte[] page = h.replies().get(0);
    assertThat(ByteBuffer.wrap(page, page.length - 8, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong())
        .as("rejected frames, as the LIST_MEMBERS trailer tells ./kvstore members").isEqualTo(2);
  }

  @Test
  void internalFramesOfAnotherVersionOrOfNoRegisteredTypeAreCountedAndDropped() {
    Harness h = harness(16, 64);
    byte[] frame = new byte[30];
    frame[16] = 0x20;
    frame[17] = 2;
    h.receive(frame, REMOTE);
    assertThat(h.stats.internalMalformed.sum()).isEqualTo(1);
    frame[16] = 0x5A;
    frame[17] = 1;
    h.receive(frame, REMOTE);
    assertThat(h.stats.internalUnhandled.sum()).isEqualTo(1);
    assertThat(h.internalFrames).isEmpty();
    assertThat(h.replies()).isEmpty();
  }

  @Test
  void clientDatagramsFromAMembersAddressAreDroppedUnansweredSoAPeersReplyIsNeverACommand() {
    Harness h = new Harness(NODE, 16, 64, FrameAuthenticator.none(), OWNED_ELSEWHERE);
    h.storage.put(key(4), new byte[] {1}, 1);
    // What the member at OWNER sends when an attacker spoofs requests in our name: its replies,
    // whose code byte sits where a command does (0x04 SHUTDOWN, 0x05 WIPEOUT), and the member's
    // own address is in the default admin-from (loopback).
    byte[] wipeout = Arrays.copyOf(id(), 17);
    wipeout[16] = 0x05;
    byte[] shutdown = Arrays.copyOf(id(), 17);
    shutdown[16] = 0x04;
    h.receive(wipeout, OWNER);
    h.receive(shutdown, OWNER);
    h.receive(RequestEncoder.encode(id(), Command.GET, key(4), null), OWNER);
    h.receive(Arrays.copyOf(id(), 17), OWNER); // 0x00: no such command, would be answered 0x05
    assertThat(h.replies()).isEmpty();
    assertThat(h.stats.memberSourced.sum()).isEqualTo(4);
    assertThat(h.halts.get()).isZero();
    assertThat(h.storage.keyCount()).isEqualTo(1);
    assertThat(h.stats.rejected.sum()).isZero();

    // A client on the member's host, on another port, is a client.
    h.receive(RequestEncoder.encode(id(), Command.IS_ALIVE, null, null),
        new InetSocketAddress(OWNER.getAddress(), 5555));
    assertThat(h.onlyCode()).isZero();
  }
}
