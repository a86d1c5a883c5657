package tw.eid.pki.hsm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;

/**
 * Throw-away SoftHSM2 tokens for tests, with distinct random labels, in the per-run token
 * directory that {@code SOFTHSM2_CONF} names (surefire sets it to {@code target/softhsm}).
 * SoftHSM2 reads SOFTHSM2_CONF once per process, and surefire forks a JVM per test class, so
 * tokens of different classes never meet in one library instance.
 */
public final class SoftHsmTestTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SoftHsmTestTokens() {}

    /** A freshly initialised token: its label and PINs (test PINs; never do this in production). */
    public record TestToken(String label, char[] soPin, char[] userPin) {
        public TokenConfig config() {
            return TokenConfig.of(TokenConfig.SOFTHSM2_LIBRARY, label);
        }

        public Token open(Clock clock) {
            return Token.open(config(), userPin, clock);
        }
    }

    /** The SoftHSM2 configuration of this run, created (with its token directory) if missing. */
    public static synchronized Path conf() {
        String env = System.getenv("SOFTHSM2_CONF");
        if (env == null || env.isBlank()) {
            throw new IllegalStateException("SOFTHSM2_CONF is not set: run tests through Maven (surefire sets it)");
        }
        Path conf = Path.of(env);
        try {
            if (!Files.exists(conf)) {
                Path tokens = conf.getParent().resolve("tokens");
                Files.createDirectories(tokens);
                Files.writeString(
                        conf,
                        "directories.tokendir = " + tokens
                                + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return conf;
    }

    /** Initialises a new token labelled {@code prefix-<random>} with random PINs. */
    public static TestToken create(String prefix) {
        Path conf = conf();
        String label = prefix + "-" + HexFormat.of().formatHex(RANDOM.generateSeed(4));
        char[] so = randomPin();
        char[] user = randomPin();
        new TokenInitializer(TokenConfig.SOFTHSM2_LIBRARY, Map.of("SOFTHSM2_CONF", conf.toString()))
                .initialize(label, so, user);
        return new TestToken(label, so, user);
    }

    public static char[] randomPin() {
        return HexFormat.of().formatHex(RANDOM.generateSeed(12)).toCharArray();
    }
}
