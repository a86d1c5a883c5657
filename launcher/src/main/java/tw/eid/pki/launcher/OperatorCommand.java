package tw.eid.pki.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.issuance.IssuingCa;
import tw.eid.pki.ca.issuance.OperatorCertificates;
import tw.eid.pki.ca.profile.CertificateRequest;
import tw.eid.pki.ca.profile.OperatorRole;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.revocation.RevocationService;
import tw.eid.pki.hsm.Token;

/**
 * Operator certificates of the RA Operators CA. Both acts need the online token activated by k
 * custodians (two people at least), which is this project's two-person rule for them at the CLI.
 */
@Command(
        name = "operator",
        mixinStandardHelpOptions = true,
        description = "Issue or revoke operator certificates.",
        subcommands = {OperatorCommand.Issue.class, OperatorCommand.Revoke.class})
final class OperatorCommand implements Runnable {
    static final String RA_OPERATORS_CA = "ra-operators-ca";

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(
            name = "issue",
            mixinStandardHelpOptions = true,
            description = {
                "Issue an operator's client certificate (one role) with a new P-256 key, written as",
                "OUT/ID.p12 (+ .p12.pass), OUT/ID.pem and OUT/ID.key.pem, owner-only. In production the key is on the",
                "operator's smart card; the PKCS#12 file is for the demo and for tests."
            })
    static final class Issue implements Callable<Integer> {
        @Option(
                names = "--id",
                required = true,
                paramLabel = "OPERATOR",
                description = "operator id (the certificate's CN)")
        String id;

        @Option(names = "--office", required = true, paramLabel = "OFFICE", description = "office or system owner (OU)")
        String office;

        @Option(
                names = "--role",
                required = true,
                paramLabel = "ROLE",
                description = "officer, supervisor, auditor, admin or personalization")
        String role;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                converter = PathOptions.OutputDirectory.class,
                description = "where to write the key and certificate")
        Path out;

        @Mixin
        OnlineCustodianOptions custodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            OperatorRole operatorRole = OperatorRole.fromId(role);
            // The id names the files: refused here, before a directory is made or the store opened.
            new CertificateRequest.Operator(id, office, operatorRole);
            Files.createDirectories(out);
            if (Files.exists(out.resolve(id + ".p12"))) {
                throw new IllegalArgumentException(out.resolve(id + ".p12") + " already exists");
            }
            Clock clock = CommandClock.system();
            KeyPair key = Pkcs12Files.newP256();
            try (StoreOptions.Store s = store.open();
                    Token token = custodians.open(store.dataDir(), clock)) {
                IssuingCa ca = IssuingCa.load(s.database(), RA_OPERATORS_CA);
                OperatorCertificates ops = new OperatorCertificates(
                        s.database(),
                        token,
                        ca,
                        ProfileSettings.defaults(),
                        AuditLedger.hashChained(clock),
                        clock,
                        new SecureRandom());
                X509CertificateHolder cert = ops.issueOperator(
                        Actor.local(custodians.actorId()),
                        id,
                        office,
                        operatorRole,
                        SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()));
                Pkcs12Files.write(out.resolve(id), key, cert, ca.certificate().certificate());
                System.out.println("operator " + id + " (" + operatorRole.id() + "): serial "
                        + cert.getSerialNumber().toString(16) + ", files " + out.resolve(id)
                        + ".{p12,p12.pass,pem,key.pem}");
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an operator certificate (final).")
    static final class Revoke implements Callable<Integer> {
        @Option(
                names = "--serial",
                required = true,
                paramLabel = "HEX",
                description = "the certificate's serial (lower-case hex)")
        String serial;

        @Option(
                names = "--reason",
                paramLabel = "REASON",
                description =
                        "keyCompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn (default: ${DEFAULT-VALUE})")
        String reason = "affiliationChanged";

        @Mixin
        OnlineCustodianOptions custodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            RevocationReason r = switch (reason) {
                case "keyCompromise" -> RevocationReason.KEY_COMPROMISE;
                case "affiliationChanged" -> RevocationReason.AFFILIATION_CHANGED;
                case "superseded" -> RevocationReason.SUPERSEDED;
                case "cessationOfOperation" -> RevocationReason.CESSATION_OF_OPERATION;
                case "privilegeWithdrawn" -> RevocationReason.PRIVILEGE_WITHDRAWN;
                default -> throw new IllegalArgumentException("unknown reason '" + reason + "'");
            };
            DsCommand.checkSerial(serial);
            Clock clock = CommandClock.system();
            // The token is only opened to prove that k custodians are present.
            try (StoreOptions.Store s = store.open();
                    Token ignored = custodians.open(store.dataDir(), clock)) {
                new RevocationService(s.database(), AuditLedger.hashChained(clock), clock)
                        .revoke(Actor.local(custodians.actorId()), RA_OPERATORS_CA, serial, r);
                System.out.println("operator certificate " + serial + " revoked (" + reason + ")");
            }
            return 0;
        }
    }
}
