package tw.eid.pki.hsm;

/**
 * The PKCS#11 v2.40 constants this module uses, named as in the standard. Kept here rather than
 * borrowed from the JDK's internal {@code PKCS11Constants}, whose shape changes between releases.
 */
final class Pkcs11 {
    private Pkcs11() {}

    // Object classes (CKO_*)
    static final long CKO_CERTIFICATE = 0x1;
    static final long CKO_PUBLIC_KEY = 0x2;
    static final long CKO_PRIVATE_KEY = 0x3;
    static final long CKO_SECRET_KEY = 0x4;

    // Key types (CKK_*)
    static final long CKK_RSA = 0x0;
    static final long CKK_EC = 0x3;
    static final long CKK_GENERIC_SECRET = 0x10;
    static final long CKK_AES = 0x1F;

    // Attributes (CKA_*)
    static final long CKA_CLASS = 0x0;
    static final long CKA_TOKEN = 0x1;
    static final long CKA_PRIVATE = 0x2;
    static final long CKA_LABEL = 0x3;
    static final long CKA_VALUE = 0x11;
    static final long CKA_KEY_TYPE = 0x100;
    static final long CKA_ID = 0x102;
    static final long CKA_SENSITIVE = 0x103;
    static final long CKA_ENCRYPT = 0x104;
    static final long CKA_DECRYPT = 0x105;
    static final long CKA_WRAP = 0x106;
    static final long CKA_UNWRAP = 0x107;
    static final long CKA_SIGN = 0x108;
    static final long CKA_SIGN_RECOVER = 0x109;
    static final long CKA_VERIFY = 0x10A;
    static final long CKA_VERIFY_RECOVER = 0x10B;
    static final long CKA_DERIVE = 0x10C;
    static final long CKA_MODULUS = 0x120;
    static final long CKA_MODULUS_BITS = 0x121;
    static final long CKA_PUBLIC_EXPONENT = 0x122;
    static final long CKA_VALUE_LEN = 0x161;
    static final long CKA_EXTRACTABLE = 0x162;
    static final long CKA_NEVER_EXTRACTABLE = 0x164;
    static final long CKA_ALWAYS_SENSITIVE = 0x165;
    static final long CKA_MODIFIABLE = 0x170;
    static final long CKA_EC_PARAMS = 0x180;
    static final long CKA_EC_POINT = 0x181;

    // Mechanisms (CKM_*)
    static final long CKM_RSA_PKCS_KEY_PAIR_GEN = 0x0;
    static final long CKM_RSA_PKCS = 0x1;
    static final long CKM_SHA256_HMAC = 0x251;
    static final long CKM_GENERIC_SECRET_KEY_GEN = 0x350;
    static final long CKM_EC_KEY_PAIR_GEN = 0x1040;
    static final long CKM_ECDSA = 0x1041;
    static final long CKM_AES_KEY_GEN = 0x1080;
    static final long CKM_AES_GCM = 0x1087;
    static final long CKM_AES_KEY_WRAP = 0x2109;

    // C_Initialize flags
    static final long CKF_OS_LOCKING_OK = 0x2;

    // Sessions and users
    static final long CKF_RW_SESSION = 0x2;
    static final long CKF_SERIAL_SESSION = 0x4;
    static final long CKF_TOKEN_INITIALIZED = 0x400;
    static final long CKF_USER_PIN_INITIALIZED = 0x8;
    static final long CKU_USER = 0x1;

    // Return values (CKR_*)
    static final long CKR_GENERAL_ERROR = 0x5;
    static final long CKR_FUNCTION_FAILED = 0x6;
    static final long CKR_SLOT_ID_INVALID = 0x3;
    static final long CKR_ATTRIBUTE_SENSITIVE = 0x11;
    static final long CKR_DEVICE_ERROR = 0x30;
    static final long CKR_ENCRYPTED_DATA_INVALID = 0x40;
    static final long CKR_DEVICE_MEMORY = 0x31;
    static final long CKR_DEVICE_REMOVED = 0x32;
    static final long CKR_KEY_HANDLE_INVALID = 0x60;
    static final long CKR_KEY_UNEXTRACTABLE = 0x6A;
    static final long CKR_OBJECT_HANDLE_INVALID = 0x82;
    static final long CKR_OPERATION_ACTIVE = 0x90;
    static final long CKR_OPERATION_NOT_INITIALIZED = 0x91;
    static final long CKR_PIN_INCORRECT = 0xA0;
    static final long CKR_PIN_LOCKED = 0xA4;
    static final long CKR_SESSION_CLOSED = 0xB0;
    static final long CKR_SESSION_COUNT = 0xB1;
    static final long CKR_SESSION_HANDLE_INVALID = 0xB3;
    static final long CKR_TOKEN_NOT_PRESENT = 0xE0;
    static final long CKR_TOKEN_NOT_RECOGNIZED = 0xE1;
    static final long CKR_USER_ALREADY_LOGGED_IN = 0x100;
    static final long CKR_USER_NOT_LOGGED_IN = 0x101;
    static final long CKR_CRYPTOKI_NOT_INITIALIZED = 0x190;

