package tw.eid.pki.launcher;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tw.eid.pki.ca.ceremony.CeremonyException;
import tw.eid.pki.ca.custody.PinReconstructor;
import tw.eid.pki.ca.custody.ShareLocator;
import tw.eid.pki.ca.custody.ShareUnlock;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.hsm.TokenConfig;
import tw.eid.pki.hsm.TokenHealth;

/**
 * Rebuilds a token's PIN from k custodian shares, in memory only, checks it against the shares'
 * verifier before the token is tried, and logs in. The services use the same path at start-up;
 * this command lets custodians check their shares without starting a service.
 */
@Command(name = "activate", mixinStandardHelpOptions = true,
        description = {"Rebuild a token's PIN from k custodian shares (memory only), check it, log in and report the token's health."})
final class ActivateCommand implements Callable<Integer> {

    @Option(names = "--token-label", required = true, paramLabel = "LABEL", description = "the token to activate (e.g. eid-online)")
    String tokenLabel;

    @Option(names = "--library", paramLabel = "PATH", description = "PKCS#11 library (default: SoftHSM2)")
    Path library = TokenConfig.SOFTHSM2_LIBRARY;

    @Option(names = "--custodian", required = true, paramLabel = "NAME[:PASSFILE]",
            description = "a custodian present; the passphrase is read from PASSFILE or typed at the console")
    List<String> custodians;

    @Option(names = "--shares", paramLabel = "DIR", description = "the shares directory (default: DATA/custody)")
    Path shares;

    @picocli.CommandLine.Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        Path shareDir = shares != null ? shares : store.dataDir().resolve("custody");
        List<ShareUnlock> unlocks = new ArrayList<>();
        for (String c : custodians) {
            String name = c.contains(":") ? c.substring(0, c.indexOf(':')) : c;
            char[] passphrase = c.contains(":")
                    ? java.nio.file.Files.readString(Path.of(c.substring(c.indexOf(':') + 1))).strip().toCharArray()
                    : CeremonyCommand.prompt(name, "passphrase for custodian " + name);
            unlocks.add(new ShareUnlock(ShareLocator.find(shareDir, tokenLabel, name), passphrase));
        }
        char[] pin = new PinReconstructor().reconstruct(tokenLabel, unlocks);
        unlocks.forEach(u -> Arrays.fill(u.passphrase(), '\0'));
        try (Token token = Token.open(TokenConfig.of(library, tokenLabel), pin, Clock.systemUTC())) {
            TokenHealth health = token.probe();
            if (!health.up()) {
                throw new CeremonyException("token '" + tokenLabel + "' is not healthy: " + health.lastError());
            }
            System.out.println("token '" + tokenLabel + "' activated by " + custodians.size()
                    + " custodians: PIN verified, logged in, " + health.openSessions() + " session(s) open");
        } finally {
            Arrays.fill(pin, '\0');
        }
        return 0;
    }
}
