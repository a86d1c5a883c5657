package tw.eid.pki.launcher;

import java.io.Console;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tw.eid.pki.ca.ceremony.Ceremony;
import tw.eid.pki.ca.ceremony.CeremonyException;
import tw.eid.pki.ca.ceremony.CeremonyFile;
import tw.eid.pki.ca.custody.ScryptCost;

@Command(
        name = "ceremony",
        mixinStandardHelpOptions = true,
        description = {
            "Run a key ceremony file: create tokens and keys, issue CA certificates, sign the offline CRLs,",
            "split token PINs into k-of-n custodian shares, and write a transcript signed by the offline root key.",
            "Relative paths in the file resolve against the data directory."
        })
final class CeremonyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CEREMONY.yaml", description = "the reviewed ceremony file")
    Path file;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        Path data = store.dataDir();
        // Check the file before starting anything: a malformed file changes nothing.
        CeremonyFile.read(file);
        Ceremony.Result result;
        try (StoreOptions.Store s = store.create()) {
            result = Ceremony.run(file, environment(data), s.database());
        }
        System.out.println("ceremony complete: " + result.outputDirectory());
        result.certificates()
                .forEach((name, cert) -> System.out.println("  " + name + ": " + cert.getSubject() + " (serial "
                        + cert.getSerialNumber().toString(16) + ")"));
        System.out.println("  transcript: " + result.transcript() + " (signature "
                + result.transcriptSignature().getFileName() + ")");
        System.out.println("  custodian shares: " + result.shareFiles().size() + " files");
        return 0;
    }

    static Ceremony.Environment environment(Path data) {
        Map<String, String> toolEnv = new HashMap<>();
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf != null) {
            toolEnv.put("SOFTHSM2_CONF", conf);
        }
        return new Ceremony.Environment(
                data, toolEnv, CommandClock.system(), new SecureRandom(), scryptCost(), CeremonyCommand::prompt);
    }

    /** EIDPKI_SCRYPT_LOG2N lowers the share-file KDF cost for tests; production keeps the recommended cost. */
    static ScryptCost scryptCost() {
        String v = System.getenv("EIDPKI_SCRYPT_LOG2N");
        if (v == null) {
            return ScryptCost.RECOMMENDED;
        }
        ScryptCost cost = new ScryptCost(Integer.parseInt(v), 8, 1);
        // On stdout, in the ceremony's record: stderr carries only the one line of a refusal.
        System.out.println("warning: EIDPKI_SCRYPT_LOG2N=" + cost.log2N() + " weakens the custodian share files"
                + " (recommended: " + ScryptCost.RECOMMENDED.log2N() + "); for tests only");
        return cost;
    }

    static char[] prompt(String custodian, String purpose) {
        Console console = System.console();
        if (console == null) {
            throw new CeremonyException(
                    "custodian " + custodian + ": no console to type the passphrase at, and no passphraseFile");
        }
        return console.readPassword("%s: ", purpose);
    }
}
