package tw.eid.pki.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Help;

/**
 * The command reference, {@code docs/cli.md}: picocli's help of {@code bin/eidpki} and of every
 * command and subcommand, in declaration order. The text is fixed by the code alone (no ANSI
 * colours, a fixed width, no terminal detection), so {@code CliReferenceTest} can compare the
 * committed file with what the code would print.
 *
 * <p>Regenerate it from the repository root with {@link #REGENERATE}.
 */
public final class CliReference {
    /** The one command that rewrites docs/cli.md from the code. */
    public static final String REGENERATE = "./mvnw -B -ntp -q -pl launcher -am test -Dtest=CliReferenceTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Deidpki.cli-reference.write=true";

    /** Width of the usage text: fixed, never the terminal's. */
    static final int WIDTH = 100;

    private CliReference() {}

    /** The whole of docs/cli.md, lines ending in '\n'. */
    public static String markdown() {
        List<CommandLine> commands = new ArrayList<>();
        collect(configured(new CommandLine(new EidPki())), commands);
        StringBuilder md = new StringBuilder();
        md.append("# Command reference: `bin/eidpki`\n\n");
        md.append("Generated from the picocli help of `tw.eid.pki.launcher.EidPki` by\n");
        md.append("`tw.eid.pki.launcher.CliReference`; do not edit by hand. `CliReferenceTest` (launcher) fails the\n");
        md.append("build when this file differs from the code. Regenerate it from the repository root with:\n\n");
        md.append("```sh\n").append(REGENERATE).append("\n```\n\n");
        md.append("Every command prints the same text for `--help`. Errors are one line on stderr, exit code 2.\n");
        md.append("How the commands fit together: [operations.md](operations.md).\n\n");
        for (CommandLine c : commands) {
            String name = c.getCommandSpec().qualifiedName();
            md.append("- [`").append(name).append("`](#").append(anchor(name)).append(")\n");
        }
        for (CommandLine c : commands) {
            md.append("\n## ").append(c.getCommandSpec().qualifiedName()).append("\n\n```text\n");
            String usage =
                    c.getUsageMessage(Help.defaultColorScheme(Help.Ansi.OFF)).replace("\r\n", "\n");
            for (String line : usage.split("\n", -1)) {
                md.append(line.stripTrailing()).append('\n');
            }
            while (md.charAt(md.length() - 2) == '\n') {
                md.setLength(md.length() - 1);
            }
            md.append("```\n");
        }
        return md.toString();
    }

    /** GitHub's anchor of a heading made only of letters, digits, spaces and '-'. */
    static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    private static CommandLine configured(CommandLine cl) {
        cl.setUsageHelpAutoWidth(false);
        cl.setUsageHelpWidth(WIDTH);
        return cl;
    }

    private static void collect(CommandLine cl, List<CommandLine> into) {
        into.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!into.contains(sub)) {
                collect(sub, into);
            }
        }
    }

    /** Writes docs/cli.md under the directory given (the repository root), or prints it. */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.out.print(markdown());
            return;
        }
        Files.writeString(Path.of(args[0]).resolve("docs").resolve("cli.md"), markdown(), StandardCharsets.UTF_8);
    }
}
