package tw.eid.pki.launcher;

import picocli.CommandLine.Option;

/**
 * The custodians of an act of an offline key (a root's CRL, the CSCA's acts): {@code eid-offline}
 * unless {@code --token-label} names another.
 */
final class OfflineCustodianOptions extends CustodianOptions {
    @Option(names = "--token-label", paramLabel = "LABEL",
            description = "the token to activate (default: " + OFFLINE + ", the offline token)")
    @Override
    void givenTokenLabel(String label) {
        super.givenTokenLabel(label);
    }

    @Override
    String defaultTokenLabel() {
        return OFFLINE;
    }
}
