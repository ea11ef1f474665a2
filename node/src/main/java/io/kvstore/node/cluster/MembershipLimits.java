package io.kvstore.node.cluster;

/**
 * Bounds that keep forged or buggy membership traffic from exhausting memory or poisoning the
 * view (docs/SECURITY.md "Membership"). Each has a counter in {@link SwimStats} for when it bites.
 *
 * @param maxMembers members remembered (alive, suspect, dead or left) besides this node
 * @param maxPending candidates awaiting their admission probe
 * @param admissionsPerSecond admission probes sent per second (burst: the pending table's size,
 *     so a node joining a large cluster can probe every member its seed told it of at once)
 * @param maxIncarnationStep how far an update relayed by a third party may raise a live member's
 *     incarnation above the one we know (the member's own word, from its own address, may go
 *     further; nothing may go beyond a day ahead of the clock)
 * @param maxRelays indirect probes run for others at once
 */
public record MembershipLimits(
    int maxMembers, int maxPending, int admissionsPerSecond, long maxIncarnationStep, int maxRelays) {
  /** Memory budgeted per member, ring tokens and queues included (an upper estimate). */
  static final long BYTES_PER_MEMBER = 64 * 1024;

  public MembershipLimits {
    if (maxMembers < 1 || maxPending < 1 || admissionsPerSecond < 1 || maxIncarnationStep < 1 || maxRelays < 1) {
      throw new IllegalArgumentException("membership limits must be positive");
    }
  }

  /** Defaults sized to this JVM's heap (1,024 members for a 64 MB heap). */
  public static MembershipLimits defaults() {
    return forHeap(Runtime.getRuntime().maxMemory());
  }

  /** Up to 1/16 of the heap for membership: heap / 64 KiB members, between 256 and 100,000. */
  public static MembershipLimits forHeap(long heapBytes) {
    int members = (int) Math.max(256, Math.min(100_000, heapBytes / BYTES_PER_MEMBER));
    return new MembershipLimits(members, Math.min(1024, members), 200, 1000, 1024);
  }

  public MembershipLimits withMaxMembers(int max) {
    return new MembershipLimits(max, Math.min(maxPending, max), admissionsPerSecond, maxIncarnationStep, maxRelays);
  }
}
