package tw.eid.pki.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.document.CscaRollover;
import tw.eid.pki.ca.document.MasterLists;
import tw.eid.pki.ca.profile.ProfileSettings;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.Token;

/**
 * CSCA ceremonies besides the initial one (issue 6), each with the offline token activated by k
 * custodians: the key rollover with its link certificate, and the signed master list.
 */
@Command(
        name = "csca",
        mixinStandardHelpOptions = true,
        description = "CSCA ceremonies: key rollover (new CSCA + link certificate old -> new), master list.",
        subcommands = {CscaCommand.Rollover.class, CscaCommand.MasterList.class})
final class CscaCommand implements Runnable {
    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(
            name = "rollover",
            mixinStandardHelpOptions = true,
            description = {
                "New CSCA key in the offline token, its self-signed certificate, and the link certificate",
                "signed by the old CSCA key (ICAO 9303-12: old -> new only). Writes OUT/NEW.pem and OUT/NEW-link.pem."
            })
    static final class Rollover implements Callable<Integer> {
        @Option(names = "--old", paramLabel = "NAME", description = "the current CSCA (default: ${DEFAULT-VALUE})")
        String old = "csca";

        @Option(names = "--new", required = true, paramLabel = "NAME", description = "the new CSCA's name, e.g. csca-2")
        String newName;

        @Option(
                names = "--new-key-label",
                required = true,
                paramLabel = "LABEL",
                description = "its key's label in the token")
        String newKeyLabel;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                converter = PathOptions.OutputDirectory.class,
                description = "where to write the certificates")
        Path out;

        @Mixin
        OfflineCustodianOptions custodians;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            Clock clock = CommandClock.system();
            Files.createDirectories(out);
            try (StoreOptions.Store s = store.open();
                    Token offline = custodians.open(store.dataDir(), clock)) {
                CscaRollover.Result r = new CscaRollover(
                                s.database(),
                                ProfileSettings.defaults(),
                                AuditLedger.hashChained(clock),
                                clock,
                                new SecureRandom())
                        .rollover(
                                Actor.local(custodians.actorId()),
                                offline,
                                old,
                                newName,
                                newKeyLabel,
                                KeyAlgorithm.EC_P384);
                Files.writeString(
                        out.resolve(newName + ".pem"),
                        DsCommand.pem(r.selfSigned().getEncoded()));
                Files.writeString(
                        out.resolve(newName + "-link.pem"),
                        DsCommand.pem(r.link().getEncoded()));
                System.out.println("CSCA " + newName + ": serial "
                        + r.selfSigned().getSerialNumber().toString(16) + "; link " + old + " -> " + newName
                        + ": serial " + r.link().getSerialNumber().toString(16));
                System.out.println(
                        "certify new Document Signers with: bin/eidpki ds certify --csca " + newName + " ...");
            }
            return 0;
        }
    }

    @Command(
            name = "master-list",
            mixinStandardHelpOptions = true,
            description = {
                "A new master-list signer key in the offline token, certified by the CSCA, signs the list of",
                "every CSCA and link certificate in the store; served at /certs/csca-masterlist.ml."
            })
    static final class MasterList implements Callable<Integer> {
        @Option(
                names = "--csca",
                paramLabel = "NAME",
                description = "the CSCA that certifies the signer (default: ${DEFAULT-VALUE})")
        String csca = "csca";

        @Option(
                names = "--signer-key-label",
                required = true,
                paramLabel = "LABEL",
                description = "the new signer key's label")
        String signerKeyLabel;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "FILE",
                converter = PathOptions.OutputFile.class,
                description = "where to write the master list (DER)")
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
                MasterLists.Signed ml = new MasterLists(
                                s.database(),
                                ProfileSettings.defaults(),
                                AuditLedger.hashChained(clock),
                                clock,
                                new SecureRandom())
                        .sign(Actor.local(custodians.actorId()), offline, csca, signerKeyLabel);
                Files.write(out, ml.der());
                System.out.println(
                        "master list " + ml.id() + ": " + ml.cscaCount() + " CSCA certificate(s), signer serial "
                                + ml.signer().getSerialNumber().toString(16) + ", written to " + out);
            }
            return 0;
        }
    }
}
