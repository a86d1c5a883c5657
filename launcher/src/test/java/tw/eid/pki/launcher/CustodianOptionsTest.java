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
 * else the default of the command's group ({@link OnlineCustodianOptions} or
 * {@link OfflineCustodianOptions}), which its help names. The CRL, CSCA and DS commands with an
 * offline key use the offline group; they used to rewrite an explicit {@code --token-label
 * eid-online} to {@code eid-offline} as well.
 */
class CustodianOptionsTest {

    @Command(name = "act")
    static final class OnlineAct {
        @Mixin
        OnlineCustodianOptions custodians;
    }

    @Command(name = "act")
    static final class OfflineAct {
        @Mixin
        OfflineCustodianOptions custodians;
    }

    private static CustodianOptions online(String... args) {
        OnlineAct act = new OnlineAct();
        new CommandLine(act).parseArgs(args);
        return act.custodians;
    }

    private static CustodianOptions offline(String... args) {
        OfflineAct act = new OfflineAct();
        new CommandLine(act).parseArgs(args);
        return act.custodians;
    }

    @Test
    void anExplicitLabelIsHonouredByACommandThatDefaultsToTheOfflineToken() {
        assertThat(offline("--custodian", "alice", "--token-label", "eid-online")
                        .tokenLabel())
                .isEqualTo("eid-online");
        assertThat(offline("--custodian", "alice", "--token-label", "csca-2031").tokenLabel())
                .isEqualTo("csca-2031");
    }

    @Test
    void withoutALabelEachCommandGetsItsDefault() {
        assertThat(online("--custodian", "alice").tokenLabel()).isEqualTo("eid-online");
        assertThat(offline("--custodian", "alice").tokenLabel()).isEqualTo("eid-offline");
        assertThat(online("--custodian", "alice", "--token-label", "eid-offline")
                        .tokenLabel())
                .isEqualTo("eid-offline");
    }

    @Test
    void eachGroupsHelpNamesItsDefaultToken() {
        assertThat(new CommandLine(new OnlineAct()).setUsageHelpWidth(200).getUsageMessage())
                .contains("the token to activate (default: eid-online)")
                .doesNotContain("eid-offline");
        assertThat(new CommandLine(new OfflineAct()).setUsageHelpWidth(200).getUsageMessage())
                .contains("the token to activate (default: eid-offline)")
                .doesNotContain("eid-online");
    }

    @Test
    void everyCommandWithAnOfflineKeyUsesTheOfflineGroupRatherThanRewritingTheOption() throws Exception {
        // The old rewrite compared the option's value with "eid-online"; no command may do that again.
        for (Class<?> command : new Class<?>[] {CrlCommand.class, CscaCommand.class, DsCommand.class}) {
            String source =
                    Files.readString(Path.of("src/main/java/tw/eid/pki/launcher", command.getSimpleName() + ".java"));
            assertThat(source)
                    .as(command.getSimpleName())
                    .doesNotContain("custodians.tokenLabel =")
                    .contains("OfflineCustodianOptions custodians;");
        }
    }
}
