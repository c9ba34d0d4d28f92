package org.jifen.api.village;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Reads a village's household register from CSV, one member a line:
 * {@code number,name,relation,birthYear,phone,idNumber,address}. Lines with the same
 * household number form one household; its 户主 is the head. Every problem is reported with
 * its line, so a clerk can fix the whole file at once.
 */
final class HouseholdCsv {

	static final String HEADER = "number,name,relation,birthYear,phone,idNumber,address";

	private static final Pattern NUMBER = Pattern.compile("[0-9A-Za-z-]{1,32}");

	private static final Pattern PHONE = Pattern.compile("1[0-9]{10}");

	private static final Pattern ID_NUMBER = Pattern.compile("[0-9]{17}[0-9Xx]");

	/** A problem on one line of the file. */
	record BadRow(int line, String reason) {
	}

	/** The households read, or the problems found (then nothing is to be written). */
	record Parsed(List<NewHousehold> households, List<BadRow> problems) {
	}

	private HouseholdCsv() {
	}

	static Parsed parse(String csv) {
		List<BadRow> problems = new ArrayList<>();
		Map<String, List<Row>> byNumber = new LinkedHashMap<>();
		String[] lines = csv.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
		int first = 0;
		if (lines.length > 0 && lines[0].replace("\uFEFF", "").strip().equalsIgnoreCase(HEADER)) {
			first = 1;
		}
		for (int i = first; i < lines.length; i++) {
			int lineNumber = i + 1;
			if (lines[i].isBlank()) {
				continue;
			}
			List<String> fields = fields(lines[i]);
			if (fields == null) {
				problems.add(new BadRow(lineNumber, "unbalanced quotes"));
				continue;
			}
			if (fields.size() != 7) {
				problems.add(new BadRow(lineNumber, "expected 7 fields (" + HEADER + "), found " + fields.size()));
				continue;
			}
			Row row = row(lineNumber, fields, problems);
			if (row != null) {
				byNumber.computeIfAbsent(row.number(), (number) -> new ArrayList<>()).add(row);
			}
		}
		List<NewHousehold> households = new ArrayList<>();
		byNumber.forEach((number, rows) -> {
			List<Row> heads = rows.stream().filter((row) -> row.relation().equals("户主")).toList();
			if (heads.size() != 1) {
				problems.add(new BadRow(rows.get(0).line(),
						"household " + number + " needs exactly one 户主, has " + heads.size()));
				return;
			}
			Row head = heads.get(0);
			households.add(new NewHousehold(null, number, head.name(), head.address(),
					rows.stream()
						.map((row) -> new NewHousehold.NewMember(row.name(), row.relation(), row.birthYear(),
								row.phone(), row.idNumber()))
						.toList()));
		});
		if (households.isEmpty() && problems.isEmpty()) {
			problems.add(new BadRow(1, "the file holds no households"));
		}
		problems.sort((a, b) -> Integer.compare(a.line(), b.line()));
		return new Parsed(problems.isEmpty() ? households : List.of(), problems);
	}

	private record Row(int line, String number, String name, String relation, @Nullable Integer birthYear,
			@Nullable String phone, @Nullable String idNumber, @Nullable String address) {
	}

	private static @Nullable Row row(int line, List<String> fields, List<BadRow> problems) {
		String number = fields.get(0).strip();
		String name = fields.get(1).strip();
		String relation = fields.get(2).strip();
		List<String> reasons = new ArrayList<>();
		if (!NUMBER.matcher(number).matches()) {
			reasons.add("number must be 1 to 32 letters, digits or '-'");
		}
		if (name.isEmpty() || name.length() > 50) {
			reasons.add("name must be 1 to 50 characters");
		}
		if (relation.isEmpty() || relation.length() > 20) {
			reasons.add("relation must be 1 to 20 characters");
		}
		Integer birthYear = null;
		if (!fields.get(3).isBlank()) {
			try {
				birthYear = Integer.parseInt(fields.get(3).strip());
				if (birthYear < 1900 || birthYear > 2100) {
					reasons.add("birthYear must be between 1900 and 2100");
				}
			}
			catch (NumberFormatException ex) {
				reasons.add("birthYear is not a number");
			}
		}
		String phone = blankToNull(fields.get(4));
		if (phone != null && !PHONE.matcher(phone).matches()) {
			reasons.add("phone must be an 11-digit mobile number");
		}
		String idNumber = blankToNull(fields.get(5));
		if (idNumber != null && !ID_NUMBER.matcher(idNumber).matches()) {
			reasons.add("idNumber must be 18 characters");
		}
		String address = blankToNull(fields.get(6));
		if (address != null && address.length() > 200) {
			reasons.add("address must be at most 200 characters");
		}
		if (!reasons.isEmpty()) {
			problems.add(new BadRow(line, String.join("; ", reasons)));
			return null;
		}
		return new Row(line, number, name, relation, birthYear, phone, idNumber, address);
	}

	private static @Nullable String blankToNull(String value) {
		return value.isBlank() ? null : value.strip();
	}

	/**
	 * Splits a line on commas, honouring double quotes; null when the quotes do not
	 * balance.
	 */
	private static @Nullable List<String> fields(String line) {
		List<String> fields = new ArrayList<>();
		StringBuilder field = new StringBuilder();
		boolean quoted = false;
		for (int i = 0; i < line.length(); i++) {
			char c = line.charAt(i);
			if (quoted) {
				if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
					field.append('"');
					i++;
				}
				else if (c == '"') {
					quoted = false;
				}
				else {
					field.append(c);
				}
			}
			else if (c == '"') {
				quoted = true;
			}
			else if (c == ',') {
				fields.add(field.toString());
				field.setLength(0);
			}
			else {
				field.append(c);
			}
		}
		if (quoted) {
			return null;
		}
		fields.add(field.toString());
		return fields;
	}

}
