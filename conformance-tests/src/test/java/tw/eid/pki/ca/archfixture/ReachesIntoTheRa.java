package tw.eid.pki.ca.archfixture;

import tw.eid.pki.ra.RaConfig;

/**
 * A deliberately wrong dependency, in test code only: a class in ca-core's package space that
 * uses the RA module. {@code ArchitectureTest} shows that the module rule fails on it.
 */
public final class ReachesIntoTheRa {
    private ReachesIntoTheRa() {}

    /** A parameter of the RA's type: a real dependency in the class file (a constant would be inlined). */
    public static String describe(RaConfig config) {
        return String.valueOf(config);
    }
}
