package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ReplyCacheTest {
  private static final long SOURCE = 42;

  private static ByteBuffer reply(long idHi, long idLo, int code, int bodyExtra) {
    ByteBuffer b = ByteBuffer.allocate(17 + bodyExtra);
    b.putLong(idHi).putLong(idLo).put((byte) code);
    return b.position(b.capacity()).flip();
  }

  private static ByteBuffer request(long idHi, long idLo) {
    return ByteBuffer.allocate(17).putLong(idHi).putLong(idLo).put((byte) 1).flip();
  }

  private static ByteBuffer read(ReplyCache cache, int handle, long idHi, long idLo) {
    ByteBuffer out = ByteBuffer.allocate(cache.replySize(handle));
    cache.copyReply(handle, request(idHi, idLo), 0, out);
    assertThat(out.position()).isEqualTo(cache.replySize(handle));
    return out.flip();
  }

  @Test
  void returnsTheCachedReplyForTheSameSourceIdAndFingerprint() {
    ReplyCache cache = new ReplyCache(1 << 20, 5_000);
    cache.insert(SOURCE, 1, 2, 99, reply(1, 2, 0x01, 0), 1000);
    int handle = cache.find(SOURCE, 1, 2, 99);
    assertThat(handle).isNotNegative();
    assertThat(cache.replySize(handle)).isEqualTo(17);
    ByteBuffer out = read(cache, handle, 1, 2);
    assertThat(out.getLong(0)).isEqualTo(1);
    assertThat(out.getLong(8)).isEqualTo(2);
    assertThat(out.get(16)).isEqualTo((byte) 0x01);
  }

  @Test
  void differentFingerprintSourceOrIdMisses() {
    ReplyCache cache = new ReplyCache(1 << 20, 5_000);
    cache.insert(SOURCE, 1, 2, 99, reply(1, 2, 0, 0), 1000);
    assertThat(cache.find(SOURCE, 1, 2, 98)).as("id reused for another request").isNegative();
    assertThat(cache.find(SOURCE + 1, 1, 2, 99)).as("other source").isNegative();
    assertThat(cache.find(SOURCE, 1, 3, 99)).as("other id").isNegative();
  }

  @Test
  void reinsertingAnIdReplacesTheEarlierReply() {
    ReplyCache cache = new ReplyCache(1 << 20, 5_000);
    cache.insert(SOURCE, 1, 2, 10, reply(1, 2, 0x00, 0), 1000);
    cache.insert(SOURCE, 1, 2, 20, reply(1, 2, 0x01, 0), 1001);
    assertThat(cache.find(SOURCE, 1, 2, 10)).isNegative();
    int handle = cache.find(SOURCE, 1, 2, 20);
    assertThat(read(cache, handle, 1, 2).get(16)).isEqualTo((byte) 0x01);
  }

  @Test
  void oldestEntriesAreOverwrittenWhenTheArenaWrapsAndCountedIfYoung() {
    ReplyCache cache = new ReplyCache(64 * 1024, 5_000);
    int entries = 10_000; // ~60 bytes each: several laps of a 64 KiB arena
    for (int i = 0; i < entries; i++) {
      cache.insert(SOURCE, 0, i, i, reply(0, i, 0, 10), 1000 + i / 1000);
    }
    assertThat(cache.find(SOURCE, 0, 0, 0)).as("first entry overwritten").isNegative();
    assertThat(cache.find(SOURCE, 0, entries - 1, entries - 1)).isNotNegative();
    assertThat(cache.earlyEvictions()).as("overwritten within 5 s").isPositive();
    for (int i = entries - 500; i < entries; i++) {
      assertThat(cache.find(SOURCE, 0, i, i)).as("recent entry %d", i).isNotNegative();
    }
  }

  @Test
  void entriesOlderThanTheRetentionAreNotCountedAsEarly() {
    ReplyCache cache = new ReplyCache(64 * 1024, 5_000);
    for (int i = 0; i < 10_000; i++) {
      cache.insert(SOURCE, 0, i, i, reply(0, i, 0, 10), i * 10L); // 10 ms apart
    }
    assertThat(cache.earlyEvictions()).isZero();
    assertThat(cache.retentionMillis()).isGreaterThanOrEqualTo(5_000);
  }

  @Test
  void aHugeReplyIsNotCachedRatherThanFlushingTheCache() {
    ReplyCache cache = new ReplyCache(64 * 1024, 5_000);
    cache.insert(SOURCE, 0, 1, 1, reply(0, 1, 0, 10), 1);
    cache.insert(SOURCE, 0, 2, 2, reply(0, 2, 0, 20_000), 1);
    assertThat(cache.find(SOURCE, 0, 2, 2)).isNegative();
    assertThat(cache.find(SOURCE, 0, 1, 1)).isNotNegative();
  }

  @Test
  void manySourcesWithTheSameIdStayApart() {
    ReplyCache cache = new ReplyCache(1 << 20, 5_000);
    for (int s = 0; s < 1000; s++) {
      cache.insert(s, 7, 7, s, reply(7, 7, s & 0x7F, 0), 1);
    }
    for (int s = 0; s < 1000; s++) {
      int handle = cache.find(s, 7, 7, s);
      assertThat(handle).isNotNegative();
      assertThat(read(cache, handle, 7, 7).get(16)).isEqualTo((byte) (s & 0x7F));
    }
  }

  @Test
  void repeatedIdsAmongManyLiveOnesAlwaysFindTheirLatestReply() {
    // 64 KiB arena, 4,096 index slots: 1,000 inserts of 45 bytes all stay live, 300 ids repeat.
    ReplyCache cache = new ReplyCache(64 * 1024, 5_000);
    java.util.Random random = new java.util.Random(7);
    java.util.Map<Long, Long> latest = new java.util.HashMap<>();
    java.util.Map<Long, Long> earlier = new java.util.HashMap<>();
    for (int i = 1; i <= 1_000; i++) {
      long id = random.nextInt(300);
      long source = id % 3;
      Long before = latest.put(id, (long) i);
      if (before != null) {
        earlier.put(id, before);
      }
      cache.insert(source, id, ~id, i, reply(id, ~id, i & 0x7F, 0), 1);
    }
    latest.forEach((id, fingerprint) -> {
      int handle = cache.find(id % 3, id, ~id, fingerprint);
      assertThat(handle).as("id %d", id).isNotNegative();
      assertThat(read(cache, handle, id, ~id).get(16)).isEqualTo((byte) (fingerprint & 0x7F));
    });
    earlier.forEach((id, fingerprint) ->
        assertThat(cache.find(id % 3, id, ~id, fingerprint)).as("replaced reply of %d", id).isNegative());
    assertThat(cache.inserts()).isEqualTo(1_000);
  }
}
