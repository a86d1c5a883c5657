package tw.eid.pki.ca.profile;

import java.util.Objects;

/**
 * A holder name the registration data offers is refused by the rules of docs/profiles.md ("Names").
 * Each rule has a stable {@link Code}; the RA API maps every code to HTTP 422 (a well-formed
 * request that policy refuses). The message names the rule and, where useful, the offending code
 * point and its position, never the name itself (names are personal data, docs/architecture.md).
 */
public final class InvalidHolderNameException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the name was refused. The {@link #id()} strings are stable. */
    public enum Code {
        /** Empty, or white space only. */
        NAME_EMPTY("name.empty"),
        /** More than {@link HolderName#MAX_CODE_POINTS} code points after NFC. */
        NAME_TOO_LONG("name.too-long"),
        /** White space at the start or the end. */
        NAME_EDGE_WHITESPACE("name.edge-whitespace"),
        /** NUL, a C0 or C1 control character, or a line or paragraph separator. */
        NAME_CONTROL_CHARACTER("name.control-character"),
        /** A bidirectional mark, embedding, override or isolate (U+061C, U+200E/F, U+202A–E, U+2066–9). */
        NAME_BIDI_CONTROL("name.bidi-control"),
        /** Another invisible format character (general category Cf: zero-width space, BOM, tags, …). */
        NAME_FORMAT_CHARACTER("name.format-character"),
        /** A surrogate code unit without its partner (the string is not well-formed UTF-16). */
        NAME_UNPAIRED_SURROGATE("name.unpaired-surrogate"),
        /** A Unicode noncharacter (U+FDD0–U+FDEF, U+xxFFFE, U+xxFFFF). */
        NAME_NONCHARACTER("name.noncharacter"),
        /** A Private Use Area code point that is not in the configured allow-list. */
        NAME_PRIVATE_USE_NOT_ALLOWED("name.private-use-not-allowed");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Code code;

    InvalidHolderNameException(Code code, String message) {
        super(code.id() + ": " + message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public Code code() {
        return code;
    }
}
