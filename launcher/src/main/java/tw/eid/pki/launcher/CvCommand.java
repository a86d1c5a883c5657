package tw.eid.pki.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.cvc.CvAuthority;
import tw.eid.pki.ca.cvc.CvCertificate;
import tw.eid.pki.ca.cvc.CvException;
import tw.eid.pki.ca.cvc.CvRole;
import tw.eid.pki.ca.cvc.HolderReference;
import tw.eid.pki.ca.cvc.TerminalType;
import tw.eid.pki.hsm.Token;

/**
 * The CVCA's ceremony acts (issue 22; docs/operations.md "Agency authorization"), each with the
 * offline token activated by k custodians: the CVCA key and its self-signed certificate, the rollover
 * with its link certificate, and a DV key in the online token certified by the CVCA (the short act
 * repeated at least every three months; the online token's custodians are a second, {@code
 * --online-} group). Each writes the certificates as {@code OUT/CHR.cvcert} (with a link named by the
 * CHR, what {@code cvc-print --cvc-dir} opens) and the trust points as {@code
 * OUT/trust-points.cvcerts}, the same bytes as {@code GET /cv/trust-points}.
 */
@Command(
        name = "cv",
        mixinStandardHelpOptions = true,
        description =
                "Card-verifiable (EAC) ceremonies: CVCA, CVCA rollover, DV certification; trust points, DV expiry.",
        subcommands = {
            CvCommand.CvcaCreate.class,
            CvCommand.CvcaRollover.class,
            CvCommand.DvCertify.class,
            CvCommand.DvWarnings.class,
            CvCommand.TrustPoints.class
        })
final class CvCommand implements Runnable {
    static final String TRUST_POINTS_FILE = "trust-points.cvcerts";

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(
            name = "cvca-create",
            mixinStandardHelpOptions = true,
            description = {
                "The CVCA key in the offline token and its self-signed certificate (6 months to 3 years).",
                "Writes OUT/CHR.cvcert and OUT/" + TRUST_POINTS_FILE + "."
            })
    static final class CvcaCreate implements Callable<Integer> {
        @Option(
                names = "--chr",
                required = true,
                paramLabel = "CHR",
                converter = Chr.class,
                description = "its holder reference: country, mnemonic, 5-character sequence, e.g. TWCVCA00001")
        HolderReference chr;

        @Option(names = "--key-label", required = true, paramLabel = "LABEL", description = "its key's label")
        String keyLabel;

        @Option(
                names = "--type",
                paramLabel = "AT|IS",
                converter = Type.class,
                description = "the terminals' type under it: AT (authentication) or IS (inspection) (default: AT)")
        TerminalType type = TerminalType.AT;

        @Option(
                names = "--validity",
                paramLabel = "PERIOD",
                converter = Validity.class,
                description = "ISO 8601 period, 6 months to 3 years (default: P3Y)")
        Period validity = Period.ofYears(3);

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                converter = PathOptions.OutputDirectory.class,
                description = "where to write the certificate and the trust points")
        Path out;

