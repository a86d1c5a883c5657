package tw.eid.pki.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import picocli.CommandLine.Option;
import tw.eid.pki.hsm.Token;

/**
 * The online token's custodians in an act that also opens the offline token ({@code cv dv
 * certify}: the DV key is made in the online token and certified by the CVCA key in the offline
 * one). The offline token keeps the usual {@link OfflineCustodianOptions} ({@code --custodian},
 * {@code --token-label}, {@code --shares}); this group's options carry an {@code --online-} prefix,
 * so the two sets of custodians can never be confused, and share the offline group's {@code
 * --library}.
 */
final class OnlineTokenCustodians {
    @Option(
            names = "--online-token-label",
            paramLabel = "LABEL",
            description = "the online token to activate as well (default: ${DEFAULT-VALUE})")
    String tokenLabel = CustodianOptions.ONLINE;

    @Option(
            names = "--online-custodian",
            required = true,
            paramLabel = "NAME[:PASSFILE]",
            converter = CustodianOptions.Present.class,
            description = "a custodian of the online token present (k of them); passphrase as for --custodian")
    List<String> custodians;

    @Option(
            names = "--online-shares",
            paramLabel = "DIR",
            converter = PathOptions.ExistingDirectory.class,
            description = "the online token's shares directory (default: DATA/custody)")
    Path shares;

    /** The online custodians, for the audit trail beside the offline group's. */
    String actorPart() {
        return "online:" + CustodianOptions.names(custodians);
    }

    Token open(Path library, Path dataDir, Clock clock) throws IOException {
        return CustodianOptions.open(library, tokenLabel, custodians, shares, dataDir, clock);
    }
}