    /**
     * Failures after which a session (or the whole login) can no longer be trusted: the session is
     * evicted, the token logged in again and the call retried once.
     */
    static boolean isSessionOrDeviceFailure(long ckr) {
        return ckr == CKR_SESSION_HANDLE_INVALID
                || ckr == CKR_SESSION_CLOSED
                || ckr == CKR_USER_NOT_LOGGED_IN
                || ckr == CKR_DEVICE_ERROR
                || ckr == CKR_DEVICE_MEMORY
                || ckr == CKR_DEVICE_REMOVED
                || ckr == CKR_TOKEN_NOT_PRESENT
                || ckr == CKR_TOKEN_NOT_RECOGNIZED
                || ckr == CKR_GENERAL_ERROR
                || ckr == CKR_FUNCTION_FAILED
                || ckr == CKR_OPERATION_ACTIVE
                || ckr == CKR_OPERATION_NOT_INITIALIZED
                || ckr == CKR_SLOT_ID_INVALID
                || ckr == CKR_SESSION_COUNT
                || ckr == CKR_KEY_HANDLE_INVALID
                || ckr == CKR_OBJECT_HANDLE_INVALID
                || ckr == CKR_CRYPTOKI_NOT_INITIALIZED;
    }

    static String name(long ckr) {
        if (ckr == CKR_GENERAL_ERROR) return "CKR_GENERAL_ERROR";
        if (ckr == CKR_FUNCTION_FAILED) return "CKR_FUNCTION_FAILED";
        if (ckr == CKR_SLOT_ID_INVALID) return "CKR_SLOT_ID_INVALID";
        if (ckr == CKR_ATTRIBUTE_SENSITIVE) return "CKR_ATTRIBUTE_SENSITIVE";
        if (ckr == CKR_DEVICE_ERROR) return "CKR_DEVICE_ERROR";
        if (ckr == CKR_ENCRYPTED_DATA_INVALID) return "CKR_ENCRYPTED_DATA_INVALID";
        if (ckr == CKR_DEVICE_MEMORY) return "CKR_DEVICE_MEMORY";
        if (ckr == CKR_DEVICE_REMOVED) return "CKR_DEVICE_REMOVED";
        if (ckr == CKR_KEY_HANDLE_INVALID) return "CKR_KEY_HANDLE_INVALID";
        if (ckr == CKR_KEY_UNEXTRACTABLE) return "CKR_KEY_UNEXTRACTABLE";
        if (ckr == CKR_OBJECT_HANDLE_INVALID) return "CKR_OBJECT_HANDLE_INVALID";
        if (ckr == CKR_OPERATION_ACTIVE) return "CKR_OPERATION_ACTIVE";
        if (ckr == CKR_PIN_INCORRECT) return "CKR_PIN_INCORRECT";
        if (ckr == CKR_PIN_LOCKED) return "CKR_PIN_LOCKED";
        if (ckr == CKR_SESSION_CLOSED) return "CKR_SESSION_CLOSED";
        if (ckr == CKR_SESSION_COUNT) return "CKR_SESSION_COUNT";
        if (ckr == CKR_SESSION_HANDLE_INVALID) return "CKR_SESSION_HANDLE_INVALID";
        if (ckr == CKR_TOKEN_NOT_PRESENT) return "CKR_TOKEN_NOT_PRESENT";
        if (ckr == CKR_USER_NOT_LOGGED_IN) return "CKR_USER_NOT_LOGGED_IN";
        if (ckr == CKR_CRYPTOKI_NOT_INITIALIZED) return "CKR_CRYPTOKI_NOT_INITIALIZED";
        return String.format("CKR_0x%X", ckr);
    }
}
