package io.kvstore.node.request;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.node.sources.ClientSources;
import io.kvstore.protocol.DecodedRequest;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * Whom a socket hears, judged before anything a datagram asks for runs: never itself, never a
 * member of its ring speaking the client protocol, and of everyone else only the sources in
 * {@code allow-clients} (internal frames instead by their HMAC tag, when the node has a cluster
 * secret). Whatever it refuses is dropped unanswered and counted (docs/SECURITY.md).
 */
final class DatagramScreen {
  private final InetSocketAddress localAddress;
  private final Supplier<Ring> ring;
  private final ClientSources sources;
  private final FrameAuthenticator authenticator;
  private final RequestStats stats;
  private final OversizedDatagrams oversized;

  DatagramScreen(InetSocketAddress localAddress, Supplier<Ring> ring, ClientSources sources,
      FrameAuthenticator authenticator, RequestStats stats, Clock clock) {
    this.localAddress = localAddress;
    this.ring = ring;
    this.sources = sources;
    this.authenticator = authenticator;
    this.stats = stats;
    this.oversized = new OversizedDatagrams(stats.oversized, clock);
  }

  /** Before decoding: false for a datagram that claims to come from this socket. */
  boolean hearsUndecoded(InetSocketAddress from, int length) {
    if (isSelf(from)) {
      stats.selfSourced.increment(); // a reply to ourselves could be read as a command
      return false;
    }
    oversized.check(length, from);
    return true;
  }

  /** After decoding: whether a datagram of this kind from {@code from} is heard at all. */
  boolean hears(DecodedRequest.Outcome outcome, InetSocketAddress from) {
    if (isClientProtocol(outcome) && ring.get().memberAt(from) != null) {
      // A member never sends client requests: this is its reply (0x04 would read as SHUTDOWN,
      // 0x05 as WIPEOUT) to a request spoofed in our name, or a spoof of the member.
      stats.memberSourced.increment();
      return false;
    }
    // Not in allow-clients: no answer at all (counted and logged by ClientSources).
    return isAuthenticatedKind(outcome) || sources.admits(from.getAddress());
  }

  private static boolean isClientProtocol(DecodedRequest.Outcome outcome) {
    return outcome == DecodedRequest.Outcome.CLIENT_REQUEST || outcome == DecodedRequest.Outcome.REJECT;
  }

  /**
   * Internal frames are judged by their HMAC tag when the node has a cluster secret; without one
   * (--insecure) nothing authenticates them, so they are held to the allow-list like clients.
   */
  private boolean isAuthenticatedKind(DecodedRequest.Outcome outcome) {
    return outcome == DecodedRequest.Outcome.INTERNAL && authenticator.enabled();
  }

  /** A datagram that claims to come from this node's own socket. */
  private boolean isSelf(InetSocketAddress sender) {
    if (sender.getPort() != localAddress.getPort()) {
      return false;
    }
    return localAddress.getAddress().isAnyLocalAddress()
        ? sender.getAddress().isLoopbackAddress()
        : sender.getAddress().equals(localAddress.getAddress());
  }
}