        @Mixin
        OfflineCustodianOptions custodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            Clock clock = CommandClock.system();
            try (StoreOptions.Store s = store.open();
                    Token offline = custodians.open(store.dataDir(), clock)) {
                CvAuthority authority = authority(s, clock);
                CvCertificate cvca =
                        authority.createCvca(Actor.local(custodians.actorId()), offline, keyLabel, chr, type, validity);
                Files.createDirectories(out);
                write(out, cvca);
                Path points = writeTrustPoints(out, authority);
                System.out.println(
                        "CVCA " + chr + " (" + type + "): " + cvca.body().effective() + " to "
                                + cvca.body().expiration() + ", key " + keyLabel + " in " + offline.label());
                System.out.println("trust points written to " + points);
            }
            return 0;
        }
    }

    @Command(
            name = "cvca-rollover",
            mixinStandardHelpOptions = true,
            description = {
                "A new CVCA key (CHR: the next sequence number) with its self-signed certificate and the link",
                "certificate old -> new signed by the old key. Writes OUT/NEW.cvcert, OUT/OLD-NEW.link.cvcert",
                "and OUT/" + TRUST_POINTS_FILE + "."
            })
    static final class CvcaRollover implements Callable<Integer> {
        @Option(
                names = "--old",
                required = true,
                paramLabel = "CHR",
                converter = Chr.class,
                description = "the current CVCA")
        HolderReference old;

        @Option(names = "--new-key-label", required = true, paramLabel = "LABEL", description = "the new key's label")
        String newKeyLabel;

        @Option(
                names = "--validity",
                paramLabel = "PERIOD",
                converter = Validity.class,
                description = "ISO 8601 period, 6 months to 3 years (default: P3Y)")
        Period validity = Period.ofYears(3);

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                converter = PathOptions.OutputDirectory.class,
                description = "where to write the certificates and the trust points")
        Path out;

        @Mixin
        OfflineCustodianOptions custodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            Clock clock = CommandClock.system();
            try (StoreOptions.Store s = store.open();
                    Token offline = custodians.open(store.dataDir(), clock)) {
                CvAuthority authority = authority(s, clock);
                CvAuthority.Rollover r =
                        authority.rollover(Actor.local(custodians.actorId()), offline, old, newKeyLabel, validity);
                Files.createDirectories(out);
                HolderReference next = r.selfSigned().body().chr();
                write(out, r.selfSigned());
                Path link = out.resolve(old + "-" + next + ".link.cvcert");
                Files.write(link, r.link().encoded());
                Path points = writeTrustPoints(out, authority);
                System.out.println("CVCA " + next + ": " + r.selfSigned().body().effective() + " to "
                        + r.selfSigned().body().expiration() + "; link " + old + " -> " + next + " written to "
                        + link);
                System.out.println("trust points written to " + points
                        + "; certify the next DV with: bin/eidpki cv dv-certify --cvca " + next + " ...");
            }
            return 0;
        }
    }

    @Command(
            name = "dv-certify",
            mixinStandardHelpOptions = true,
            description = {
                "A Document Verifier key in the online token, certified by the CVCA key in the offline token",
                "(2 weeks to 3 months; never past the CVCA). Both tokens are activated: the offline one by",
                "--custodian, the online one by --online-custodian. Writes OUT/CHR.cvcert."
            })
    static final class DvCertify implements Callable<Integer> {
        @Option(
                names = "--cvca",
                required = true,
                paramLabel = "CHR",
                converter = Chr.class,
                description = "the CVCA that certifies it")
        HolderReference cvca;

        @Option(
                names = "--chr",
                required = true,
                paramLabel = "CHR",
                converter = Chr.class,
                description = "the DV's holder reference, e.g. TWDVMOI00002")
        HolderReference chr;

        @Option(
                names = "--key-label",
                required = true,
                paramLabel = "LABEL",
                description = "the DV key's label in the online token")
        String keyLabel;

        @Option(
                names = "--role",
                paramLabel = "domestic|foreign",
                converter = DvRole.class,
                description = "domestic or foreign DV (default: domestic)")
        CvRole role = CvRole.DV_DOMESTIC;

        @Option(
                names = "--validity",
                paramLabel = "PERIOD",
                converter = Validity.class,
                description = "ISO 8601 period, 2 weeks to 3 months (default: P3M)")
        Period validity = Period.ofMonths(3);

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                converter = PathOptions.OutputDirectory.class,
                description = "where to write the certificate")
        Path out;

        @Mixin
        OfflineCustodianOptions custodians;

        @Mixin
        OnlineTokenCustodians onlineCustodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            Clock clock = CommandClock.system();
            try (StoreOptions.Store s = store.open();
                    Token offline = custodians.open(store.dataDir(), clock);
                    Token online = onlineCustodians.open(custodians.library, store.dataDir(), clock)) {
                CvCertificate dv = authority(s, clock)
                        .certifyDv(
                                Actor.local(custodians.actorId() + "/" + onlineCustodians.actorPart()),
                                offline,
                                cvca,
                                online,
                                keyLabel,
                                chr,
                                role,
                                validity);
                Files.createDirectories(out);
                write(out, dv);
                System.out.println("DV " + chr + " (" + role.name().toLowerCase(Locale.ROOT) + ", under " + cvca
                        + "): " + dv.body().effective() + " to " + dv.body().expiration() + ", key " + keyLabel
                        + " in " + online.label() + "; written to " + out.resolve(chr + ".cvcert"));
            }
            return 0;
        }
    }

    @Command(
            name = "dv-warnings",
            mixinStandardHelpOptions = true,
            description = {
                "The DVs that expire within PERIOD with no longer-running successor: renew each at a ceremony",
                "(cv dv-certify). Exit 0 when there are none, 1 when there are (for a monitoring script)."
            })
    static final class DvWarnings implements Callable<Integer> {
        @Option(
                names = "--within",
                paramLabel = "PERIOD",
                converter = Validity.class,
                description = "ISO 8601 period (default: P30D)")
        Period within = Period.ofDays(30);

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            Clock clock = CommandClock.system();
            try (StoreOptions.Store s = store.open()) {
                List<CvAuthority.DvExpiry> due = authority(s, clock).dvExpiryWarnings(within);
                if (due.isEmpty()) {
                    System.out.println("no DV expires within " + within + " without a successor");
                    return 0;
                }
                for (CvAuthority.DvExpiry d : due) {
                    System.out.println("DV " + d.chr() + " (" + d.type() + ") expires " + d.expiration() + ", in "
                            + d.daysLeft() + " day(s): certify its successor (bin/eidpki cv dv-certify)");
                }
                return 1;
            }
        }
    }

    @Command(
            name = "trust-points",
            mixinStandardHelpOptions = true,
            description = {
                "Writes every CVCA and link certificate, oldest first, concatenated (what chip personalization",
                "loads; the same bytes as GET /cv/trust-points)."
            })
    static final class TrustPoints implements Callable<Integer> {
        @Option(
                names = "--out",
                required = true,
                paramLabel = "FILE",
                converter = PathOptions.OutputFile.class,
                description = "where to write them")
        Path out;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws IOException {
            Clock clock = CommandClock.system();
            try (StoreOptions.Store s = store.open()) {
                List<byte[]> points = authority(s, clock).trustPoints();
                if (points.isEmpty()) {
                    throw new IllegalStateException("no CVCA in the store (run cv cvca-create first)");
                }
                Files.write(out, concat(points));
                System.out.println(points.size() + " trust point(s) written to " + out);
            }
            return 0;
        }
    }

    private static CvAuthority authority(StoreOptions.Store s, Clock clock) {
        return new CvAuthority(s.database(), AuditLedger.hashChained(clock), clock);
    }

    /** OUT/CHR.cvcert and a link OUT/CHR to it (cvc-print --cvc-dir opens the file named exactly by a CAR). */
    static void write(Path dir, CvCertificate c) throws IOException {
        HolderReference chr = c.body().chr();
        Files.write(dir.resolve(chr + ".cvcert"), c.encoded());
        Path link = dir.resolve(chr.toString());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(chr + ".cvcert"));
    }

    /** OUT/trust-points.cvcerts: every CVCA and link certificate, oldest first. */
    static Path writeTrustPoints(Path dir, CvAuthority authority) throws IOException {
        Path file = dir.resolve(TRUST_POINTS_FILE);
        Files.write(file, concat(authority.trustPoints()));
        return file;
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        parts.forEach(all::writeBytes);
        return all.toByteArray();
    }

    static final class Chr implements ITypeConverter<HolderReference> {
        @Override
        public HolderReference convert(String value) {
            try {
                return HolderReference.parse(value);
            } catch (CvException e) {
                throw new TypeConversionException("'" + value + "': " + e.getMessage());
            }
        }
    }

    static final class Validity implements ITypeConverter<Period> {
        @Override
        public Period convert(String value) {
            try {
                Period p = Period.parse(value);
                if (p.isNegative() || p.isZero()) {
                    throw new TypeConversionException("'" + value + "' is not a positive period");
                }
                return p;
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("'" + value + "' is not an ISO 8601 period such as P3M or P2Y");
            }
        }
    }

    static final class Type implements ITypeConverter<TerminalType> {
        @Override
        public TerminalType convert(String value) {
            return switch (value) {
                case "AT" -> TerminalType.AT;
                case "IS" -> TerminalType.IS;
                default -> throw new TypeConversionException("'" + value + "' is not AT or IS");
            };
        }
    }

    static final class DvRole implements ITypeConverter<CvRole> {
        @Override
        public CvRole convert(String value) {
            return switch (value) {
                case "domestic" -> CvRole.DV_DOMESTIC;
                case "foreign" -> CvRole.DV_FOREIGN;
                default -> throw new TypeConversionException("'" + value + "' is not domestic or foreign");
            };
        }
    }
}
