package tw.eid.pki.ca.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** How the store sorts a failed transaction: run again, on a new connection, or not at all. */
class DatabaseFailureClassesTest {

    private static SQLException mariadb(String state, int code) {
        return new SQLException("from the server", state, code);
    }

    @Test
    void aPoisonedTriggerCacheDropsTheConnectionAndRunsTheTransactionAgain() {
        SQLException poisoned = mariadb("HY000", 1710);
        assertThat(Database.isNodeFailure(new RuntimeException("wrapped", poisoned)))
                .isTrue();
        assertThat(Database.isTransactionConflict(poisoned)).isFalse();
        assertThat(new Database.EvictFromLaggingNode().adjudicate(poisoned))
                .isEqualTo(SQLExceptionOverride.Override.MUST_EVICT);
    }

    @Test
    void nodeFailuresConflictsAndPlainErrorsAreToldApart() {
        assertThat(Database.isNodeFailure(mariadb("08S01", 1047))).isTrue();
        assertThat(Database.isTransactionConflict(mariadb("40001", 1213))).isTrue();
        assertThat(Database.isNodeFailure(mariadb("40001", 1213))).isFalse();
        SQLException syntax = mariadb("42000", 1064);
        assertThat(Database.isNodeFailure(syntax)).isFalse();
        assertThat(Database.isTransactionConflict(syntax)).isFalse();
        assertThat(new Database.EvictFromLaggingNode().adjudicate(syntax))
                .isEqualTo(SQLExceptionOverride.Override.CONTINUE_EVICT);
        SQLTransientConnectionException timeout = new SQLTransientConnectionException("request timed out");
        assertThat(Database.isPoolTimeout(new RuntimeException(timeout))).isTrue();
        assertThat(Database.isPoolTimeout(mariadb("08S01", 1047))).isFalse();
    }
}
