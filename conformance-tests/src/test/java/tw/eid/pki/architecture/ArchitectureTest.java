package tw.eid.pki.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The architecture rules of docs/architecture.md as tests, on the main code of every module (this
 * module has them all on its class path; test classes and the modules' test jars are left out):
 * <ul>
 *   <li>module dependencies point one way: hsm-config ← ca-core ← {ra-api, crl-publisher,
 *       ocsp-responder} ← launcher, and the three services never use each other;
 *   <li>no cycles between modules, nor between the packages of a module;
 *   <li>SQL is executed only by ca-core's store package and the DAOs of the OCSP and CRL modules'
 *       own tables ({@link #SQL_OUTSIDE_THE_STORE}).
 * </ul>
 * A rule that cannot fail proves nothing: {@link #theModuleRuleFailsOnAWrongImport()} and {@link
 * #theStorageRuleFailsOnAWrongQuery()} show the rules failing on deliberately wrong classes in this
 * module's test code.
 */
class ArchitectureTest {

    /** Main code only: no test-classes directory and no test jar of a module. */
    private static final ImportOption MAIN_CODE_ONLY = new ImportOption() {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.contains("-tests.jar");
        }
    };

    private static JavaClasses main;

    /**
     * The classes outside ca-core's store package that may execute SQL (use {@code java.sql} beyond
     * the {@link Connection} a transaction hands them and the {@link SQLException}s it may throw):
     * <ul>
     *   <li>the DAOs of the OCSP and CRL modules' own tables: {@code CrlStore} ({@code crl},
     *       {@code crl_number_seq}, {@code crl_der_more}, {@code crl_partition}) and {@code
     *       PresignedResponses} ({@code ocsp_response}, the OCSP updater's position);
     *   <li>ca-core classes whose own tables (audit, card, ceremony, approval, Document Signer, CA
     *       rows) have not moved behind store interfaces yet (docs/architecture.md, "Storage": what
     *       remains). The {@code certificate} and {@code status_change} tables are read and written
     *       only in the store package (CertificateReader, StatusChangeLog, CertificateRows).
     * </ul>
     * The list may only shrink: a new class that runs SQL fails {@link #onlyTheStoreExecutesSql()}.
     */
    static final List<String> SQL_OUTSIDE_THE_STORE = List.of(
            "tw.eid.pki.crl.CrlStore",
            "tw.eid.pki.ocsp.PresignedResponses",
            "tw.eid.pki.ca.approval.ApprovalService",
            "tw.eid.pki.ca.audit.AuditCheckpointSchedule",
            "tw.eid.pki.ca.audit.AuditCheckpointer",
            "tw.eid.pki.ca.audit.AuditQuery",
            "tw.eid.pki.ca.audit.AuditVerifier",
            "tw.eid.pki.ca.audit.HashChainedAuditLedger",
            "tw.eid.pki.ca.card.CardRegistry",
            // Issue 24's own tables (card_reissue, temporary_certificate): not yet behind the store.
            "tw.eid.pki.ca.card.CardReissues",
            "tw.eid.pki.ca.document.seal.TemporaryCertificates",
            // Issue 22's own tables (cv_agency_record, cv_certificate): not yet behind the store.
            "tw.eid.pki.ca.cvc.AgencyAuthorizations",
            "tw.eid.pki.ca.cvc.CvAuthority",
            "tw.eid.pki.ca.cvc.CvRows",
            "tw.eid.pki.ca.ceremony.Ceremony",
            "tw.eid.pki.ca.document.CscaRollover",
            "tw.eid.pki.ca.document.DocumentSignerCeremony",
            "tw.eid.pki.ca.document.DocumentSignerPool",
            "tw.eid.pki.ca.document.DocumentSignerRetirement",
            "tw.eid.pki.ca.document.SodCommitter",
            "tw.eid.pki.ca.document.SodIssuer",
            "tw.eid.pki.ca.issuance.CaRows",
            "tw.eid.pki.ca.issuance.IssuingCa",
            "tw.eid.pki.ca.profile.CaCertificates");

    /** java.sql beyond the transaction's handle and its failure: statements, result sets, types. */
    private static final DescribedPredicate<JavaClass> EXECUTES_SQL =
            new DescribedPredicate<>("java.sql types other than Connection and SQLException (and its subclasses)") {
                @Override
                public boolean test(JavaClass c) {
                    return c.getPackageName().equals("java.sql")
                            && !c.isEquivalentTo(Connection.class)
                            && !c.isAssignableTo(SQLException.class);
                }
            };

    static ArchRule onlyTheStoreExecutesSqlRule() {
        return noClasses()
                .that()
                .resideOutsideOfPackage("tw.eid.pki.ca.store..")
                .and(DescribedPredicate.describe(
                        "are not listed in SQL_OUTSIDE_THE_STORE",
                        (JavaClass c) -> !SQL_OUTSIDE_THE_STORE.contains(
                                c.isNestedClass()
                                                || c.isAnonymousClass()
                                                || c.getName().contains("$")
                                        ? c.getName().substring(0, c.getName().indexOf('$'))
                                        : c.getName())))
                .should()
                .dependOnClassesThat(EXECUTES_SQL)
                .because("only ca-core's store package and the OCSP and CRL DAOs of their own tables run SQL"
                        + " (docs/architecture.md, \"Storage\")");
    }

    @BeforeAll
    static void importMainCode() {
        main = new ClassFileImporter().withImportOption(MAIN_CODE_ONLY).importPackages("tw.eid.pki");
    }

    static ArchRule modulesPointOneWay() {
        return layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("hsm-config")
                .definedBy("tw.eid.pki.hsm..")
                .layer("ca-core")
                .definedBy("tw.eid.pki.ca..")
                .layer("ra-api")
                .definedBy("tw.eid.pki.ra..")
                .layer("crl-publisher")
                .definedBy("tw.eid.pki.crl..")
                .layer("ocsp-responder")
                .definedBy("tw.eid.pki.ocsp..")
                .layer("launcher")
                .definedBy("tw.eid.pki.launcher..")
                .whereLayer("launcher")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("ra-api")
                .mayOnlyBeAccessedByLayers("launcher")
                .whereLayer("crl-publisher")
                .mayOnlyBeAccessedByLayers("launcher")
                .whereLayer("ocsp-responder")
                .mayOnlyBeAccessedByLayers("launcher")
                .whereLayer("ca-core")
                .mayOnlyBeAccessedByLayers("ra-api", "crl-publisher", "ocsp-responder", "launcher")
                .whereLayer("hsm-config")
                .mayOnlyBeAccessedByLayers("ca-core", "ra-api", "crl-publisher", "ocsp-responder", "launcher");
    }

    @Test
    void theImportSeesEveryModulesMainCodeAndNoTestCode() {
        assertThat(main.stream().map(c -> c.getPackageName().split("\\.")[3]).distinct())
                .containsExactlyInAnyOrder("hsm", "ca", "ra", "crl", "ocsp", "launcher");
        assertThat(main.contain("tw.eid.pki.ca.archfixture.ReachesIntoTheRa")).isFalse();
        assertThat(main.contain("tw.eid.pki.ocsp.archfixture.QueriesTheCertificateTable"))
                .isFalse();
        assertThat(main.stream().map(c -> c.getSimpleName())).doesNotContain("TestDatabase", "ArchitectureTest");
    }

    @Test
    void moduleDependenciesPointOneWay() {
        modulesPointOneWay().check(main);
    }

    @Test
    void noCyclesBetweenModules() {
        slices().matching("tw.eid.pki.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void noCyclesBetweenThePackagesOfAModule() {
        slices().matching("tw.eid.pki.(*).(*)..")
                .namingSlices("$1.$2")
                .should()
                .beFreeOfCycles()
                .check(main);
    }

    @Test
    void onlyTheStoreExecutesSql() {
        onlyTheStoreExecutesSqlRule().check(main);
    }

    @Test
    void theListOfClassesOutsideTheStoreThatRunSqlHoldsNoStaleName() {
        for (String name : SQL_OUTSIDE_THE_STORE) {
            assertThat(main.contain(name)).as(name).isTrue();
            assertThat(main.get(name).getDirectDependenciesFromSelf())
                    .as(name + " still runs SQL (else take it off the list)")
                    .anyMatch(d -> EXECUTES_SQL.test(d.getTargetClass()));
        }
    }

    @Test
    void theStorageRuleFailsOnAWrongQuery() {
        JavaClasses withFixture = new ClassFileImporter().importPackages("tw.eid.pki.ocsp.archfixture");
        EvaluationResult result = onlyTheStoreExecutesSqlRule().evaluate(withFixture);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails())
                .anyMatch(line -> line.contains("QueriesTheCertificateTable") && line.contains("PreparedStatement"));
    }

    @Test
    void theModuleRuleFailsOnAWrongImport() {
        JavaClasses withFixture = new ClassFileImporter().importPackages("tw.eid.pki.ca.archfixture", "tw.eid.pki.ra");
        EvaluationResult result = modulesPointOneWay().evaluate(withFixture);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails())
                .anyMatch(line -> line.contains("ReachesIntoTheRa") && line.contains("RaConfig"));
    }
}
