package tw.eid.pki.launcher;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.crl.CrlConfig;
import tw.eid.pki.crl.CrlPublisher;
import tw.eid.pki.hsm.Token;

/** {@code crl publish}: one publication of every online CA's CRLs now (full CRLs, and deltas with them), then exit. */
@Command(name = "crl", mixinStandardHelpOptions = true, description = "CRL acts outside the running publisher.",
        subcommands = {CrlCommand.Publish.class})
final class CrlCommand implements Runnable {
    @Override
    public void run() {
        throw new IllegalArgumentException("name a subcommand: publish");
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = {"Sign and publish the online CAs' CRLs once, now: per Citizen CA partition a full CRL and",
                    "its delta, and the RA Operators CA's CRL; store them and write them into --directory. Needs the",
                    "online token (k custodians). The offline CRLs are signed at ceremonies, not here."})
    static final class Publish implements Callable<Integer> {
        @Option(names = "--directory", paramLabel = "DIR", description = "where the CRL files go (default: DATA/published)")
        Path directory;

        @Option(names = "--full-days", paramLabel = "DAYS", description = "nextUpdate - thisUpdate of full CRLs, 1 to 10 (default: 7)")
        Integer fullDays;

        @Option(names = "--delta-hours", paramLabel = "HOURS", description = "nextUpdate - thisUpdate of deltas (default: 24)")
        Integer deltaHours;

        @Option(names = "--keep-expired", description = "keep revoked certificates on the CRLs after they expire")
        boolean keepExpired;

        @Mixin
        CustodianOptions custodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            Path dir = directory != null ? directory : store.dataDir().resolve("published");
            CrlConfig config = CrlService.config(fullDays, deltaHours, keepExpired, null, dir.toAbsolutePath());
            Clock clock = Clock.systemUTC();
            try (StoreOptions.Store s = store.open(); Token token = custodians.open(store.dataDir(), clock);
                 CrlPublisher publisher = new CrlPublisher(s.database(), token, ProfileSettings.defaults(), config,
                         "crl-publish/" + ProcessHandle.current().pid(), clock)) {
                List<CrlPublisher.Published> published = publisher.publishAll();
                if (published.isEmpty()) {
                    System.out.println("no online CA with CRLs in the store (run a ceremony first)");
                }
                for (CrlPublisher.Published p : published) {
                    System.out.println(p.url() + " number " + p.number() + (p.delta() ? " (delta on " + p.baseNumber() + ")" : "")
                            + (p.entries() < 0 ? " superseded by a newer one" : ", " + p.entries() + " entries, " + p.bytes()
                            + " bytes"));
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
}
