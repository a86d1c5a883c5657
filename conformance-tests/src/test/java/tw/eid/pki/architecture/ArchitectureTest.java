package tw.eid.pki.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The architecture rules of docs/architecture.md as tests, on the main code of every module (this
 * module has them all on its class path; test classes and the modules' test jars are left out):
 * <ul>
 *   <li>module dependencies point one way: hsm-config ← ca-core ← {ra-api, crl-publisher,
 *       ocsp-responder} ← launcher, and the three services never use each other;
 *   <li>no cycles between modules, nor between the packages of a module.
 * </ul>
 * A rule that cannot fail proves nothing: {@link #theModuleRuleFailsOnAWrongImport()} shows the
 * module rule failing on a deliberately wrong class in this module's test code.
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
    void theModuleRuleFailsOnAWrongImport() {
        JavaClasses withFixture = new ClassFileImporter().importPackages("tw.eid.pki.ca.archfixture", "tw.eid.pki.ra");
        EvaluationResult result = modulesPointOneWay().evaluate(withFixture);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails())
                .anyMatch(line -> line.contains("ReachesIntoTheRa") && line.contains("RaConfig"));
    }
}
