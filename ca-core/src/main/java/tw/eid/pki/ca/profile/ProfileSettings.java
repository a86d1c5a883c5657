package tw.eid.pki.ca.profile;

import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The configurable part of the profiles (docs/profiles.md, values marked <em>config</em>). The
 * constructor refuses settings that would issue something outside docs/profiles.md, so a bad
 * configuration fails at start-up, not in a ceremony.
 *
 * @param names subject names of CAs and signers
 * @param publicationBase where certificates and CRLs are published: an absolute {@code http} URL
 *     without query or fragment. AIA and CRL DP URLs are {@code {base}/certs/{ca}.crt} and {@code
 *     {base}/crl/{ca}.crl}. Plain http on purpose: RFC 5280 §4.2.1.13 and §4.2.2.1 describe
 *     HTTP URIs, and an https URL for revocation data would need revocation checking of its own.
 * @param citizenCaPolicies certificate policy OIDs of the Citizen CA certificate, dotted form,
 *     at least one, no duplicates. The defaults are placeholders: RFC 7229's test policy arc
 *     1.3.6.1.5.5.7.13 (id-TEST-certPolicyOne), to be replaced by the ministry's registered arc.
 * @param ocspSignerValidity lifetime of a delegated OCSP signer certificate, 1 day to 90 days
 *     (docs/profiles.md); default 30 days, because an id-pkix-ocsp-nocheck certificate cannot itself be
 *     revoked usefully and RFC 6960 §4.2.2.2.1 asks for a short lifetime
 * @param cscaKeyUsageYears the CSCA's private key usage period, 3 to 5 years (ICAO 9303-12)
 * @param documentSignerKeyUsage a Document Signer's private key usage period, 1 day to 90 days
 *     (docs/profiles.md: at most 3 months)
 * @param cardLifetimeYears how long a card (and its SOD) stays valid, 1 to 10 years
 * @param rootArlLifetime nextUpdate − thisUpdate of the Citizen Root ARL, 1 day to 366 days
 *     (docs/profiles.md: at most 12 months, which is 366 days in a leap year)
 * @param cscaCrlLifetime nextUpdate − thisUpdate of the CSCA CRL, 1 day to 90 days (ICAO
 *     9303-12: a CSCA issues a CRL at least every 90 days)
 * @param citizenPolicies certificate policy OIDs of the citizen signature and encryption
 *     certificates: at least one, no duplicates, no anyPolicy, each among {@code
 *     citizenCaPolicies} (RFC 5280 §6.1.3 (d): a policy the CA certificate does not carry would
 *     not survive path validation). Default: the same placeholder as the CA.
 * @param citizenSignatureExtendedKeyUsages extKeyUsage OIDs of the citizen signature certificate,
 *     in order; default clientAuth, emailProtection (docs/profiles.md). anyExtendedKeyUsage,
 *     serverAuth, codeSigning, timeStamping and OCSPSigning are refused: a citizen's card key
 *     must not be able to act as a server, sign code, stamp time or answer OCSP.
 * @param holderNamePrivateUse the Private Use Area code points (rare characters of the household
 *     registration) that a holder name may contain (docs/profiles.md, "Names"); default none
 * @param operatorRolePolicies the certificate policy OID that marks each {@link OperatorRole} in
 *     an operator certificate: every role mapped, OIDs distinct from each other and from the
 *     citizen policies. The defaults are placeholders from the same RFC 7229 test arc:
 *     1.3.6.1.5.5.7.13.2 (officer) to .6 (personalization). RFC 7229 assigns .1 to .8 for
 *     exactly this, testing certificate handling, so they can never collide with a real
 *     policy, and they read as placeholders to anyone who looks; a sub-arc of the government's
 *     2.16.886 arc would be squatting on numbers someone else assigns.
 * @param operatorValidity lifetime of an operator certificate, 1 day to 731 days (docs/profiles.md:
 *     at most 2 years); default 730 days
 * @param raTlsServerValidity lifetime of the RA API's TLS server certificate, 1 day to 397 days
 *     (the CA/Browser Forum's limit, which TLS clients enforce); default 397 days
 */
public record ProfileSettings(
        PkiNames names,
        URI publicationBase,
        List<String> citizenCaPolicies,
        Duration ocspSignerValidity,
        int cscaKeyUsageYears,
        Duration documentSignerKeyUsage,
        int cardLifetimeYears,
        Duration rootArlLifetime,
        Duration cscaCrlLifetime,
        List<String> citizenPolicies,
        List<String> citizenSignatureExtendedKeyUsages,
        Set<Integer> holderNamePrivateUse,
        Map<OperatorRole, String> operatorRolePolicies,
        Duration operatorValidity,
        Duration raTlsServerValidity) {

    /** id-TEST-certPolicyOne (RFC 7229 §2): a placeholder until the ministry's policy OID arc is assigned. */
    public static final String PLACEHOLDER_POLICY = "1.3.6.1.5.5.7.13.1";

    private static final String ANY_POLICY = "2.5.29.32.0";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
    /** anyExtendedKeyUsage, serverAuth, codeSigning, timeStamping, OCSPSigning. */
    private static final Set<String> FORBIDDEN_CITIZEN_EKUS =
            Set.of("2.5.29.37.0", "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.3", "1.3.6.1.5.5.7.3.8", "1.3.6.1.5.5.7.3.9");

    public ProfileSettings {
        Objects.requireNonNull(names, "names");
        publicationBase = checkedBase(publicationBase);
        citizenCaPolicies = List.copyOf(Objects.requireNonNull(citizenCaPolicies, "citizenCaPolicies"));
        if (citizenCaPolicies.isEmpty()) {
            throw new IllegalArgumentException("citizenCaPolicies must name at least one policy OID");
        }
        if (citizenCaPolicies.stream().distinct().count() != citizenCaPolicies.size()) {
            throw new IllegalArgumentException("citizenCaPolicies has duplicates (RFC 5280 §4.2.1.4)");
        }
        for (String oid : citizenCaPolicies) {
            if (oid == null || !isOid(oid)) {
                throw new IllegalArgumentException("not an OID: " + oid);
            }
            if ("2.5.29.32.0".equals(oid)) {
                // anyPolicy in a CA certificate would let it vouch for any policy (RFC 5280 §4.2.1.4).
                throw new IllegalArgumentException("anyPolicy is not allowed in citizenCaPolicies");
            }
        }
        checkDuration("ocspSignerValidity", ocspSignerValidity, Duration.ofDays(90));
        if (cscaKeyUsageYears < 3 || cscaKeyUsageYears > 5) {
            throw new IllegalArgumentException("cscaKeyUsageYears must be 3..5: " + cscaKeyUsageYears);
        }
        checkDuration("documentSignerKeyUsage", documentSignerKeyUsage, Duration.ofDays(90));
        if (cardLifetimeYears < 1 || cardLifetimeYears > 10) {
            throw new IllegalArgumentException("cardLifetimeYears must be 1..10: " + cardLifetimeYears);
        }
        checkDuration("rootArlLifetime", rootArlLifetime, Duration.ofDays(366));
        checkDuration("cscaCrlLifetime", cscaCrlLifetime, Duration.ofDays(90));

        citizenPolicies = List.copyOf(Objects.requireNonNull(citizenPolicies, "citizenPolicies"));
        checkPolicies("citizenPolicies", citizenPolicies);
        if (!citizenCaPolicies.containsAll(citizenPolicies)) {
            throw new IllegalArgumentException("citizenPolicies must be among citizenCaPolicies (RFC 5280 §6.1.3)");
        }
        citizenSignatureExtendedKeyUsages = List.copyOf(
                Objects.requireNonNull(citizenSignatureExtendedKeyUsages, "citizenSignatureExtendedKeyUsages"));
        if (citizenSignatureExtendedKeyUsages.isEmpty()
                || citizenSignatureExtendedKeyUsages.stream().distinct().count()
                        != citizenSignatureExtendedKeyUsages.size()) {
            throw new IllegalArgumentException(
                    "citizenSignatureExtendedKeyUsages must be non-empty without duplicates");
        }
        for (String oid : citizenSignatureExtendedKeyUsages) {
            if (oid == null || !isOid(oid)) {
                throw new IllegalArgumentException("not an OID: " + oid);
            }
            if (FORBIDDEN_CITIZEN_EKUS.contains(oid)) {
                throw new IllegalArgumentException("extKeyUsage " + oid + " is not allowed in a citizen certificate");
            }
        }
        holderNamePrivateUse = Set.copyOf(Objects.requireNonNull(holderNamePrivateUse, "holderNamePrivateUse"));
        for (int cp : holderNamePrivateUse) {
            if (!HolderName.isPrivateUse(cp)) {
                throw new IllegalArgumentException(String.format("U+%04X is not a Private Use Area code point", cp));
            }
        }
        Objects.requireNonNull(operatorRolePolicies, "operatorRolePolicies");
        Set<String> roleOids = new HashSet<>();
        for (OperatorRole role : OperatorRole.values()) {
            String oid = operatorRolePolicies.get(role);
            if (oid == null || !isOid(oid) || ANY_POLICY.equals(oid)) {
                throw new IllegalArgumentException(
                        "operatorRolePolicies needs a policy OID for " + role.id() + ": " + oid);
            }
            if (!roleOids.add(oid) || citizenCaPolicies.contains(oid) || citizenPolicies.contains(oid)) {
                throw new IllegalArgumentException("operator role policy " + oid + " is used twice");
            }
        }
        operatorRolePolicies = Map.copyOf(operatorRolePolicies);
        checkDuration("operatorValidity", operatorValidity, Duration.ofDays(731));
        checkDuration("raTlsServerValidity", raTlsServerValidity, Duration.ofDays(397));
    }

    /**
     * The settings of the ceremony profiles alone, with the defaults for everything the end-entity
     * profiles added (kept so that callers written before them still compile).
     */
    public ProfileSettings(
            PkiNames names,
            URI publicationBase,
            List<String> citizenCaPolicies,
            Duration ocspSignerValidity,
            int cscaKeyUsageYears,
            Duration documentSignerKeyUsage,
            int cardLifetimeYears,
            Duration rootArlLifetime,
            Duration cscaCrlLifetime) {
        this(
                names,
                publicationBase,
                citizenCaPolicies,
                ocspSignerValidity,
                cscaKeyUsageYears,
                documentSignerKeyUsage,
                cardLifetimeYears,
                rootArlLifetime,
                cscaCrlLifetime,
                citizenCaPolicies == null || citizenCaPolicies.isEmpty()
                        ? List.of()
                        : List.of(citizenCaPolicies.get(0)),
                List.of(CLIENT_AUTH, EMAIL_PROTECTION),
                Set.of(),
                defaultRolePolicies(),
                Duration.ofDays(730),
                Duration.ofDays(397));
    }

    /** The defaults: names from {@link PkiNames#defaults()}, http://127.0.0.1:8080, placeholder policy. */
    public static ProfileSettings defaults() {
        return new ProfileSettings(
                PkiNames.defaults(),
                URI.create("http://127.0.0.1:8080"),
                List.of(PLACEHOLDER_POLICY),
                Duration.ofDays(30),
                5,
                Duration.ofDays(90),
                10,
                Duration.ofDays(365),
                Duration.ofDays(90),
                List.of(PLACEHOLDER_POLICY),
                List.of(CLIENT_AUTH, EMAIL_PROTECTION),
                Set.of(),
                defaultRolePolicies(),
                Duration.ofDays(730),
                Duration.ofDays(397));
    }

    /** RFC 7229 id-TEST-certPolicyTwo … Six: placeholders, see {@link #operatorRolePolicies()}. */
    private static Map<OperatorRole, String> defaultRolePolicies() {
        Map<OperatorRole, String> m = new EnumMap<>(OperatorRole.class);
        m.put(OperatorRole.OFFICER, "1.3.6.1.5.5.7.13.2");
        m.put(OperatorRole.SUPERVISOR, "1.3.6.1.5.5.7.13.3");
        m.put(OperatorRole.AUDITOR, "1.3.6.1.5.5.7.13.4");
        m.put(OperatorRole.ADMIN, "1.3.6.1.5.5.7.13.5");
        m.put(OperatorRole.PERSONALIZATION, "1.3.6.1.5.5.7.13.6");
        return m;
    }

    /** A copy with another publication base URL. */
    public ProfileSettings withPublicationBase(URI base) {
        return new ProfileSettings(
                names,
                base,
                citizenCaPolicies,
                ocspSignerValidity,
                cscaKeyUsageYears,
                documentSignerKeyUsage,
                cardLifetimeYears,
                rootArlLifetime,
                cscaCrlLifetime,
                citizenPolicies,
                citizenSignatureExtendedKeyUsages,
                holderNamePrivateUse,
                operatorRolePolicies,
                operatorValidity,
                raTlsServerValidity);
    }

    /** A copy with other subject names. */
    public ProfileSettings withNames(PkiNames newNames) {
        return new ProfileSettings(
                newNames,
                publicationBase,
                citizenCaPolicies,
                ocspSignerValidity,
                cscaKeyUsageYears,
                documentSignerKeyUsage,
                cardLifetimeYears,
                rootArlLifetime,
                cscaCrlLifetime,
                citizenPolicies,
                citizenSignatureExtendedKeyUsages,
                holderNamePrivateUse,
                operatorRolePolicies,
                operatorValidity,
                raTlsServerValidity);
    }

    /** A copy with another nextUpdate − thisUpdate for the Citizen Root's ARL. */
    public ProfileSettings withRootArlLifetime(Duration lifetime) {
        return new ProfileSettings(
                names,
                publicationBase,
                citizenCaPolicies,
                ocspSignerValidity,
                cscaKeyUsageYears,
                documentSignerKeyUsage,
                cardLifetimeYears,
                lifetime,
                cscaCrlLifetime,
                citizenPolicies,
                citizenSignatureExtendedKeyUsages,
                holderNamePrivateUse,
                operatorRolePolicies,
                operatorValidity,
                raTlsServerValidity);
    }

    /** A copy with another nextUpdate − thisUpdate for the CSCA CRL. */
    public ProfileSettings withCscaCrlLifetime(Duration lifetime) {
        return new ProfileSettings(
                names,
                publicationBase,
                citizenCaPolicies,
                ocspSignerValidity,
                cscaKeyUsageYears,
                documentSignerKeyUsage,
                cardLifetimeYears,
                rootArlLifetime,
                lifetime,
                citizenPolicies,
                citizenSignatureExtendedKeyUsages,
                holderNamePrivateUse,
                operatorRolePolicies,
                operatorValidity,
                raTlsServerValidity);
    }

    /** A copy with another allow-list of Private Use Area code points in holder names. */
    public ProfileSettings withHolderNamePrivateUse(Set<Integer> codePoints) {
        return new ProfileSettings(
                names,
                publicationBase,
                citizenCaPolicies,
                ocspSignerValidity,
                cscaKeyUsageYears,
                documentSignerKeyUsage,
                cardLifetimeYears,
                rootArlLifetime,
                cscaCrlLifetime,
                citizenPolicies,
                citizenSignatureExtendedKeyUsages,
                codePoints,
                operatorRolePolicies,
                operatorValidity,
                raTlsServerValidity);
    }

    /** A copy with other extKeyUsage OIDs for the citizen signature certificate. */
    public ProfileSettings withCitizenSignatureExtendedKeyUsages(List<String> oids) {
        return new ProfileSettings(
                names,
                publicationBase,
                citizenCaPolicies,
                ocspSignerValidity,
                cscaKeyUsageYears,
                documentSignerKeyUsage,
                cardLifetimeYears,
                rootArlLifetime,
                cscaCrlLifetime,
                citizenPolicies,
                oids,
                holderNamePrivateUse,
                operatorRolePolicies,
                operatorValidity,
                raTlsServerValidity);
    }

    /** A copy with other operator role policy OIDs. */
    public ProfileSettings withOperatorRolePolicies(Map<OperatorRole, String> policies) {
        return new ProfileSettings(
                names,
                publicationBase,
                citizenCaPolicies,
                ocspSignerValidity,
                cscaKeyUsageYears,
                documentSignerKeyUsage,
                cardLifetimeYears,
                rootArlLifetime,
                cscaCrlLifetime,
                citizenPolicies,
                citizenSignatureExtendedKeyUsages,
                holderNamePrivateUse,
                policies,
                operatorValidity,
                raTlsServerValidity);
    }

    /** A copy with other lifetimes for operator and RA TLS server certificates. */
    public ProfileSettings withOperatorValidities(Duration operator, Duration raTlsServer) {
        return new ProfileSettings(
                names,
                publicationBase,
                citizenCaPolicies,
                ocspSignerValidity,
                cscaKeyUsageYears,
                documentSignerKeyUsage,
                cardLifetimeYears,
                rootArlLifetime,
                cscaCrlLifetime,
                citizenPolicies,
                citizenSignatureExtendedKeyUsages,
                holderNamePrivateUse,
                operatorRolePolicies,
                operator,
                raTlsServer);
    }

    /**
     * The role whose policy OID is {@code policyOid}, if any: how the RA API reads an operator's
     * role from the certificatePolicies of a client certificate it has already validated.
     */
    public Optional<OperatorRole> operatorRole(String policyOid) {
        return operatorRolePolicies.entrySet().stream()
                .filter(e -> e.getValue().equals(policyOid))
                .map(Map.Entry::getKey)
                .findFirst();
    }

    /** Where the certificate of CA {@code ca} is published: {@code {base}/certs/{ca}.crt} (the AIA caIssuers target). */
    public URI caCertificateUrl(CertificateProfile ca) {
        return URI.create(publicationBase + "/certs/" + ca.caSlug() + ".crt");
    }

    /** Where the CRL of CA {@code ca} is published: {@code {base}/crl/{ca}.crl} (the CRL DP target). */
    public URI crlUrl(CertificateProfile ca) {
        return URI.create(publicationBase + "/crl/" + ca.caSlug() + ".crl");
    }

    /** The OCSP responder of the online CAs: {@code {base}/ocsp} (the AIA id-ad-ocsp target, docs/api.md). */
    public URI ocspUrl() {
        return URI.create(publicationBase + "/ocsp");
    }

    /**
     * The full CRL of partition {@code partition} of CA {@code ca}: {@code
     * {base}/crl/{ca}/{partition}.crl} (docs/api.md), the CRL DP of every certificate in that partition.
     * Partitions are numbered from 1; the store keeps 0 for a CA's unpartitioned CRL.
     */
    public URI crlPartitionUrl(CertificateProfile ca, int partition) {
        if (partition < 1) {
            throw new IllegalArgumentException("CRL partitions are numbered from 1: " + partition);
        }
        return URI.create(publicationBase + "/crl/" + ca.caSlug() + "/" + partition + ".crl");
    }

    private static void checkPolicies(String what, List<String> oids) {
        if (oids.isEmpty()) {
            throw new IllegalArgumentException(what + " must name at least one policy OID");
        }
        if (oids.stream().distinct().count() != oids.size()) {
            throw new IllegalArgumentException(what + " has duplicates (RFC 5280 §4.2.1.4)");
        }
        for (String oid : oids) {
            if (oid == null || !isOid(oid)) {
                throw new IllegalArgumentException("not an OID: " + oid);
            }
            if (ANY_POLICY.equals(oid)) {
                throw new IllegalArgumentException("anyPolicy is not allowed in " + what);
            }
        }
    }

    private static URI checkedBase(URI base) {
        Objects.requireNonNull(base, "publicationBase");
        if (!base.isAbsolute()
                || !"http".equals(base.getScheme())
                || base.getHost() == null
                || base.getHost().isEmpty()) {
            throw new IllegalArgumentException("publicationBase must be an absolute http URL with a host: " + base);
        }
        if (base.getRawQuery() != null || base.getRawFragment() != null || base.getRawUserInfo() != null) {
            throw new IllegalArgumentException("publicationBase must not have user info, query or fragment: " + base);
        }
        String s = base.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        // AIA and CRL DP values are IA5String (RFC 5280 §4.2.1.13, §4.2.2.1): ASCII only.
        if (!s.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("publicationBase must be ASCII (IA5String): " + base);
        }
        return URI.create(s);
    }

    private static boolean isOid(String s) {
        return s.matches("[0-2](\\.(0|[1-9][0-9]*))+");
    }

    private static void checkDuration(String what, Duration d, Duration max) {
        Objects.requireNonNull(d, what);
        if (d.compareTo(Duration.ofDays(1)) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(what + " must be between 1 day and " + max.toDays() + " days: " + d);
        }
        if (d.getNano() != 0) {
            throw new IllegalArgumentException(what + " must be whole seconds: " + d);
        }
    }
}
