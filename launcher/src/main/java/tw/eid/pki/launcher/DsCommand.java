package tw.eid.pki.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.document.DocumentSignerCeremony;
import tw.eid.pki.ca.document.DocumentSignerPool;
import tw.eid.pki.ca.document.DocumentSignerRetirement;
import tw.eid.pki.ca.document.SignerPurpose;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.Token;

/**
 * The Document Signer pool (issue 6): keys generated ahead in the online token, certified by the
 * CSCA at a ceremony in batches, the pool's state, a forced switch to the next DS, and the
 * destruction of the keys of DSs that can never sign again.
 */
@Command(
        name = "ds",
        mixinStandardHelpOptions = true,
        description = "Document Signer pool (and, with --purpose seal, the seal signers of temporary ID certificates):"
                + " generate keys ahead, certify a batch with the CSCA, status, rotate, revoke, retire"
                + " (destroy the keys of ended DSs).",
        subcommands = {
            DsCommand.Generate.class,
            DsCommand.Certify.class,
            DsCommand.Status.class,
            DsCommand.Rotate.class,
            DsCommand.Revoke.class,
            DsCommand.Retire.class
        })
final class DsCommand implements Runnable {
    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    /** --count of generate and certify, refused before the store or a token is opened. */
    static void checkCount(int count) {
        if (count < 1 || count > 100) {
            throw new IllegalArgumentException("--count must be 1 to 100, not " + count);
        }
    }

    /** A certificate serial as the store and {@code ds status} write it, refused before anything is opened. */
    static void checkSerial(String serial) {
        if (!serial.matches("[0-9a-f]{1,40}")) {
            throw new IllegalArgumentException(
                    "--serial must be the certificate's serial in lower-case hex, not '" + serial + "'");
        }
    }

