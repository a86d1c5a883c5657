package tw.eid.pki.ca.cvc;

/** What a stored CV certificate is, and the TR-03139 validity range it keeps to. */
public enum CvKind {
    CVCA(CvProfile.CVCA),
    LINK(CvProfile.LINK),
    DV(CvProfile.DV),
    TERMINAL(CvProfile.TERMINAL);

    private final CvProfile profile;

    CvKind(CvProfile profile) {
        this.profile = profile;
    }

    public CvProfile profile() {
        return profile;
    }
}
