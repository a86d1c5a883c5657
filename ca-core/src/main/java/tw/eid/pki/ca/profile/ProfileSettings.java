package tw.eid.pki.ca.profile;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The configurable part of the profiles (PROFILES.md, values marked <em>config</em>). The
 * constructor refuses settings that would issue something outside PROFILES.md, so a bad
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
 *     (PROFILES.md); default 30 days, because an id-pkix-ocsp-nocheck certificate cannot itself be
 *     revoked usefully and RFC 6960 §4.2.2.2.1 asks for a short lifetime
 * @param cscaKeyUsageYears the CSCA's private key usage period, 3 to 5 years (ICAO 9303-12)
 * @param documentSignerKeyUsage a Document Signer's private key usage period, 1 day to 90 days
 *     (PROFILES.md: at most 3 months)
 * @param cardLifetimeYears how long a card (and its SOD) stays valid, 1 to 10 years
 * @param rootArlLifetime nextUpdate − thisUpdate of the Citizen Root ARL, 1 day to 366 days
 *     (PROFILES.md: at most 12 months, which is 366 days in a leap year)
 * @param cscaCrlLifetime nextUpdate − thisUpdate of the CSCA CRL, 1 day to 90 days (ICAO
 *     9303-12: a CSCA issues a CRL at least every 90 days)
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
    Duration cscaCrlLifetime) {

  /** id-TEST-certPolicyOne (RFC 7229 §2): a placeholder until the ministry's policy OID arc is assigned. */
  public static final String PLACEHOLDER_POLICY = "1.3.6.1.5.5.7.13.1";

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
        Duration.ofDays(90));
  }

  /** A copy with another publication base URL. */
  public ProfileSettings withPublicationBase(URI base) {
    return new ProfileSettings(names, base, citizenCaPolicies, ocspSignerValidity, cscaKeyUsageYears,
        documentSignerKeyUsage, cardLifetimeYears, rootArlLifetime, cscaCrlLifetime);
  }

  /** A copy with other subject names. */
  public ProfileSettings withNames(PkiNames newNames) {
    return new ProfileSettings(newNames, publicationBase, citizenCaPolicies, ocspSignerValidity, cscaKeyUsageYears,
        documentSignerKeyUsage, cardLifetimeYears, rootArlLifetime, cscaCrlLifetime);
  }

  /** A copy with another nextUpdate − thisUpdate for the Citizen Root's ARL. */
  public ProfileSettings withRootArlLifetime(Duration lifetime) {
    return new ProfileSettings(names, publicationBase, citizenCaPolicies, ocspSignerValidity, cscaKeyUsageYears,
        documentSignerKeyUsage, cardLifetimeYears, lifetime, cscaCrlLifetime);
  }

  /** A copy with another nextUpdate − thisUpdate for the CSCA CRL. */
  public ProfileSettings withCscaCrlLifetime(Duration lifetime) {
    return new ProfileSettings(names, publicationBase, citizenCaPolicies, ocspSignerValidity, cscaKeyUsageYears,
        documentSignerKeyUsage, cardLifetimeYears, rootArlLifetime, lifetime);
  }

  /** Where the certificate of CA {@code ca} is published: {@code {base}/certs/{ca}.crt} (the AIA caIssuers target). */
  public URI caCertificateUrl(CertificateProfile ca) {
    return URI.create(publicationBase + "/certs/" + ca.caSlug() + ".crt");
  }

  /** Where the CRL of CA {@code ca} is published: {@code {base}/crl/{ca}.crl} (the CRL DP target). */
  public URI crlUrl(CertificateProfile ca) {
    return URI.create(publicationBase + "/crl/" + ca.caSlug() + ".crl");
  }

  private static URI checkedBase(URI base) {
    Objects.requireNonNull(base, "publicationBase");
    if (!base.isAbsolute() || !"http".equals(base.getScheme()) || base.getHost() == null || base.getHost().isEmpty()) {
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
