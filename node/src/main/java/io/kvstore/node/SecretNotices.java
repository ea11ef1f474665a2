package io.kvstore.node;

import io.kvstore.node.config.ClusterSecret;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a node tells its operator about its cluster secret: how others join, or that it is open. */
final class SecretNotices {
  private static final Logger log = LoggerFactory.getLogger(SecretNotices.class);
  static final long INSECURE_REMINDER_SECONDS = 60;

  private SecretNotices() {}

  static void atStart(ClusterSecret secret, InetSocketAddress advertised) {
    String self = advertised.getAddress().getHostAddress() + ":" + advertised.getPort();
    switch (secret.source()) {
      case INSECURE -> insecureReminder();
      case CREATED -> log.info(
          "created a cluster secret in {} (readable by this user only). Other nodes join with:"
              + " ./kvstore node --join {} --cluster-secret-file {}",
          secret.file(), self, secret.file());
      case DATA_DIR, FILE -> {
        log.info(
            "cluster secret from {}; other nodes join with: ./kvstore node --join {}"
                + " --cluster-secret-file {}", secret.file(), self, secret.file());
        if (ClusterSecret.readableByOthers(secret.file())) {
          log.warn("the cluster secret file {} is readable by other users; chmod 600 it", secret.file());
        }
      }
      case EPHEMERAL -> log.info(
          "--memory and no cluster secret: using a random one known to this process only, so no"
              + " other node can join it. To form a cluster give every node the same"
              + " --cluster-secret-file FILE (create it with: openssl rand -hex 32 > FILE;"
              + " chmod 600 FILE)");
      case CONFIG, ENVIRONMENT -> log.info(
          "cluster secret from the {}; other nodes join with --join {} and the same secret",
          secret.source() == ClusterSecret.Source.CONFIG ? "config file" : ClusterSecret.ENV, self);
    }
  }

  static void insecureReminder() {
    log.warn(
        "INSECURE: started with --insecure, so internal datagrams are not authenticated: anyone"
            + " who can send UDP to this port can change this node's membership and routing."
            + " Remove --insecure to require the cluster secret.");
  }
}
