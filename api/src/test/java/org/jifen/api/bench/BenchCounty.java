package org.jifen.api.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A county-sized register written straight with SQL, because onboarding 150,000
 * households through the API is not what is measured: villages of 500 households, each
 * household with an account of the default kind and a year of monthly awards. The bulk
 * history is not hash-chained (no journal_chain row is written for these villages), so it
 * serves reads only; postings are measured in villages created through the application.
 */
final class BenchCounty {

	private BenchCounty() {
	}

	static void seed(Connection connection, long townId, long kindId, int villages, int householdsPerVillage,
			int months) throws SQLException {
		try (Statement sql = connection.createStatement()) {
			sql.execute("""
					insert into region (parent_id, level, code, name)
					select %d, 'VILLAGE', 'bench-' || g, '测试村' || g from generate_series(1, %d) g""".formatted(townId,
					villages));
			sql.execute("""
					insert into household (village_id, number, head_name)
					select r.id, lpad(g::text, 3, '0'), '户主' || g
					from region r cross join generate_series(1, %d) g where r.code like 'bench-%%'"""
				.formatted(householdsPerVillage));
			sql.execute("""
					insert into account (village_id, kind_id, owner_type, household_id, score, available)
					select h.village_id, %d, 'HOUSEHOLD', h.id, 10 * %d, 10 * %d
					from household h join region r on r.id = h.village_id where r.code like 'bench-%%'"""
				.formatted(kindId, months, months));
			sql.execute("""
					insert into account (village_id, kind_id, owner_type, system_role, score, available)
					select r.id, %d, 'SYSTEM', 'ISSUANCE', 0, -10 * %d * %d
					from region r where r.code like 'bench-%%'""".formatted(kindId, months, householdsPerVillage));
			sql.execute(
					"""
							insert into journal_transaction (village_id, seq, type, memo, request_id, occurred_at, prev_hash, hash)
							select h.village_id, row_number() over (partition by h.village_id order by m, h.id), 'AWARD',
							       '参加义务劳动 (bench)', 'bench-' || h.id || '-' || m,
							       now() - make_interval(days => 30 * m - 3), '\\x00', '\\x00'
							from household h join region r on r.id = h.village_id cross join generate_series(1, %d) m
							where r.code like 'bench-%%'"""
						.formatted(months));
			sql.execute("""
					insert into journal_entry (transaction_id, account_id, amount, score_delta)
					select t.id, a.id, 10, 10
					from journal_transaction t
					     join account a on a.household_id = split_part(t.request_id, '-', 2)::bigint
					where t.request_id like 'bench-%'""");
			sql.execute("""
					insert into journal_entry (transaction_id, account_id, amount, score_delta)
					select t.id, a.id, -10, 0
					from journal_transaction t
					     join account a on a.village_id = t.village_id and a.system_role = 'ISSUANCE'
					where t.request_id like 'bench-%'""");
			sql.execute("analyze");
		}
	}

}
