package tw.eid.pki.ra.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import tw.eid.pki.ca.profile.OperatorRole;

/**
 * The roles that may call a resource method (docs/api.md's table). A resource method without this
 * annotation and without {@link AnyOperator} is refused to every role: the default is deny.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Allowed {
    OperatorRole[] value();
}
