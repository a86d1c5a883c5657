package tw.eid.pki.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.crl.CrlConfig;
import tw.eid.pki.crl.CrlPublisher;
import tw.eid.pki.crl.OfflineCrlCeremony;
import tw.eid.pki.hsm.Token;

/** {@code crl publish}: one publication of every online CA's CRLs now (full CRLs, and deltas with them), then exit. */
@Command(
        name = "crl",
        mixinStandardHelpOptions = true,
        description = "CRL acts outside the running publisher.",
        subcommands = {CrlCommand.Publish.class, CrlCommand.Sign.class})
final class CrlCommand implements Runnable {
    @Override
    public void run() {
        throw new IllegalArgumentException("name a subcommand: publish, sign");
    }

    @Command(
            name = "publish",
            mixinStandardHelpOptions = true,
            description = {
                "Sign and publish the online CAs' CRLs once, now: per Citizen CA partition a full CRL and",
                "its delta, and the RA Operators CA's CRL; store them and write them into --directory. Needs the",
                "online token (k custodians). The offline CRLs are signed at ceremonies, not here."
            })
    static final class Publish implements Callable<Integer> {
        @Option(
                names = "--directory",
                paramLabel = "DIR",
                converter = PathOptions.OutputDirectory.class,
                description = "where the CRL files go (default: DATA/published)")
        Path directory;

        @Option(
                names = "--full-days",
                paramLabel = "DAYS",
                description = "nextUpdate - thisUpdate of full CRLs, 1 to 10 (default: 7)")
        Integer fullDays;

        @Option(
                names = "--delta-hours",
                paramLabel = "HOURS",
                description = "nextUpdate - thisUpdate of deltas (default: 24)")
        Integer deltaHours;

        @Option(names = "--keep-expired", description = "keep revoked certificates on the CRLs after they expire")
        boolean keepExpired;

        @Mixin
        OnlineCustodianOptions custodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            Path dir = directory != null ? directory : store.dataDir().resolve("published");
            CrlConfig config = CrlService.config(fullDays, deltaHours, keepExpired, null, dir.toAbsolutePath());
            Clock clock = CommandClock.system();
            try (StoreOptions.Store s = store.open();
                    Token token = custodians.open(store.dataDir(), clock);
                    CrlPublisher publisher = new CrlPublisher(
                            s.database(),
                            token,
                            ProfileSettings.defaults(),
                            config,
                            "crl-publish/" + ProcessHandle.current().pid(),
                            clock)) {
                List<CrlPublisher.Published> published = publisher.publishAll();
                if (published.isEmpty()) {
                    System.out.println("no online CA with CRLs in the store (run a ceremony first)");
                }
                for (CrlPublisher.Published p : published) {
                    System.out.println(
                            p.url() + " number " + p.number() + (p.delta() ? " (delta on " + p.baseNumber() + ")" : "")
                                    + (p.entries() < 0
                                            ? " superseded by a newer one"
                                            : ", " + p.entries() + " entries, " + p.bytes() + " bytes"));
                }
                for (CrlPublisher.OfflineCrlStatus o : publisher.offlineCrls()) {
                    System.out.println("offline " + o.caName() + ": CRL " + o.number() + " until " + o.nextUpdate()
                            + (o.expired() ? " EXPIRED: sign one at a ceremony" : o.due() ? " (ceremony due)" : ""));
                }
                System.out.println("files in " + dir.toAbsolutePath());
                return 0;
            }
        }
    }

    @Command(
            name = "sign",
            mixinStandardHelpOptions = true,
            description = {
                "A ceremony act: sign the next CRL of an offline root (citizen-root's ARL, the CSCA CRL) with",
                "the offline token (k custodians of --token-label, default eid-offline), listing every certificate",
                "it revoked; store it (the publisher serves it), audit it, and write DER and PEM into --out."
            })
    static final class Sign implements Callable<Integer> {
        @Option(
                names = "--issuer",
                required = true,
                paramLabel = "CA",
                description = "the offline CA: citizen-root or csca")
        String issuer;

        @Option(
                names = "--next-update-days",
                required = true,
                paramLabel = "DAYS",
                description = "nextUpdate - thisUpdate: the ARL at most 365, the CSCA CRL at most 90 (ICAO 9303-12)")
        int days;

        @Option(
                names = "--out",
                paramLabel = "DIR",
                converter = PathOptions.OutputDirectory.class,
                description = "where the CRL files go (default: DATA/ceremony/crl)")
        Path out;

        // The default here: offline roots sign with the offline token.
        @Mixin
        OfflineCustodianOptions custodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            if (days < 1 || days > 365) {
                throw new IllegalArgumentException("--next-update-days must be 1 to 365, not " + days);
            }
            Path dir = (out != null ? out : store.dataDir().resolve("ceremony/crl")).toAbsolutePath();
            Clock clock = CommandClock.system();
            try (StoreOptions.Store s = store.open();
                    Token token = custodians.open(store.dataDir(), clock)) {
                OfflineCrlCeremony.Signed signed = new OfflineCrlCeremony(
                                s.database(), ProfileSettings.defaults(), clock)
                        .sign(token, issuer, Duration.ofDays(days), custodians.actorId());
                Files.createDirectories(dir);
                byte[] der = signed.crl().getEncoded();
                Path file = dir.resolve(issuer + "-" + signed.number() + ".crl");
                Files.write(file, der);
                Files.writeString(
                        dir.resolve(issuer + "-" + signed.number() + ".crl.pem"),
                        "-----BEGIN X509 CRL-----\n"
                                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                                + "\n-----END X509 CRL-----\n");
                System.out.println(issuer + ": CRL number " + signed.number() + ", nextUpdate "
                        + signed.crl().getNextUpdate().toInstant() + ", " + file + "; served at " + signed.path());
                return 0;
            }
        }
    }
}
