package tw.eid.pki.ca.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real three-node MariaDB Galera cluster for tests (Debian's mariadb-server and galera-4, the
 * same script as {@code bin/cluster db-up}), one per JVM, on loopback ports of its own, stopped
 * when the JVM exits. Each test class gets a fresh database through {@link #newDatabase}.
 */
public final class TestGaleraCluster {

    private static TestGaleraCluster shared;

    private final Path repo;
    private final Path dir;
    private final int basePort;
    private final String password;

    private TestGaleraCluster(Path repo, Path dir, int basePort) throws IOException {
        this.repo = repo;
        this.dir = dir;
        this.basePort = basePort;
        run(List.of("db-up"), 300);
        this.password = Files.readString(dir.resolve("db-password")).strip();
    }

    /** The per-JVM cluster, started on first use (about 30 s). */
    public static synchronized TestGaleraCluster shared() {
        if (shared == null) {
            Path repo = repositoryRoot();
            String work = System.getProperty("eidpki.test.workdir", "target/test-work");
            Path dir = Paths.get(work).toAbsolutePath().resolve("galera-" + Long.toHexString(System.nanoTime()));
            // Ports base+1 .. base+105; a random base keeps parallel builds apart, and the range
            // (20000..26005) stays below Linux's ephemeral ports (32768..60999), so an outgoing
            // connection's local port can never hold a node's IST or SST port.
            int base = 20000 + ThreadLocalRandom.current().nextInt(0, 60) * 100;
            try {
                TestGaleraCluster c = new TestGaleraCluster(repo, dir, base);
                Runtime.getRuntime().addShutdownHook(new Thread(c::stop, "test-galera-down"));
                shared = c;
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the test Galera cluster", e);
            }
        }
        return shared;
    }

    static Path repositoryRoot() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !Files.isExecutable(p.resolve("bin/cluster"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException(
                    "bin/cluster not found above " + Paths.get("").toAbsolutePath());
        }
        return p;
    }

    /** Node i's (1..3) MariaDB port. */
    public int port(int node) {
        return basePort + node;
    }

    /** A JDBC URL listing the nodes in the given order (the first is preferred). */
    public String jdbcUrl(String database, int... order) {
        StringBuilder hosts = new StringBuilder();
        for (int n : order) {
            hosts.append(hosts.length() == 0 ? "" : ",").append("127.0.0.1:").append(port(n));
        }
        return "jdbc:mariadb:sequential://" + hosts + "/" + database;
    }

    public DatabasePassword password() {
        return DatabasePassword.fromFile(dir.resolve("db-password"));
    }

    /** Creates an empty database for the test account and returns its name. */
    public String newDatabase(String prefix) {
        String name = prefix + "_" + Long.toHexString(System.nanoTime());
        sql(
                1,
                "CREATE DATABASE " + name
                        + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; GRANT ALL PRIVILEGES ON " + name
                        + ".* TO 'eidpki'@'127.0.0.1'");
        return name;
    }

    /** Settings for the test account on {@code database}, nodes in the given order. */
    public DatabaseSettings settings(String database, int... order) {
        return DatabaseSettings.of(jdbcUrl(database, order), "eidpki", password());
    }

    /** Runs SQL as the node's administrator (through its socket); returns the rows, tab-separated. */
    public String sql(int node, String statement) {
        return run(List.of("sql", Integer.toString(node), statement), 120);
    }

    /** Runs {@code bin/cluster ACTION NODE} (kill-node, stop-node, cont-node, start-node, isolate-node, join-node). */
    public void node(String action, int node) {
        run(List.of(action, Integer.toString(node)), 300);
    }

    public void stop() {
        try {
            run(List.of("down"), 300);
        } catch (RuntimeException e) {
            System.err.println("test-galera: " + e.getMessage());
        }
    }

    private String run(List<String> args, int timeoutSeconds) {
        List<String> command = new ArrayList<>();
        command.add(repo.resolve("bin/cluster").toString());
        command.addAll(args);
        command.addAll(List.of("--dir", dir.toString(), "--base-port", Integer.toString(basePort)));
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("bin/cluster " + args + " timed out");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("bin/cluster " + args + " failed: " + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("bin/cluster " + args + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
