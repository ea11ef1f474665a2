package io.kvstore.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartRequestTest {
  @TempDir Path dir;

  @Test
  void noFileIsNoRequest() {
    assertThat(new RestartRequest(dir).pending()).isFalse();
  }

  @Test
  void anEmptyRequestRestartsWithTheSameJar() throws Exception {
    Files.writeString(dir.resolve(RestartRequest.FILE_NAME), "\n");
    RestartRequest r = new RestartRequest(dir);
    assertThat(r.pending()).isTrue();
    assertThat(r.jar()).isEmpty();
    r.clear();
    assertThat(r.pending()).isFalse();
  }

  @Test
  void aRequestNamesAnExistingAbsoluteJar() throws Exception {
    Path jar = Files.writeString(dir.resolve("next.jar"), "PK");
    Files.writeString(dir.resolve(RestartRequest.FILE_NAME), jar + "\n");
    assertThat(new RestartRequest(dir).jar()).contains(jar);
    assertThat(new RestartRequest(dir).next().config()).isEmpty();
  }

  @Test
  void aRequestNamesAConfigWithOrWithoutAJarInAnyOrder() throws Exception {
    Path jar = Files.writeString(dir.resolve("next.jar"), "PK");
    Path config = Files.writeString(dir.resolve("next.yaml"), "ops: {}\n");
    Path request = dir.resolve(RestartRequest.FILE_NAME);
    Files.writeString(request, config + "\n");
    assertThat(new RestartRequest(dir).next()).isEqualTo(new RestartRequest.Next(Optional.empty(), Optional.of(config)));
    Files.writeString(request, "\n" + config + "\n" + jar + "\n");
    assertThat(new RestartRequest(dir).next()).isEqualTo(new RestartRequest.Next(Optional.of(jar), Optional.of(config)));
  }

  @Test
  void twoOfAKindAreRefused() throws Exception {
    Path a = Files.writeString(dir.resolve("a.yml"), "");
    Path b = Files.writeString(dir.resolve("b.yaml"), "");
    Files.writeString(dir.resolve(RestartRequest.FILE_NAME), a + "\n" + b + "\n");
    assertThatThrownBy(() -> new RestartRequest(dir).next()).hasMessageContaining("names two configs");
  }

  @Test
  void aBadJarLineIsRefusedWithWhatIsWrong() throws Exception {
    Path request = dir.resolve(RestartRequest.FILE_NAME);
    Files.writeString(request, "relative/next.jar");
    assertThatThrownBy(() -> new RestartRequest(dir).jar()).hasMessageContaining("not an absolute path");
    Files.writeString(request, dir.resolve("next.txt").toString());
    assertThatThrownBy(() -> new RestartRequest(dir).jar()).hasMessageContaining("not an absolute path of a .jar, .yaml or .yml");
    Files.writeString(request, dir.resolve("missing.yaml").toString());
    assertThatThrownBy(() -> new RestartRequest(dir).next()).hasMessageContaining("not a readable file");
    Files.writeString(request, dir.resolve("missing.jar").toString());
    assertThatThrownBy(() -> new RestartRequest(dir).jar()).hasMessageContaining("not a readable file");
    Files.write(request, new byte[5000]);
    assertThatThrownBy(() -> new RestartRequest(dir).jar()).hasMessageContaining("over 4096 bytes");
    assertThat(Files.exists(request)).as("a refused request is left for the operator to see").isTrue();
  }
}
