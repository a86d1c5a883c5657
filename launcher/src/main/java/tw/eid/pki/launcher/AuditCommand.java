package tw.eid.pki.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tw.eid.pki.ca.audit.AuditReport;
import tw.eid.pki.ca.audit.AuditVerifier;

@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "Audit trail commands.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand implements Runnable {
    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = {
                "Walk the audit chain and its signed checkpoints; name the first broken link (exit 1 if any)."
            })
    static final class Verify implements Callable<Integer> {
        @Option(
                names = "--checkpoint-key",
                paramLabel = "PEM",
                converter = PathOptions.ExistingFile.class,
                description = "the audit checkpoint public key (default: DATA/ceremony/*/audit-checkpoint-key.pem)")
        Path checkpointKey;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            Path keyFile = checkpointKey != null ? checkpointKey : findKey(store.dataDir());
            ContentVerifierProvider verifier = new JcaContentVerifierProviderBuilder()
                    .setProvider(new BouncyCastleProvider())
                    .build(readKey(keyFile));
            AuditReport report;
            try (StoreOptions.Store s = store.open()) {
                report = AuditVerifier.verify(s.database().dataSource(), verifier);
            }
            if (report.ok()) {
                System.out.println(
                        "audit trail OK: " + report.eventsChecked() + " events, " + report.checkpointsChecked()
                                + " signed checkpoints, sealed up to seq " + report.lastSealedSeq());
                return 0;
            }
            System.out.println("audit trail BROKEN: " + report.problem().orElseThrow());
            return 1;
        }

        private static Path findKey(Path data) throws IOException {
            Path dir = data.resolve("ceremony");
            Path found = null;
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> ceremonies = Files.newDirectoryStream(dir)) {
                    for (Path c : ceremonies) {
                        Path k = c.resolve("audit-checkpoint-key.pem");
                        if (Files.isRegularFile(k)
                                && (found == null
                                        || Files.getLastModifiedTime(k).compareTo(Files.getLastModifiedTime(found))
                                                > 0)) {
                            found = k;
                        }
                    }
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("no audit checkpoint key under " + dir + ": give --checkpoint-key");
            }
            return found;
        }

        private static SubjectPublicKeyInfo readKey(Path file) throws IOException {
            try (Reader r = Files.newBufferedReader(file);
                    PEMParser p = new PEMParser(r)) {
                Object o = p.readObject();
                if (!(o instanceof SubjectPublicKeyInfo spki)) {
                    throw new IllegalArgumentException(file + " holds no PEM public key");
                }
                return spki;
            }
        }
    }
}
