package tw.eid.pki.launcher;

/**
 * The custodians of an act of an offline key (a root's CRL, the CSCA's acts): {@code eid-offline}
 * unless {@code --token-label} names another.
 */
final class OfflineCustodianOptions extends CustodianOptions {
    OfflineCustodianOptions() {
        super(OFFLINE);
    }
}
