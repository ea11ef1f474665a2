package io.kvstore.node.ops.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.node.ops.codec.SignedOperation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorKeysTest {
  @TempDir Path dir;

  @Test
  void savedKeysLoadBackAndSignWhatThePublicFileVerifies() throws Exception {
    OperatorKey key = OperatorKeys.generate("alice");
    OperatorKeys.save(key, dir.resolve("alice"), false);

    OperatorKey loaded = OperatorKeys.loadPrivate(dir.resolve("alice.key"));
    TrustedKey pub = OperatorKeys.loadPublic(dir.resolve("alice.pub"));
    assertThat(loaded.name()).isEqualTo("alice");
    assertThat(pub.name()).isEqualTo("alice");
    assertThat(loaded.fingerprint()).isEqualTo(key.fingerprint()).isEqualTo(pub.fingerprint());

    SignedOperation op = SignedOperation.builder(new java.util.Random(1), 1_000).script("true").sign(loaded);
    assertThat(op.signatureValidFor(pub.key())).isTrue();
    assertThat(op.signatureValidFor(OperatorKeys.generate("bob").publicKey())).isFalse();
  }

  @Test
  void filesHaveTheDocumentedShapeAndThePrivateOneIsMode0600() throws Exception {
    OperatorKey key = OperatorKeys.generate("ops-1");
    OperatorKeys.save(key, dir.resolve("ops-1"), false);

    List<String> priv = Files.readAllLines(dir.resolve("ops-1.key"));
    assertThat(priv).hasSize(2);
    assertThat(priv.get(0)).isEqualTo("# kvstore operator private key");
    assertThat(Base64.getDecoder().decode(priv.get(1))).hasSize(83); // PKCS#8 v2 with the public key
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ops-1.key"))))
        .isEqualTo("rw-------");
    String pubLine = Files.readString(dir.resolve("ops-1.pub")).trim();
    assertThat(pubLine).matches("kvstore-ed25519 [A-Za-z0-9+/=]+ ops-1");
    assertThat(Base64.getDecoder().decode(pubLine.split(" ")[1])).isEqualTo(key.publicKey().getEncoded());
    assertThat(dir.toFile().list()).containsExactlyInAnyOrder("ops-1.key", "ops-1.pub");
  }

  @Test
  void fingerprintIsTheFirstEightBytesOfSha256OfTheRawPublicKey() throws Exception {
    OperatorKey key = OperatorKeys.generate("k");
    byte[] der = key.publicKey().getEncoded();
    byte[] raw = Arrays.copyOfRange(der, der.length - 32, der.length);
    byte[] expected = Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(raw), 8);
    assertThat(OperatorKeys.fingerprint(key.publicKey())).isEqualTo(expected);
    assertThat(OperatorKeys.fingerprintHex(key.publicKey())).hasSize(16);
  }

  @Test
  void anExistingFileIsNotOverwrittenWithoutForce() throws Exception {
    OperatorKeys.save(OperatorKeys.generate("k"), dir.resolve("k"), false);
    byte[] before = Files.readAllBytes(dir.resolve("k.key"));
    byte[] beforePub = Files.readAllBytes(dir.resolve("k.pub"));

    assertThatThrownBy(() -> OperatorKeys.save(OperatorKeys.generate("k"), dir.resolve("k"), false))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("k.key exists; not overwritten (--force replaces it)");
    assertThat(Files.readAllBytes(dir.resolve("k.key"))).isEqualTo(before);
    assertThat(Files.readAllBytes(dir.resolve("k.pub"))).isEqualTo(beforePub);

    OperatorKey replacement = OperatorKeys.generate("k");
    OperatorKeys.save(replacement, dir.resolve("k"), true);
    assertThat(OperatorKeys.loadPrivate(dir.resolve("k.key")).fingerprint()).isEqualTo(replacement.fingerprint());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("k.key"))))
        .isEqualTo("rw-------");
  }

  @Test
  void onlyThePublicFileExistingAlsoStopsTheWrite() throws Exception {
    Files.writeString(dir.resolve("k.pub"), "mine");
    assertThatThrownBy(() -> OperatorKeys.save(OperatorKeys.generate("k"), dir.resolve("k"), false))
        .hasMessageContaining("k.pub exists");
    assertThat(dir.resolve("k.key")).doesNotExist();
    assertThat(Files.readString(dir.resolve("k.pub"))).isEqualTo("mine");
  }

  @Test
  void aMissingOrNonDirectoryParentIsAClearError() throws Exception {
    assertThatThrownBy(() -> OperatorKeys.save(OperatorKeys.generate("k"), dir.resolve("no/such/k"), false))
        .isInstanceOf(KeyFileException.class).hasMessageContaining("does not exist");
    Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> OperatorKeys.save(OperatorKeys.generate("k"), dir.resolve("file/k"), false))
        .isInstanceOf(KeyFileException.class).hasMessageContaining("is not a directory");
  }

  @Test
  void badNamesAreRefused() {
    assertThatThrownBy(() -> OperatorKeys.generate("a b")).hasMessageContaining("is not [A-Za-z0-9._-]");
    assertThatThrownBy(() -> OperatorKeys.generate("")).hasMessageContaining("is not [A-Za-z0-9._-]");
  }

  @Test
  void brokenKeyFilesAreRefusedWithWhatIsWrong() throws Exception {
    assertThatThrownBy(() -> OperatorKeys.loadPrivate(dir.resolve("none.key")))
        .isInstanceOf(KeyFileException.class).hasMessageContaining("does not exist");
    Path notKey = dir.resolve("x.key");
    Files.writeString(notKey, "hello\n");
    assertThatThrownBy(() -> OperatorKeys.loadPrivate(notKey)).hasMessageContaining("is not a kvstore operator private key");
    Files.writeString(notKey, OperatorKeys.PRIVATE_HEADER + "\n!!!\n");
    assertThatThrownBy(() -> OperatorKeys.loadPrivate(notKey)).hasMessageContaining("not base64");
    // the JDK's own PKCS#8 (v1, no public key) is not what keygen writes
    Files.writeString(notKey, OperatorKeys.PRIVATE_HEADER + "\n"
        + Base64.getEncoder().encodeToString(OperatorKeys.generate("x").privateKey().getEncoded()) + "\n");
    assertThatThrownBy(() -> OperatorKeys.loadPrivate(notKey)).hasMessageContaining("PKCS#8 v2");

    // a private key file whose public half belongs to another key
    OperatorKeys.save(OperatorKeys.generate("a"), dir.resolve("a"), false);
    byte[] der = Base64.getDecoder().decode(Files.readAllLines(dir.resolve("a.key")).get(1));
    byte[] other = OperatorKeys.generate("b").publicKey().getEncoded();
    System.arraycopy(other, other.length - 32, der, der.length - 32, 32);
    Files.writeString(dir.resolve("a.key"), OperatorKeys.PRIVATE_HEADER + "\n" + Base64.getEncoder().encodeToString(der) + "\n");
    assertThatThrownBy(() -> OperatorKeys.loadPrivate(dir.resolve("a.key"))).hasMessageContaining("does not match");
  }

  @Test
  void publicLinesMustBeEd25519InTheDocumentedForm() throws Exception {
    String good = OperatorKeys.publicLine(OperatorKeys.generate("k").publicKey(), "k");
    assertThat(OperatorKeys.parsePublic(good, "inline").name()).isEqualTo("k");
    assertThatThrownBy(() -> OperatorKeys.parsePublic("ssh-ed25519 AAAA k", "inline"))
        .hasMessageContaining("inline: expected 'kvstore-ed25519 BASE64 NAME'");
    assertThatThrownBy(() -> OperatorKeys.parsePublic(good.replace(" k", ""), "inline")).hasMessageContaining("expected");
    assertThatThrownBy(() -> OperatorKeys.parsePublic("kvstore-ed25519 %%% k", "inline")).hasMessageContaining("not base64");
    String rsa = Base64.getEncoder().encodeToString(
        KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic().getEncoded());
    assertThatThrownBy(() -> OperatorKeys.parsePublic("kvstore-ed25519 " + rsa + " k", "f.pub"))
        .hasMessageContaining("f.pub: not an Ed25519 public key");
    Path twoLines = dir.resolve("two.pub");
    Files.write(twoLines, (good + "\n" + good + "\n").getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> OperatorKeys.loadPublic(twoLines)).hasMessageContaining("expected one line");
  }

  @Test
  void aPrivateKeyOthersMayReadOrWriteIsRefusedWithTheFix() throws Exception {
    OperatorKeys.save(OperatorKeys.generate("loose"), dir.resolve("loose"), false);
    Path file = dir.resolve("loose.key");
    for (String mode : List.of("rw-r--r--", "rw-r-----", "rw----r--", "rw-----w-", "rw--w----")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
      assertThatThrownBy(() -> OperatorKeys.loadPrivate(file)).as(mode)
          .hasMessageContaining("accessible to others (mode " + mode + ")").hasMessageContaining("chmod 600 " + file);
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
    assertThat(OperatorKeys.loadPrivate(file).name()).isEqualTo("loose");
  }
}
