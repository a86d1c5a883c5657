package tw.eid.pki.ca.document;

import java.util.ArrayList;
import java.util.List;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.store.Database;

/**
 * The SOD benchmark's way to {@link SodCommitter#write} (package-private): SODs already signed are
 * stored, cards personalized and audit events appended, one transaction per call, exactly as the
 * committer thread does for a batch of concurrent requests. A benchmark floor, not an API.
 */
public final class SodStoreProbe {
    private final SodCommitter committer;

    public SodStoreProbe(Database database, AuditLedger audit, int maxBatch) {
        this.committer = new SodCommitter(database, audit, maxBatch);
    }

    /** Stores {@code efSod} (signed by {@code signer}) for each request in one transaction; throws unless all are stored. */
    public void store(Actor actor, List<SodRequest> requests, DocumentSignerPool.Reserved signer, byte[] efSod) {
        List<SodCommitter.Pending> batch = new ArrayList<>(requests.size());
        for (SodRequest r : requests) {
            batch.add(new SodCommitter.Pending(actor, r, signer, efSod));
        }
        committer.write(batch);
        for (SodCommitter.Pending p : batch) {
            p.done().join(); // completed by write(); throws its refusal or failure
        }
    }
}
