package tw.eid.pki.launcher;

import picocli.CommandLine.Option;

/** The custodians of an act with the online token: {@code eid-online} unless {@code --token-label} names another. */
final class OnlineCustodianOptions extends CustodianOptions {
    @Option(names = "--token-label", paramLabel = "LABEL",
            description = "the token to activate (default: " + ONLINE + ", the online token)")
    @Override
    void givenTokenLabel(String label) {
        super.givenTokenLabel(label);
    }

    @Override
    String defaultTokenLabel() {
        return ONLINE;
    }
}
