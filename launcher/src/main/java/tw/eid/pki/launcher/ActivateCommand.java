package tw.eid.pki.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import tw.eid.pki.ca.ceremony.CeremonyException;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.hsm.TokenHealth;

/**
 * Rebuilds a token's PIN from k custodian shares, in memory only, checks it against the shares'
 * verifier before the token is tried, and logs in. The services activate the same way at
 * start-up; this command lets custodians check their shares without starting a service.
 */
@Command(
        name = "activate",
        mixinStandardHelpOptions = true,
        description = {
            "Rebuild a token's PIN from k custodian shares (memory only), check it, log in and report the token's health."
        })
final class ActivateCommand implements Callable<Integer> {

    @Mixin
    OnlineCustodianOptions custodians;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        try (Token token = custodians.open(store.dataDir(), CommandClock.system())) {
            TokenHealth health = token.probe();
            if (!health.up()) {
                throw new CeremonyException("token '" + token.label() + "' is not healthy: " + health.lastError());
            }
            System.out.println("token '" + token.label() + "' activated by " + custodians.custodians.size()
                    + " custodians: PIN verified, logged in, " + health.openSessions() + " session(s) open");
        }
        return 0;
    }
}
