package io.kvstore.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logging set up in code rather than from logback.xml: parsing XML at start-up cost a node a
 * few hundred milliseconds. One structured event per line on stderr (stdout stays for command
 * output); the level comes from KVSTORE_LOG_LEVEL (default INFO).
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
  @Override
  public ExecutionStatus configure(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(
        "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} level=%level thread=%thread logger=%logger{0} msg=\"%msg\"%n%ex");
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    String level = System.getenv("KVSTORE_LOG_LEVEL");
    root.setLevel(Level.toLevel(level, Level.INFO));
    root.addAppender(stderr);
    for (String noisy : new String[] {"io.netty", "org.eclipse.jetty", "io.javalin"}) {
      context.getLogger(noisy).setLevel(Level.WARN);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