    static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END CERTIFICATE-----\n";
    }

    @Command(
            name = "generate",
            mixinStandardHelpOptions = true,
            description = {
                "Generate DS keys in the online token (sensitive, not extractable), ahead of need; a CSCA",
                "ceremony (ds certify) certifies them. Needs k custodians of the online token.",
                "With --purpose seal: seal signer keys (ECDSA P-256 only) for temporary ID certificates."
            })
    static final class Generate implements Callable<Integer> {
        @Option(names = "--count", required = true, paramLabel = "N", description = "how many keys (1-100)")
        int count;

        @Option(
                names = "--algorithm",
                paramLabel = "ALG",
                description = "ec-p256 or ec-p384 (default: ${DEFAULT-VALUE})")
        String algorithm = "ec-p256";

        @Option(
                names = "--max-documents",
                paramLabel = "N",
                description = "documents each DS may sign (default: ${DEFAULT-VALUE})")
        long maxDocuments = DocumentSignerPool.DEFAULT_MAX_DOCUMENTS;

        @Mixin
        SignerPurposeOption purpose;

        @Mixin
        OnlineCustodianOptions custodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            checkCount(count);
            KeyAlgorithm keyAlgorithm = KeyAlgorithm.fromId(algorithm);
            if (purpose.purpose() == SignerPurpose.SEAL && keyAlgorithm != KeyAlgorithm.EC_P256) {
                throw new IllegalArgumentException(
                        "--algorithm must be ec-p256 for seal signers (ECDSA P-256 with SHA-256), not " + algorithm);
            }
            if (maxDocuments < 1) {
                throw new IllegalArgumentException("--max-documents must be at least 1, not " + maxDocuments);
            }
            Clock clock = CommandClock.system();
            try (StoreOptions.Store s = store.open();
                    Token token = custodians.open(store.dataDir(), clock)) {
                List<String> labels = purpose.pool(s.database(), clock)
                        .generate(Actor.local(custodians.actorId()), token, count, keyAlgorithm, maxDocuments);
                System.out.println("generated " + labels.size() + " " + purpose.noun() + " key(s) in token '"
                        + token.label() + "': " + String.join(", ", labels));
            }
            return 0;
        }
    }

    @Command(
            name = "certify",
            mixinStandardHelpOptions = true,
            description = {
                "CSCA ceremony: certify up to N generated DS keys with the CSCA, whose key is in the",
                "offline token (activate it with --token-label, default eid-offline, and k custodians).",
                "Certificates are written to OUT/ds-NNN.{crt,pem} (with --purpose seal: seal signers under",
                "profile seal-signer/1, OUT/seal-NNN.{crt,pem})."
            })
    static final class Certify implements Callable<Integer> {
        @Option(names = "--count", required = true, paramLabel = "N", description = "at most this many (1-100)")
        int count;

        @Option(
                names = "--csca",
                paramLabel = "NAME",
                description = "the CSCA in the store (default: ${DEFAULT-VALUE})")
        String csca = "csca";

        @Option(
                names = "--usage-start",
                paramLabel = "ISO-INSTANT",
                description = "start of the batch's private key usage period, e.g. 2027-01-01T00:00:00Z (default: now)")
        String usageStart;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                converter = PathOptions.OutputDirectory.class,
                description = "where to write the certificates")
        Path out;

        @Mixin
        SignerPurposeOption purpose;

        // The CSCA's key is offline.
        @Mixin
        OfflineCustodianOptions custodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            checkCount(count);
            SignerPurpose which = purpose.purpose();
            Instant start;
            try {
                start = usageStart == null ? null : Instant.parse(usageStart);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(
                        "--usage-start must be an ISO instant such as 2027-01-01T00:00:00Z, not '" + usageStart + "'");
            }
            Clock clock = CommandClock.system();
            Files.createDirectories(out);
            try (StoreOptions.Store s = store.open();
                    Token offline = custodians.open(store.dataDir(), clock)) {
                List<DocumentSignerCeremony.Certified> done = new DocumentSignerCeremony(
                                s.database(),
                                ProfileSettings.defaults(),
                                AuditLedger.hashChained(clock),
                                clock,
                                new SecureRandom())
                        .certify(Actor.local(custodians.actorId()), offline, csca, count, start, which);
                for (DocumentSignerCeremony.Certified c : done) {
                    String name = String.format("%s-%03d", which.prefix(), c.number());
                    Files.write(out.resolve(name + ".crt"), c.certificate().getEncoded());
                    Files.writeString(
                            out.resolve(name + ".pem"), pem(c.certificate().getEncoded()));
                    System.out.println("  " + name + ": key " + c.keyLabel() + ", serial "
                            + c.certificate().getSerialNumber().toString(16));
                }
                System.out.println("certified " + done.size() + " " + purpose.noun() + " key(s) with " + csca
                        + (done.size() < count ? " (no more generated keys were waiting)" : ""));
            }
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "The DS pool (or, with --purpose seal, the seal signers): active signer, spares, warnings.")
    static final class Status implements Callable<Integer> {
        @Mixin
        SignerPurposeOption purpose;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            purpose.purpose();
            Clock clock = CommandClock.system();
            try (StoreOptions.Store s = store.open()) {
                DocumentSignerPool pool = purpose.pool(s.database(), clock);
                for (DocumentSignerPool.Signer d : pool.signers()) {
                    System.out.printf(
                            "%-28s %-9s %4s %-34s %s..%s %d/%d %s%s%s%n",
                            d.keyLabel(),
                            d.state(),
                            d.number() == null ? "-" : String.format("%03d", d.number()),
                            d.serialHex() == null ? "-" : d.serialHex(),
                            d.usageNotBefore(),
                            d.usageNotAfter(),
                            d.documentsSigned(),
                            d.maxDocuments(),
                            d.certificateStatus() == null
                                    ? ""
                                    : d.certificateStatus().name(),
                            d.retireReason() == null ? "" : " (" + d.retireReason() + ")",
                            d.keyDestroyedAt() == null ? "" : " key destroyed " + d.keyDestroyedAt());
                }
                DocumentSignerPool.Status st = pool.status();
                System.out.println("active: "
                        + (st.active() == null
                                ? "none (the next " + (purpose.purpose() == SignerPurpose.SOD ? "SOD" : "seal")
                                        + " activates a spare)"
                                : st.active().keyLabel())
                        + "; certified spares: " + st.usableSpares() + " (" + st.spareDocuments()
                        + " documents); generated,"
                        + " not certified: " + st.generated() + "; signing covered until "
                        + (st.coveredUntil() == null ? "-" : st.coveredUntil().toString()));
                if (st.low()) {
                    System.out.println(
                            "warning: the certified " + purpose.noun() + " pool is low (fewer than 2 spares, or signing"
                                    + " covered for less than 30 days); generate keys and run a CSCA ceremony (ds certify)");
                }
            }
            return 0;
        }
    }

    @Command(
            name = "rotate",
            mixinStandardHelpOptions = true,
            description = {
                "Retire the active DS now; the next SOD is signed by the next certified DS (audited).",
                "Needs only the store: it never makes a key or a certificate."
            })
    static final class Rotate implements Callable<Integer> {
        @Option(
                names = "--operator",
                required = true,
                paramLabel = "ID",
                description = "who forces the switch (audited)")
        String operator;

        @Mixin
        SignerPurposeOption purpose;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            purpose.purpose();
            if (operator.isBlank()) {
                throw new IllegalArgumentException("--operator must name who forces the switch");
            }
            Clock clock = CommandClock.system();
            try (StoreOptions.Store s = store.open()) {
                DocumentSignerPool pool = purpose.pool(s.database(), clock);
                var retired = pool.rotate(Actor.local("cli:" + operator));
                DocumentSignerPool.Status st = pool.status();
                System.out.println(retired.map(l -> "retired " + l).orElse("no " + purpose.noun() + " was active")
                        + "; certified spares left: " + st.usableSpares());
                if (st.usableSpares() == 0) {
                    System.out.println("warning: no certified spare: "
                            + (purpose.purpose() == SignerPurpose.SOD ? "SOD" : "temporary certificate")
                            + " requests are refused until a CSCA ceremony (ds certify)");
                }
            }
            return 0;
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = {
                "Revoke a DS (or seal signer) certificate (final): recorded on its certificate row, which the CSCA CRL lists;",
                "the pool never uses it again (if it is active, the next SOD moves to the next DS). A CSCA act:",
                "k custodians of the offline token (--token-label, default eid-offline) must be present."
            })
    static final class Revoke implements Callable<Integer> {
        @Option(names = "--serial", required = true, paramLabel = "HEX", description = "the DS certificate's serial")
        String serial;

        @Option(names = "--csca", paramLabel = "NAME", description = "its issuing CSCA (default: ${DEFAULT-VALUE})")
        String csca = "csca";

        @Option(
                names = "--reason",
                paramLabel = "REASON",
                description =
                        "keyCompromise, superseded, cessationOfOperation, affiliationChanged (default: ${DEFAULT-VALUE})")
        String reason = "keyCompromise";

        @Mixin
        OfflineCustodianOptions custodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            RevocationReason r = switch (reason) {
                case "keyCompromise" -> RevocationReason.KEY_COMPROMISE;
                case "superseded" -> RevocationReason.SUPERSEDED;
                case "cessationOfOperation" -> RevocationReason.CESSATION_OF_OPERATION;
                case "affiliationChanged" -> RevocationReason.AFFILIATION_CHANGED;
                default -> throw new IllegalArgumentException("unknown reason '" + reason + "'");
            };
            checkSerial(serial);
            Clock clock = CommandClock.system();
            // The offline token is opened only to prove that k custodians of the CSCA are present.
            try (StoreOptions.Store s = store.open();
                    Token ignored = custodians.open(store.dataDir(), clock)) {
                boolean isDs = DocumentSignerPool.isDocumentSigner(s.database(), csca, serial);
                if (!isDs) {
                    throw new IllegalArgumentException(
                            "no Document Signer or seal signer of " + csca + " has serial " + serial);
                }
                new RevocationService(s.database(), AuditLedger.hashChained(clock), clock)
                        .revoke(Actor.local(custodians.actorId()), csca, serial, r);
                System.out.println(
                        "DS certificate " + serial + " revoked (" + reason + "); the pool will not use it again");
            }
            return 0;
        }
    }

    @Command(
            name = "retire",
            mixinStandardHelpOptions = true,
            description = {
                "Retire every DS that can never sign again (usage period over, document count reached,",
                "certificate revoked), and destroy in the online token the private key of every DS retired at",
                "least an hour ago (ended, rotated or revoked): no RA process signs with it any more by then (each",
                "re-reads its DS at least every minute). The certificates and the pool's rows stay; audited. A key",
                "custodian act: k custodians of the online token (--token-label, default eid-online).",
                "--purpose chooses whose ended signers are retired; keys are destroyed for both pools."
            })
    static final class Retire implements Callable<Integer> {
        @Mixin
        SignerPurposeOption purpose;

        @Mixin
        OnlineCustodianOptions custodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            purpose.purpose();
            Clock clock = CommandClock.system();
            try (StoreOptions.Store s = store.open();
                    Token token = custodians.open(store.dataDir(), clock)) {
                AuditLedger audit = AuditLedger.hashChained(clock);
                DocumentSignerRetirement.Result r = new DocumentSignerRetirement(
                                purpose.pool(s.database(), clock), s.database(), audit, clock)
                        .run(Actor.local(custodians.actorId()), token);
                r.retired().forEach(l -> System.out.println("retired " + l + ": it can never sign again"));
                r.destroyed()
                        .forEach(l -> System.out.println(
                                "destroyed the private key of " + l + " in token '" + token.label() + "'"));
                for (DocumentSignerRetirement.Waiting w : r.waiting()) {
                    System.out.println("kept for now: " + w.keyLabel() + ", destroyed by a run from " + w.from()
                            + (w.tokenLabel().equals(token.label()) ? "" : " with token '" + w.tokenLabel() + "'"));
                }
                System.out.println("retired " + r.retired().size() + ", keys destroyed "
                        + r.destroyed().size() + ", keys still to destroy "
                        + r.waiting().size());
            }
            return 0;
        }
    }
}
