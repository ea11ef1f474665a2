package io.kvstore.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the LIST_MEMBERS page parser, which the status server and {@code ./kvstore members} run
 * on a node's reply (or a forged one): it returns entries with an id, an address and a state
 * that fit in the page, or throws {@link KvException}; anything else escapes as a failure. CI
 * runs the seeds in {@code src/test/resources/io/kvstore/client/MemberListFuzzTestInputs}.
 */
class MemberListFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void parsesAPageThatFitsOrRejectsIt(byte[] body) {
    MemberList list;
    try {
      list = MemberList.parse(body);
    } catch (KvException expected) {
      return;
    }
    // Each entry takes at least 1 + 8 + 1 + 1 + 2 bytes after the 6-byte header.
    assertThat(6 + 13L * list.members().size()).isLessThanOrEqualTo(body.length);
    for (MemberList.Entry e : list.members()) {
      assertThat(e.id()).isNotNull();
      assertThat(e.address()).isNotNull();
      assertThat(e.state()).isNotEmpty();
    }
  }
}
