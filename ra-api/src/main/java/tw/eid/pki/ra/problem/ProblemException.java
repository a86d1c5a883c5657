package tw.eid.pki.ra.problem;

/**
 * A request the RA API itself refuses (bad input at the edge, before the domain sees it), carried
 * to {@link ProblemMappers} as the problem it becomes.
 */
public final class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Problem problem;

    public ProblemException(int status, String code, String detail) {
        super(code + ": " + detail);
        this.problem = Problem.of(status, code, detail);
    }

    public static ProblemException badRequest(String code, String detail) {
        return new ProblemException(400, code, detail);
    }

    public static ProblemException notFound(String code, String detail) {
        return new ProblemException(404, code, detail);
    }

    public Problem problem() {
        return problem;
    }
}
