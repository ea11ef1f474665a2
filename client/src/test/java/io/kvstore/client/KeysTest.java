package io.kvstore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeysTest {
  private static final String ABC_SHA256 =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void sha256HashesTheUtf8Text() {
    assertThat(HexFormat.of().formatHex(Keys.sha256("abc"))).isEqualTo(ABC_SHA256);
  }

  @Test
  void fromHexAcceptsExactly64HexDigitsInEitherCase() {
    assertThat(Keys.fromHex(ABC_SHA256.toUpperCase())).isEqualTo(Keys.sha256("abc"));
  }

  @Test
  void fromHexNamesWhatIsWrong() {
    assertThatThrownBy(() -> Keys.fromHex("abcd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly 64 hex digits")
        .hasMessageContaining("got 4 characters");
    assertThatThrownBy(() -> Keys.fromHex("g" + ABC_SHA256.substring(1)))
        .hasMessageContaining("found 'g' at position 0");
  }
}
