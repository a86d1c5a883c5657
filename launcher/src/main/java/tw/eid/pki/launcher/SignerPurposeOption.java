package tw.eid.pki.launcher;

import java.time.Clock;
import picocli.CommandLine.Option;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.ca.document.SignerPurpose;
import tw.eid.pki.ca.store.Database;

/**
 * {@code --purpose} of the {@code ds} commands: which pool of the {@code document_signer} table a
 * command acts on, the Document Signers (SODs, the default) or the seal signers of the temporary ID
 * certificates (issue 24). Both pools follow the same custodian rules, ceremony, usage period and
 * rotation.
 */
final class SignerPurposeOption {
    @Option(
            names = "--purpose",
            paramLabel = "PURPOSE",
            description = "sod: Document Signers (SODs); seal: seal signers of temporary ID certificates"
                    + " (default: ${DEFAULT-VALUE})")
    String purpose = "sod";

    /** The purpose named, refused (one line, exit 2) before the store or a token is opened. */
    SignerPurpose purpose() {
        return switch (purpose) {
            case "sod" -> SignerPurpose.SOD;
            case "seal" -> SignerPurpose.SEAL;
            default -> throw new IllegalArgumentException("--purpose must be sod or seal, not '" + purpose + "'");
        };
    }

    /** "DS" or "seal signer", for the commands' output. */
    String noun() {
        return purpose() == SignerPurpose.SOD ? "DS" : "seal signer";
    }

    /** The pool of this purpose on {@code database}. */
    DocumentSignerPool pool(Database database, Clock clock) {
        return new DocumentSignerPool(
                database,
                AuditLedger.hashChained(clock),
                clock,
                DocumentSignerPool.DEFAULT_LOW_WATER_MARK,
                DocumentSignerPool.Settings.defaults(),
                System::nanoTime,
                purpose());
    }
}
