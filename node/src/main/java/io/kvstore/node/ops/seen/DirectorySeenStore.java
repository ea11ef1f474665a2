package io.kvstore.node.ops.seen;

import io.kvstore.node.ops.codec.OperationCodec;
import io.kvstore.node.ops.codec.SignedOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay memory on disk: DATA_DIR/ops/seen/ID.op, one file per accepted operation holding
 * its signed bytes, written to a temporary, fsynced and renamed (then the directory fsynced), so
 * that after a crash a file is either whole or absent. The IO adapter behind {@link SeenStore}.
 */
public final class DirectorySeenStore implements SeenStore {
  private static final Logger log = LoggerFactory.getLogger(DirectorySeenStore.class);
  private static final Pattern NAME = Pattern.compile("[0-9a-f]{32}\\.op");

  private final Path dir;

  /** Opens (creating) {@code dir}. */
  public DirectorySeenStore(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  @Override
  public List<Stored> load() {
    List<Stored> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.deleteIfExists(file); // a write cut short: the operation was never accepted
          continue;
        }
        if (!NAME.matcher(name).matches()) {
          log.warn("ignoring {} in the operations' replay memory: not an operation file", file);
          continue;
        }
        byte[] id = HexFormat.of().parseHex(name.substring(0, 32));
        byte[] bytes = null;
        try {
          if (Files.size(file) <= OperationCodec.MAX_BYTES) {
            bytes = Files.readAllBytes(file);
          }
        } catch (IOException e) {
          log.warn("cannot read {}: its id stays remembered", file, e);
        }
        out.add(new Stored(id, bytes));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the operations' replay memory " + dir, e);
    }
    return out;
  }

  @Override
  public void add(SignedOperation op) {
    Path target = dir.resolve(op.idHex() + ".op");
    Path tmp = dir.resolve(op.idHex() + ".op.tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(op.encoded());
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remember " + op.idHex() + " in " + dir, e);
    }
  }

  @Override
  public void remove(byte[] id) {
    try {
      Files.deleteIfExists(dir.resolve(HexFormat.of().formatHex(id) + ".op"));
    } catch (IOException e) {
      log.warn("cannot delete expired operation {} from {}", HexFormat.of().formatHex(id), dir, e);
    }
  }
}
