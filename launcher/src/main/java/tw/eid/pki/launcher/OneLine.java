package tw.eid.pki.launcher;

/** The one line a failed command prints: the message of the most telling exception. */
final class OneLine {
    private OneLine() {}

    static String of(Throwable e) {
        Throwable t = e;
        String message = t.getMessage();
        while ((message == null || message.isBlank()) && t.getCause() != null) {
            t = t.getCause();
            message = t.getMessage();
        }
        if (message == null || message.isBlank()) {
            message = t.getClass().getSimpleName();
        }
        return message.replace('\n', ' ').strip();
    }
}
