package org.jifen.api.village;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Role;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Onboarding a whole village from its household register in one request: all lines or
 * none.
 */
class HouseholdImportIT extends IntegrationTest {

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	private Region village;

	private String admin;

	@BeforeEach
	void aVillageAndItsAdmin() {
		services().wipe();
		this.village = Fixtures.village(this.villages, "import");
		this.admin = SignedIn.staff(this.http, this.accounts, "import-admin", Role.VILLAGE_ADMIN,
				this.village.id().value());
	}

	@Test
	void aVillageOf500HouseholdsIsOnboardedInOneRequest() {
		String csv = HouseholdCsv.HEADER + "\n" + IntStream.rangeClosed(1, 500).mapToObj((i) -> String.format("""
				%1$04d,王建%1$d,户主,1960,138%1$08d,37030219600101%1$04d,"一组,%1$d号"
				%1$04d,李秀%1$d,配偶,1962,,,
				%1$04d,王小%1$d,子女,1990,,,""", i)).collect(Collectors.joining("\n"));

		upload(csv).expectStatus().isOk().expectBody().jsonPath("$.households").isEqualTo(500);

		assertThat(services().count("select count(*) from household where village_id = ?", this.village.id().value()))
			.isEqualTo(500);
		assertThat(services().count(
				"select count(*) from member m join household h on h.id = m.household_id " + "where h.village_id = ?",
				this.village.id().value()))
			.isEqualTo(1500);
		assertThat(services().count("select count(*) from household where address = '一组,7号'")).isOne();
		assertThat(services().count("select count(*) from audit_entry where action = 'households.imported'")).isOne();
	}

	@Test
	void aFileWithBadLinesWritesNothingAndNamesEveryLine() {
		String csv = """
				number,name,relation,birthYear,phone,idNumber,address
				001,张三,户主,1960,13800000000,,
				001,李四,配偶,1962,12345,,
				002,王五,配偶,1970,,,
				003,赵六,户主,1850,,,
				004,钱七,户主
				""";

		upload(csv).expectStatus()
			.isEqualTo(422)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:import-rejected")
			.jsonPath("$.rows[0].line")
			.isEqualTo(3)
			.jsonPath("$.rows[0].reason")
			.isEqualTo("phone must be an 11-digit mobile number")
			.jsonPath("$.rows[1].line")
			.isEqualTo(4)
			.jsonPath("$.rows[2].line")
			.isEqualTo(5)
			.jsonPath("$.rows[3].line")
			.isEqualTo(6)
			.jsonPath("$.rows.length()")
			.isEqualTo(4);
		assertThat(services().count("select count(*) from household")).isZero();
	}

	@Test
	void aNumberAlreadyRegisteredRejectsTheFile() {
		upload("001,张三,户主,1960,,,\n").expectStatus().isOk();

		upload("002,李四,户主,1960,,,\n001,王五,户主,1970,,,\n").expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.rows[0].line")
			.isEqualTo(2)
			.jsonPath("$.rows[0].reason")
			.isEqualTo("household 001 is already registered in this village");
		assertThat(services().count("select count(*) from household")).isOne();
	}

	private WebTestClient.ResponseSpec upload(String csv) {
		return this.http.post()
			.uri("/api/v1/villages/{id}/households/import", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.contentType(MediaType.parseMediaType("text/csv"))
			.bodyValue(csv)
			.exchange();
	}

}
