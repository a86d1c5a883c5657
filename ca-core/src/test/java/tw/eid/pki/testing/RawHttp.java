package tw.eid.pki.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.SocketFactory;

/**
 * One HTTP/1.1 exchange written byte for byte on a socket: for the requests Java's HttpClient will
 * not send (a raw {@code %2F} or NUL in the path, an invalid header, an unknown method, a body that
 * never comes) and for reading exactly what a server answers to them. Published in ca-core's
 * test-jar for the servers' hostile-input tests (ra-api over TLS, OCSP and CRLs over plain HTTP).
 */
public final class RawHttp {
    /** What a body must never hold: a Java stack frame, an exception's class name, a package-qualified class. */
    public static final Pattern JAVA_LEAK =
            Pattern.compile("Exception|\\tat |\\b(java|javax|jakarta|org|com|tw)\\.[a-z0-9_]+\\.[A-Za-z0-9_.$]+");

    private RawHttp() {}

    /** An answer: status, headers (names lower case, first value), body (chunks joined). */
    public record Reply(int status, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String contentType() {
            return header("content-type");
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + text();
        }
    }

    /**
     * Sends {@code head} (request line and headers, each ended by CRLF, without the blank line:
     * {@code Connection: close} and the blank line are added) and then {@code body}, if any, on a
     * new connection from {@code sockets}; reads the answer to the end. A server that answers before
     * the body is all written and closes is allowed: the write failure is ignored.
     */
    public static Reply exchange(SocketFactory sockets, int port, String head, byte[] body) throws IOException {
        try (Socket socket = sockets.createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread writer = null;
            if (body != null) {
                // Written beside the read: a server that answers early and closes must not have its
                // answer lost to a reset while this side is still blocked writing.
                writer = new Thread(
                        () -> {
                            try {
                                out.write(body);
                                out.flush();
                            } catch (IOException e) {
                                // the server answered and closed before it read all of it
                            }
                        },
                        "raw-http-body");
                writer.setDaemon(true);
                writer.start();
            }
            try {
                return read(socket.getInputStream());
            } finally {
                if (writer != null) {
                    writer.interrupt();
                }
            }
        }
    }

    /** A GET of {@code target} (sent as is, not encoded again) with {@code Host} and any extra header lines. */
    public static Reply get(SocketFactory sockets, int port, String target, String... headerLines) throws IOException {
        return exchange(sockets, port, request("GET", target, headerLines), null);
    }

    /** Request line, Host and the given header lines, each ended by CRLF. */
    public static String request(String method, String target, String... headerLines) {
        StringBuilder b =
                new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headerLines) {
            b.append(h).append("\r\n");
        }
        return b.toString();
    }

    static Reply read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("the server closed the connection without an answer");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.putIfAbsent(
                    l.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    l.substring(colon + 1).trim());
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
                    size > 0;
                    size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                b.write(in.readNBytes(size));
                line(in);
            }
            body = b.toByteArray();
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if (status == 204 || status == 304) {
            body = new byte[0];
        } else {
            body = readToEnd(in);
        }
        return new Reply(status, headers, body);
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0]; // a reset after the answer's head: no body
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }
}
