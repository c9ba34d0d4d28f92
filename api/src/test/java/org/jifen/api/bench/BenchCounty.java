package org.jifen.api.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A county-sized register written straight with SQL, because onboarding 150,000
 * households through the API is not what is measured: villages of a town, each household
 * with an account of one kind and monthly awards of its own size (so that boards rank
 * households apart). The bulk history is not hash-chained (its hashes are zero), so a
 * verification of these villages' journals fails; each village's chain head continues
 * after it, so that the application can post there (a code's hold, an award for the live
 * stream), but the ledger's postings are measured in villages created through the
 * application.
 */
final class BenchCounty {

	private BenchCounty() {
	}

	/**
	 * Seeds {@code villages} villages coded {@code <prefix>-<n>} under the town. The
	 * prefix is a word without {@code -} or {@code %}, distinct per call.
	 */
	static void seed(Connection connection, String prefix, long townId, long kindId, int villages,
			int householdsPerVillage, int months) throws SQLException {
		String codes = prefix + "-%";
		// Each household earns the same award every month, of 5 to 100 points by its id.
		String award = "(5 + (h.id * 7919) % 96)";
		try (Statement sql = connection.createStatement()) {
			sql.execute("""
					insert into region (parent_id, level, code, name)
					select %d, 'VILLAGE', '%s-' || g, '测试村' || g from generate_series(1, %d) g""".formatted(townId,
					prefix, villages));
			sql.execute("""
					insert into household (village_id, number, head_name)
					select r.id, lpad(g::text, 3, '0'), '户主' || g
					from region r cross join generate_series(1, %d) g where r.code like '%s'"""
				.formatted(householdsPerVillage, codes));
			sql.execute(("""
					insert into account (village_id, kind_id, owner_type, household_id, score, available)
					select h.village_id, %d, 'HOUSEHOLD', h.id, %s * %d, %s * %d
					from household h join region r on r.id = h.village_id where r.code like '%s'""").formatted(kindId,
					award, months, award, months, codes));
			sql.execute(("""
					insert into account (village_id, kind_id, owner_type, system_role, score, available)
					select r.id, %d, 'SYSTEM', 'ISSUANCE', 0, -sum(%s) * %d
					from region r join household h on h.village_id = r.id where r.code like '%s' group by r.id""")
				.formatted(kindId, award, months, codes));
			sql.execute(
					"""
							insert into journal_transaction (village_id, seq, type, memo, request_id, occurred_at, prev_hash, hash)
							select h.village_id, row_number() over (partition by h.village_id order by m, h.id), 'AWARD',
							       '参加义务劳动 (bench)', '%s-' || h.id || '-' || m,
							       now() - make_interval(days => 30 * m - 3, secs => h.id %% 86400), '\\x00', '\\x00'
							from household h join region r on r.id = h.village_id cross join generate_series(1, %d) m
							where r.code like '%s'"""
						.formatted(prefix, months, codes));
			sql.execute("""
					insert into journal_chain (village_id, last_seq, last_hash)
					select t.village_id, max(t.seq), '\\x00'
					from journal_transaction t join region r on r.id = t.village_id
					where r.code like '%s' group by t.village_id""".formatted(codes));
			sql.execute(("""
					insert into journal_entry (transaction_id, account_id, amount, score_delta)
					select t.id, a.id, %s, %s
					from journal_transaction t
					     join account a on a.household_id = split_part(t.request_id, '-', 2)::bigint
					     join household h on h.id = a.household_id
					where t.request_id like '%s'""").formatted(award, award, codes));
			sql.execute(("""
					insert into journal_entry (transaction_id, account_id, amount, score_delta)
					select t.id, a.id, -%s, 0
					from journal_transaction t
					     join household h on h.id = split_part(t.request_id, '-', 2)::bigint
					     join account a on a.village_id = t.village_id and a.system_role = 'ISSUANCE'
					where t.request_id like '%s'""").formatted(award, codes));
			sql.execute("analyze");
		}
	}

}
