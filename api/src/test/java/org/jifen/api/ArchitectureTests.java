package org.jifen.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The shape of the code: the libraries know nothing of the application, a feature's
 * internals are its own, and nothing in main code blocks.
 */
class ArchitectureTests {

	private static final JavaClasses MAIN = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("org.jifen");

	private static final Pattern FEATURE_PART = Pattern.compile("org\\.jifen\\.api\\.(\\w+)\\.(internal|web)(\\..*)?");

	@Test
	void leaderboardsAndNotificationsNeverDependOnTheApi() {
		noClasses().that()
			.resideInAnyPackage("org.jifen.leaderboards..", "org.jifen.notifications..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("org.jifen.api..")
			.allowEmptyShould(true)
			.check(MAIN);
	}

	@Test
	void noFeatureReachesIntoAnotherFeaturesInternalOrWebPackages() {
		classes().that()
			.resideInAPackage("org.jifen.api..")
			.should(new ArchCondition<>("use other features only through their public package") {
				@Override
				public void check(JavaClass origin, ConditionEvents events) {
					for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
						Matcher target = FEATURE_PART.matcher(dependency.getTargetClass().getPackageName());
						if (target.matches()
								&& !origin.getPackageName().startsWith("org.jifen.api." + target.group(1))) {
							events.add(SimpleConditionEvent.violated(origin, dependency.getDescription()));
						}
					}
				}
			})
			.check(MAIN);
	}

	@Test
	void sharedCodeKnowsNothingOfHttp() {
		noClasses().that()
			.resideInAPackage("org.jifen.api.shared..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.web..", "org.springframework.http..")
			.check(MAIN);
	}

	@Test
	void mainCodeNeverBlocks() {
		noClasses().should()
			.callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
					com.tngtech.archunit.base.DescribedPredicate.describe("block, blockFirst, blockLast, toFuture",
							(target) -> target.getOwner().isAssignableTo("org.reactivestreams.Publisher") && target
								.getName()
								.matches("block|blockFirst|blockLast|blockOptional|toFuture|toIterable|toStream"))))
			.check(MAIN);
	}

}
