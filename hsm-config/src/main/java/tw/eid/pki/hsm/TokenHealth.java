package tw.eid.pki.hsm;

import java.time.Instant;

/**
 * The token's health as {@code /health} reports it.
 *
 * @param up               the last call succeeded (or no call has failed since the last recovery)
 * @param since            when the current state began
 * @param lastError        the last failure, e.g. {@code C_Sign returned CKR_DEVICE_ERROR}; null when up
 * @param restartRequired  the token has been down longer than {@link TokenConfig#restartAfter()}: the
 *                         supervisor should restart the process, because SunPKCS11 cannot reload a
 *                         library inside a running JVM
 */
public record TokenHealth(
        String tokenLabel,
        boolean up,
        Instant since,
        String lastError,
        boolean restartRequired,
        int openSessions,
        int maxSessions) {}
