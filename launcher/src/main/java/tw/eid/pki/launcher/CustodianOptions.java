package tw.eid.pki.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;
import tw.eid.pki.ca.custody.PinReconstructor;
import tw.eid.pki.ca.custody.ShareLocator;
import tw.eid.pki.ca.custody.ShareUnlock;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.hsm.TokenConfig;

/**
 * Activation of a token by k custodians (docs/architecture.md): the PIN is rebuilt from their shares
 * in memory only, checked against the shares' verifier, used to log in, and cleared. The options
 * every such command shares; which token is the default is the group's: {@link OnlineCustodianOptions}
 * for acts with the online token, {@link OfflineCustodianOptions} for acts of an offline key. An
 * explicit {@code --token-label} is always honoured.
 */
abstract class CustodianOptions {
    static final String ONLINE = "eid-online";
    static final String OFFLINE = "eid-offline";

    /** The token to activate: the group's default until {@code --token-label} names another. */
    @Option(
            names = "--token-label",
            paramLabel = "LABEL",
            description = "the token to activate (default: ${DEFAULT-VALUE})")
    String tokenLabel;

    CustodianOptions(String defaultTokenLabel) {
        tokenLabel = defaultTokenLabel;
    }

    /** The token to activate: {@code --token-label}, or the group's default. */
    String tokenLabel() {
        return tokenLabel;
    }

    @Option(
            names = "--library",
            paramLabel = "PATH",
            converter = PathOptions.ExistingFile.class,
            description = "PKCS#11 library (default: SoftHSM2)")
    Path library = TokenConfig.SOFTHSM2_LIBRARY;

    @Option(
            names = "--custodian",
            required = true,
            paramLabel = "NAME[:PASSFILE]",
            converter = Present.class,
            description =
                    "a custodian present (k of them); the passphrase is read from PASSFILE or typed at the console")
    List<String> custodians;

    @Option(
            names = "--shares",
            paramLabel = "DIR",
            converter = PathOptions.ExistingDirectory.class,
            description = "the shares directory (default: DATA/custody)")
    Path shares;

    /** Who acted, for the audit trail: the custodians present. */
    String actorId() {
        return "custodians:" + names(custodians);
    }

    Token open(Path dataDir, Clock clock) throws IOException {
        return open(library, tokenLabel(), custodians, shares, dataDir, clock);
    }

    /** The custodians' names of NAME[:PASSFILE] values, joined by '+'. */
    static String names(List<String> custodians) {
        List<String> names = new ArrayList<>();
        for (String c : custodians) {
            names.add(c.contains(":") ? c.substring(0, c.indexOf(':')) : c);
        }
        return String.join("+", names);
    }

    /**
     * Activates {@code tokenLabel} with the shares of {@code custodians} (NAME[:PASSFILE]) from
     * {@code shares}, or DATA/custody: what every custodian group does, {@link OnlineTokenCustodians} too.
     */
    static Token open(Path library, String tokenLabel, List<String> custodians, Path shares, Path dataDir, Clock clock)
            throws IOException {
        Path shareDir = shares != null ? shares : dataDir.resolve("custody");
        List<ShareUnlock> unlocks = new ArrayList<>();
        for (String c : custodians) {
            String name = c.contains(":") ? c.substring(0, c.indexOf(':')) : c;
            char[] passphrase = c.contains(":")
                    ? Files.readString(Path.of(c.substring(c.indexOf(':') + 1)))
                            .strip()
                            .toCharArray()
                    : CeremonyCommand.prompt(name, "passphrase for custodian " + name);
            unlocks.add(new ShareUnlock(ShareLocator.find(shareDir, tokenLabel, name), passphrase));
        }
        char[] pin = new PinReconstructor().reconstruct(tokenLabel, unlocks);
        unlocks.forEach(u -> Arrays.fill(u.passphrase(), '\0'));
        try {
            return Token.open(TokenConfig.of(library, tokenLabel), pin, clock);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    /** NAME[:PASSFILE], checked while the arguments are parsed: a name, and a passphrase file that is there to read. */
    static final class Present implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            int colon = value.indexOf(':');
            String name = colon < 0 ? value : value.substring(0, colon);
            if (name.isBlank()) {
                throw new TypeConversionException("'" + value + "' names no custodian (NAME[:PASSFILE])");
            }
            if (colon >= 0) {
                String file = value.substring(colon + 1);
                if (file.isEmpty()) {
                    throw new TypeConversionException("custodian " + name + ": no passphrase file after ':'");
                }
                PathOptions.ExistingFile.check(Path.of(file), "custodian " + name + ": passphrase file ");
            }
            return value;
        }
    }
}
