package io.kvstore.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.storage.VersionedRecord;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
  private static byte[] key(Random random) {
    byte[] k = new byte[32];
    random.nextBytes(k);
    return k;
  }

  private static List<Object[]> records(int count, long seed) {
    Random random = new Random(seed);
    List<Object[]> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] value = new byte[random.nextInt(50)];
      random.nextBytes(value);
      records.add(new Object[] {key(random), i % 7 == 0
          ? VersionedRecord.tombstone(1000L + i) : VersionedRecord.live(1000L + i, value)});
    }
    return records;
  }

  private static MerkleTree tree(List<Object[]> records) {
    MerkleTree tree = new MerkleTree();
    records.forEach(r -> tree.add((byte[]) r[0], (VersionedRecord) r[1]));
    return tree;
  }

  @Test
  void theSameRecordsInAnyOrderGiveTheSameRoot() {
    List<Object[]> records = records(2_000, 1);
    List<Object[]> shuffled = new ArrayList<>(records);
    Collections.shuffle(shuffled, new Random(2));
    assertThat(tree(shuffled).root()).isEqualTo(tree(records).root());
    assertThat(tree(records).records()).isEqualTo(2_000);
  }

  @Test
  void anyChangeOfVersionChangesTheRootAndExactlyItsLeaf() {
    List<Object[]> records = records(2_000, 3);
    MerkleTree original = tree(records);
    byte[] key = (byte[]) records.get(10)[0];
    VersionedRecord r = (VersionedRecord) records.get(10)[1];
    List<VersionedRecord> variants = List.of(
        new VersionedRecord(r.timestamp() + 1, r.tombstone(), r.value()),
        VersionedRecord.tombstone(r.timestamp()),
        VersionedRecord.live(r.timestamp(), new byte[] {1, 2, 3}));
    for (VersionedRecord variant : variants) {
      if (variant.equals(r)) {
        continue;
      }
      List<Object[]> changed = new ArrayList<>(records);
      changed.set(10, new Object[] {key, variant});
      MerkleTree other = tree(changed);
      assertThat(other.root()).isNotEqualTo(original.root());
      byte[][] groups = new byte[MerkleTree.GROUPS][];
      for (int g = 0; g < MerkleTree.GROUPS; g++) {
        groups[g] = other.groupHash(g);
      }
      int[] differing = original.differingGroups(groups);
      assertThat(differing).containsExactly(MerkleTree.leafOf(key) / MerkleTree.GROUP_SIZE);
      BitSet leaves = new BitSet();
      assertThat(original.markDifferingLeaves(differing[0], other.groupLeaves(differing[0]), leaves)).isEqualTo(1);
      assertThat(leaves.nextSetBit(0)).isEqualTo(MerkleTree.leafOf(key));
    }
  }

  @Test
  void aMissingRecordIsFoundInItsLeaf() {
    List<Object[]> records = records(500, 4);
    MerkleTree full = tree(records);
    MerkleTree lacking = tree(records.subList(1, records.size()));
    assertThat(lacking.root()).isNotEqualTo(full.root());
    int leaf = MerkleTree.leafOf((byte[]) records.get(0)[0]);
    assertThat(lacking.leafHash(leaf)).isNotEqualTo(full.leafHash(leaf));
    assertThat(new MerkleTree().root()).isEqualTo(new MerkleTree().root());
  }
}
