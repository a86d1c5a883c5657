package tw.eid.pki.ra.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Any authenticated operator, whatever the role (docs/api.md's "—": {@code /health}; and the OpenAPI
 * document). Authentication itself — a valid, unrevoked client certificate — still applies.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface AnyOperator {}
