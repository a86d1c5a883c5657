package tw.eid.pki.ocsp;

/**
 * One link of the responder's chain (request checks → memory cache → pre-signed store → live
 * signer): it answers a checked request itself or passes it on to the link it was made with, and
 * may keep what that link answered. Never throws for client input.
 */
interface ResponseSource {

    /**
     * What a source answered, and the status of the request's first certificate the answer says
     * (null when it says none the store knows: an error, a serial never issued, or an answer that
     * came from memory and is kept already).
     */
    record Sourced(OcspAnswer answer, OcspResponder.Row row) {

        /** An unsigned error answer (RFC 6960 §2.3). */
        static Sourced error(int responseStatus) {
            return new Sourced(OcspResponder.status(responseStatus), null);
        }
    }

    Sourced answer(OcspQuery query);
}
