package tw.eid.pki.launcher;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/eidpki}: one executable for the ceremonies, activation, the audit check and the demo.
 * Every error is one line on stderr and exit code 2; details go to the log, never a stack trace
 * to the custodian's screen.
 */
@Command(
        name = "eidpki",
        mixinStandardHelpOptions = true,
        version = "eidpki 0.1.0",
        description = "New eID PKI: key ceremonies, token activation, document signers, audit verification, demo.",
        subcommands = {
            CeremonyCommand.class,
            ActivateCommand.class,
            OperatorCommand.class,
            ServeCommand.class,
            CrlCommand.class,
            AuditCommand.class,
            DsCommand.class,
            CscaCommand.class,
            CvCommand.class,
            DemoCommand.class,
            MonitorCommand.class
        })
public final class EidPki implements Runnable {

    /** Exit code for bad input or a refused act (one clear line on stderr). */
    public static final int EXIT_USAGE = 2;

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /**
     * Jersey warns through java.util.logging, at every RA start, that each resource instance "will be
     * ignored" as a provider (it is registered as a resource, which is what it is): noise on the
     * demo's and serve's output (issue 20). Held here so that the level is not lost with the logger.
     */
    private static final Logger JERSEY_PROVIDERS = Logger.getLogger("org.glassfish.jersey.internal.inject.Providers");

    public static void main(String[] args) {
        JERSEY_PROVIDERS.setLevel(Level.SEVERE);
        System.exit(execute(args));
    }

    static int execute(String... args) {
        CommandLine cl = new CommandLine(new EidPki());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("eidpki: " + OneLine.of(e));
            LoggerFactory.getLogger(EidPki.class).debug("command failed", e);
            return EXIT_USAGE;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("eidpki: " + ServeCommand.refusal(e));
            return EXIT_USAGE;
        });
        return cl.execute(args);
    }
}
