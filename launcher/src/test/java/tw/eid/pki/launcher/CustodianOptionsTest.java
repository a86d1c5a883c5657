package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Which token the custodians activate: {@code --token-label} when given, whatever the command,
 * else the command's default. The CRL, CSCA and DS commands default to the offline token; they
 * used to rewrite an explicit {@code --token-label eid-online} to {@code eid-offline} as well.
 */
class CustodianOptionsTest {

    @Command(name = "act")
    static final class Act {
        @Mixin
        CustodianOptions custodians;
    }

    private static CustodianOptions parse(String... args) {
        Act act = new Act();
        new CommandLine(act).parseArgs(args);
        return act.custodians;
    }

    @Test
    void anExplicitLabelIsHonouredByACommandThatDefaultsToTheOfflineToken() {
        assertThat(parse("--custodian", "alice", "--token-label", "eid-online").offlineByDefault().tokenLabel())
                .isEqualTo("eid-online");
        assertThat(parse("--custodian", "alice", "--token-label", "csca-2031").offlineByDefault().tokenLabel())
                .isEqualTo("csca-2031");
    }

    @Test
    void withoutALabelEachCommandGetsItsDefault() {
        assertThat(parse("--custodian", "alice").tokenLabel()).isEqualTo("eid-online");
        assertThat(parse("--custodian", "alice").offlineByDefault().tokenLabel()).isEqualTo("eid-offline");
        assertThat(parse("--custodian", "alice", "--token-label", "eid-offline").tokenLabel()).isEqualTo("eid-offline");
    }

    @Test
    void everyCommandWithAnOfflineKeyAsksForTheOfflineDefaultRatherThanRewritingTheOption() throws Exception {
        // The old rewrite compared the option's value with "eid-online"; no command may do that again.
        for (Class<?> command : new Class<?>[] {CrlCommand.class, CscaCommand.class, DsCommand.class}) {
            String source = Files.readString(Path.of("src/main/java/tw/eid/pki/launcher",
                    command.getSimpleName() + ".java"));
            assertThat(source).as(command.getSimpleName()).doesNotContain("custodians.tokenLabel =")
                    .contains("custodians.offlineByDefault()");
        }
    }
}
