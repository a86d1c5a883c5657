package tw.eid.pki.launcher;

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
            DemoCommand.class
        })
public final class EidPki implements Runnable {

    /** Exit code for bad input or a refused act (one clear line on stderr). */
    public static final int EXIT_USAGE = 2;

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
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
