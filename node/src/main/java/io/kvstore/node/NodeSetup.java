package io.kvstore.node;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.config.ConfigException;
import io.kvstore.node.config.NodeConfig;
import io.kvstore.node.ops.files.DiskRoom;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a node derives from its configuration before anything of it starts: its data directory,
 * its id, the address it advertises and its data disk as file push sees it. A bad setting is a
 * {@link ConfigException} that names it, so {@code kvstore node} reports it and exits.
 */
final class NodeSetup {
  private NodeSetup() {}

  /** The data disk as file push sees it: a push must leave min-free-disk free, as PUT must. */
  static DiskRoom fileDisk(NodeConfig config) {
    try {
      return DiskRoom.of(config.dataDirPath(), config.minFreeDiskValue());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the free space of " + config.dataDirPath(), e);
    }
  }

  /**
   * The node's id: configured, else kept in the data directory (created on first start), so a
   * restarted node is the same member and owns the same keys. In-memory nodes get a fresh one.
   */
  static NodeId nodeId(NodeConfig config) {
    if (config.nodeId != null) {
      return new NodeId(config.nodeId);
    }
    String generated = "node-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    if (config.memory) {
      return new NodeId(generated);
    }
    Path file = config.dataDirPath().resolve("node-id");
    try {
      if (Files.exists(file)) {
        return new NodeId(Files.readString(file, StandardCharsets.UTF_8).trim());
      }
      Files.writeString(file, generated + "\n", StandardCharsets.UTF_8);
      return new NodeId(generated);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("cannot read or create the node id file " + file + ": " + e.getMessage());
    }
  }

  /** Where other nodes reach us: the bind address, or this host's address when bound to all. */
  static InetSocketAddress advertisedAddress(NodeConfig config) {
    try {
      InetAddress bind = InetAddress.getByName(config.bind);
      InetAddress advertised = bind.isAnyLocalAddress() ? InetAddress.getLocalHost() : bind;
      return new InetSocketAddress(advertised, config.port);
    } catch (UnknownHostException e) {
      throw new ConfigException("invalid 'bind': cannot resolve " + config.bind);
    }
  }

  /** The data directory, created if missing and checked writable. */
  static Path dataDir(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ConfigException(
          "invalid 'data-dir': cannot create " + dir.toAbsolutePath() + " (" + e + ")");
    }
    if (!Files.isWritable(dir)) {
      throw new ConfigException("invalid 'data-dir': " + dir.toAbsolutePath() + " is not writable");
    }
    return dir;
  }
}
