package io.kvstore.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordCodecTest {

  @Test
  void encodesVersionFlagsBigEndianTimestampThenValue() {
    byte[] encoded = RecordCodec.encode(VersionedRecord.live(0x0102030405060708L, new byte[] {9}));

    assertThat(HexFormat.of().formatHex(encoded)).isEqualTo("0100" + "0102030405060708" + "09");
  }

  @Test
  void encodesTombstoneAsFlagWithoutValue() {
    byte[] encoded = RecordCodec.encode(VersionedRecord.tombstone(1));

    assertThat(HexFormat.of().formatHex(encoded)).isEqualTo("0101" + "0000000000000001");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 1L << 48, Long.MAX_VALUE, -1, Long.MIN_VALUE})
  void roundTripsAnyTimestamp(long timestamp) {
    VersionedRecord live = VersionedRecord.live(timestamp, new byte[] {1, 2, 3});
    VersionedRecord tombstone = VersionedRecord.tombstone(timestamp);

    assertThat(RecordCodec.decode(RecordCodec.encode(live))).isEqualTo(live);
    assertThat(RecordCodec.decode(RecordCodec.encode(tombstone))).isEqualTo(tombstone);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 100, 15_000})
  void roundTripsValuesOfAnySize(int size) {
    byte[] value = new byte[size];
    for (int i = 0; i < size; i++) {
      value[i] = (byte) (i * 7);
    }
    VersionedRecord record = VersionedRecord.live(42, value);

    VersionedRecord decoded = RecordCodec.decode(RecordCodec.encode(record));

    assertThat(decoded).isEqualTo(record);
    assertThat(decoded.tombstone()).isFalse();
  }

  @Test
  void headerIsReadFromAPrefixWithoutTheValue() {
    byte[] encoded = RecordCodec.encode(VersionedRecord.live(7, new byte[500]));
    byte[] prefix = Arrays.copyOf(encoded, RecordCodec.HEADER_LENGTH);

    assertThat(RecordCodec.decodeHeader(prefix, encoded.length))
        .isEqualTo(new RecordHeader(7, false, 500));
  }

  @Test
  void encodingATombstoneWithAValueIsABug() {
    assertThatThrownBy(() -> RecordCodec.encode(new VersionedRecord(1, true, new byte[1])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tombstone");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 9})
  void truncatedRecordsAreRejected(int length) {
    byte[] truncated = Arrays.copyOf(RecordCodec.encode(VersionedRecord.tombstone(1)), length);

    assertThatThrownBy(() -> RecordCodec.decode(truncated))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("truncated")
        .hasMessageContaining(truncated.length + " bytes");
  }

  @Test
  void nullIsRejected() {
    assertThatThrownBy(() -> RecordCodec.decode(null))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("null");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 2, 0xFF})
  void unknownFormatVersionsAreRejected(int version) {
    byte[] encoded = RecordCodec.encode(VersionedRecord.live(1, new byte[] {1}));
    encoded[0] = (byte) version;

    assertThatThrownBy(() -> RecordCodec.decode(encoded))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("format version " + version);
  }

  @Test
  void unknownFlagsAreRejected() {
    byte[] encoded = RecordCodec.encode(VersionedRecord.live(1, new byte[] {1}));
    encoded[1] = 0x02;

    assertThatThrownBy(() -> RecordCodec.decode(encoded))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("unknown flags 0x2");
  }

  @Test
  void tombstoneCarryingValueBytesIsRejected() {
    byte[] encoded = RecordCodec.encode(VersionedRecord.live(1, new byte[] {1, 2}));
    encoded[1] = 0x01;

    assertThatThrownBy(() -> RecordCodec.decode(encoded))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("tombstone carries 2 value bytes");
  }

  @Test
  void liveValueLengthIsTheValuesLengthOrMinusOneForATombstone() {
    assertThat(RecordCodec.liveValueLength(RecordCodec.encode(VersionedRecord.live(1, new byte[7]))))
        .isEqualTo(7);
    assertThat(RecordCodec.liveValueLength(RecordCodec.encode(VersionedRecord.live(1, new byte[0]))))
        .isZero();
    assertThat(RecordCodec.liveValueLength(RecordCodec.encode(VersionedRecord.tombstone(1))))
        .isEqualTo(-1);
  }

  @Test
  void liveValueLengthRejectsWhatDecodeRejects() {
    byte[] truncated = new byte[9];
    byte[] version = RecordCodec.encode(VersionedRecord.live(1, new byte[] {1}));
    version[0] = 2;
    byte[] flags = RecordCodec.encode(VersionedRecord.live(1, new byte[] {1}));
    flags[1] = 0x02;
    byte[] tombstoneWithValue = RecordCodec.encode(VersionedRecord.live(1, new byte[] {1, 2}));
    tombstoneWithValue[1] = 0x01;

    assertThatThrownBy(() -> RecordCodec.liveValueLength(truncated))
        .isInstanceOf(CorruptRecordException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> RecordCodec.liveValueLength(version))
        .isInstanceOf(CorruptRecordException.class).hasMessageContaining("format version 2");
    assertThatThrownBy(() -> RecordCodec.liveValueLength(flags))
        .isInstanceOf(CorruptRecordException.class).hasMessageContaining("unknown flags 0x2");
    assertThatThrownBy(() -> RecordCodec.liveValueLength(tombstoneWithValue))
        .isInstanceOf(CorruptRecordException.class).hasMessageContaining("tombstone carries 2");
  }
}
