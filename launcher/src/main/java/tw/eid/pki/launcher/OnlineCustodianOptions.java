package tw.eid.pki.launcher;

/** The custodians of an act with the online token: {@code eid-online} unless {@code --token-label} names another. */
final class OnlineCustodianOptions extends CustodianOptions {
    OnlineCustodianOptions() {
        super(ONLINE);
    }
}
