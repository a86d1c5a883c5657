package tw.eid.pki.launcher;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/**
 * The log format of the serving processes (docs/operations.md, "Logs"): {@code text}, one line per
 * event as logback.xml writes it, or {@code json}, one JSON object per line from Logback's own
 * {@link JsonEncoder} (timestamp, level, thread, logger, the MDC with the request id, the formatted
 * message, any throwable). Both go to stderr; the commands' own announcements ("Ready: ...") stay
 * plain lines on stdout.
 */
final class Logs {
    /** The MDC key of the request id ({@link RequestIds}). */
    static final String REQUEST_ID = "requestId";

    /** {@code --log-format}. */
    enum Format {
        text,
        json
    }

    private Logs() {}

    /** Switches the stderr appender of logback.xml to {@code format}; text leaves it as it is. */
    static void use(Format format) {
        if (format != Format.json || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (!(root.getAppender("STDERR") instanceof ConsoleAppender<ILoggingEvent> appender)) {
            return;
        }
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithKVPList(false);
        // The formatted message only: the pattern and its arguments apart would say the same twice.
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        appender.stop();
        appender.setEncoder(encoder);
        appender.start();
    }
}
