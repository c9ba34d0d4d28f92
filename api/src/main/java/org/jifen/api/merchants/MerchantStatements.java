package org.jifen.api.merchants;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.springframework.stereotype.Service;

/**
 * The monthly statement of a merchant, cut in its home region's zone: per village and
 * offer, the redemptions confirmed in the month, the reversals made in it, and the net
 * points, discount given and subsidy owed by the village fund (the discount of offers the
 * village subsidises). Net points equal the month's CAPTURE minus REFUND postings of the
 * merchant's redemptions in the ledger.
 */
@Service
public class MerchantStatements {

	private final MerchantRepository repository;

	private final Merchants merchants;

	private final Villages villages;

	private final Access access;

	MerchantStatements(MerchantRepository repository, Merchants merchants, Villages villages, Access access) {
		this.repository = repository;
		this.merchants = merchants;
		this.villages = villages;
		this.access = access;
	}

	/** A merchant's month, for its staff and those who oversee its home region. */
	public Mono<Statement> statement(long merchantId, YearMonth month) {
		return this.merchants.staffOrOverseer(merchantId)
			.then(this.merchants.merchant(merchantId))
			.flatMap((merchant) -> statementOf(merchant, month));
	}

	/** Every merchant's month of a town (or county), for those who oversee it. */
	public Mono<List<Statement>> statementsOf(RegionId region, YearMonth month) {
		return this.access.requireOversight(region)
			.thenMany(this.merchants.merchantsOf(region))
			.concatMap((merchant) -> statementOf(merchant, month))
			.collectList();
	}

	private Mono<Statement> statementOf(Merchant merchant, YearMonth month) {
		return this.villages.region(new RegionId(merchant.homeRegionId())).flatMap((home) -> {
			ZoneId zone = ZoneId.of(home.timeZone());
			Instant from = month.atDay(1).atStartOfDay(zone).toInstant();
			Instant to = month.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant();
			return this.repository.statementRows(merchant.id(), from, to)
				.concatMap((row) -> Mono
					.zip(this.villages.region(new RegionId(row.villageId())), this.merchants.offer(row.offerId()))
					.map((found) -> new Line(row.villageId(), found.getT1().name(), row.offerId(),
							found.getT2().title(), row.redemptions(), row.reversals(), row.points(), row.discountFen(),
							row.subsidyFen())))
				.collectList()
				.map((lines) -> new Statement(merchant.id(), merchant.name(), month.toString(), from, to,
						lines.stream().mapToLong(Line::redemptions).sum(),
						lines.stream().mapToLong(Line::reversals).sum(), lines.stream().mapToLong(Line::points).sum(),
						lines.stream().mapToLong(Line::discountFen).sum(),
						lines.stream().mapToLong(Line::subsidyFen).sum(), lines));
		});
	}

	/**
	 * The statements as CSV (UTF-8 with a byte order mark, so spreadsheet programs read
	 * Chinese): a line per village and offer, and a total line per merchant.
	 */
	public static String csv(List<Statement> statements) {
		StringBuilder csv = new StringBuilder("\uFEFF");
		row(csv, "merchant_id", "merchant", "month", "village_id", "village", "offer_id", "offer", "redemptions",
				"reversals", "points", "discount_fen", "subsidy_owed_fen");
		for (Statement statement : statements) {
			for (Line line : statement.lines()) {
				row(csv, statement.merchantId(), quoted(statement.merchantName()), statement.month(), line.villageId(),
						quoted(line.villageName()), line.offerId(), quoted(line.offerTitle()), line.redemptions(),
						line.reversals(), line.points(), line.discountFen(), line.subsidyFen());
			}
			row(csv, statement.merchantId(), quoted(statement.merchantName()), statement.month(), "", "total", "", "",
					statement.redemptions(), statement.reversals(), statement.points(), statement.discountFen(),
					statement.subsidyFen());
		}
		return csv.toString();
	}

	private static void row(StringBuilder csv, Object... cells) {
		for (int i = 0; i < cells.length; i++) {
			csv.append((i > 0) ? "," : "").append(cells[i]);
		}
		csv.append('\n');
	}

	private static String quoted(String text) {
		return '"' + text.replace("\"", "\"\"") + '"';
	}

	/** One village's use of one offer in the month. Money in fen. */
	public record Line(long villageId, String villageName, long offerId, String offerTitle, long redemptions,
			long reversals, long points, long discountFen, long subsidyFen) {
	}

	/** A merchant's month: totals and lines. Money in fen. */
	public record Statement(long merchantId, String merchantName, String month, Instant from, Instant to,
			long redemptions, long reversals, long points, long discountFen, long subsidyFen, List<Line> lines) {

		public Statement {
			lines = List.copyOf(lines);
		}

	}

}
