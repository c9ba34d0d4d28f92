package org.jifen.notifications;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The notification texts in both bundles: every key the relay will ask for exists in both
 * and renders, Chinese is the default whatever the JVM's locale, and the files are read
 * as UTF-8.
 */
class NotificationTextsTests {

	static final List<String> TEXT_KEYS = List.of("points.posted.award", "points.posted.deduction", "claim.approved",
			"claim.rejected", "claim.objected", "rectification.notice", "task.grabbed", "task.dispatched",
			"task.released", "task.completed", "task.confirmed", "task.paid", "task.started", "task.auto-released",
			"task.disputed", "task.cancelled", "task.expired", "task.unpaid", "donation.received", "donation.sent",
			"redemption.receipt");

	private final NotificationTexts texts = new NotificationTexts();

	@Test
	void bothBundlesHaveTheSameKeys() throws IOException {
		Properties chinese = load("notifications/messages.properties");
		Properties english = load("notifications/messages_en.properties");
		assertThat(english.stringPropertyNames()).isEqualTo(chinese.stringPropertyNames());
		assertThat(chinese.stringPropertyNames()).allSatisfy((key) -> assertThat(key).matches(".+\\.(title|body)"));
	}

	@ParameterizedTest
	@FieldSource("TEXT_KEYS")
	void everyKeyRendersInChinese(String key) {
		assertThat(this.texts.has(key)).isTrue();
		NotificationText text = this.texts.render(key, Locale.SIMPLIFIED_CHINESE, "甲", 10, "乙");
		assertThat(text.title()).isNotBlank().containsPattern("\\p{IsHan}").doesNotContain("{", "}");
		assertThat(text.body()).isNotBlank().containsPattern("\\p{IsHan}").doesNotContain("{", "}").contains("甲");
	}

	@ParameterizedTest
	@FieldSource("TEXT_KEYS")
	void everyKeyRendersInEnglish(String key) {
		NotificationText text = this.texts.render(key, Locale.ENGLISH, "Alpha", 10, "Beta");
		assertThat(text.title()).isNotBlank().doesNotContainPattern("\\p{IsHan}").doesNotContain("{", "}");
		assertThat(text.body()).isNotBlank()
			.doesNotContainPattern("\\p{IsHan}")
			.doesNotContain("{", "}")
			.contains("Alpha");
	}

	@Test
	void rendersAnAwardAndADeduction() {
		assertThat(this.texts.render("points.posted.award", Locale.CHINA, 10, "清扫村道"))
			.isEqualTo(new NotificationText("积分到账", "您家获得 10 积分：清扫村道"));
		assertThat(this.texts.render("points.posted.deduction", Locale.CHINA, 5, "乱倒垃圾").body())
			.isEqualTo("您家被扣除 5 积分：乱倒垃圾");
		assertThat(this.texts.render("points.posted.award", Locale.US, 1200, "Swept the lane").body())
			.isEqualTo("Your household earned 1,200 points: Swept the lane");
	}

	@Test
	void rendersANotificationInItsRecipientsLanguage() {
		Recipient villager = new Recipient(null, "13812341234", Locale.ENGLISH);
		Notification paid = new Notification("e1", "task.paid", villager, "Fix the fence", 8);
		assertThat(this.texts.render(paid).body())
			.isEqualTo("8 volunteer points for the task \"Fix the fence\" were paid to you.");
	}

	@Test
	void chineseIsTheDefaultEvenWhenTheJvmSpeaksEnglish() {
		Locale jvmDefault = Locale.getDefault();
		Locale.setDefault(Locale.US);
		try {
			assertThat(this.texts.render("task.confirmed", Locale.SIMPLIFIED_CHINESE, "修路").title()).isEqualTo("任务已确认");
			assertThat(this.texts.render("task.confirmed", Locale.FRENCH, "修路").title()).isEqualTo("任务已确认");
			assertThat(new Recipient(null, null, null).locale()).isEqualTo(Locale.SIMPLIFIED_CHINESE);
		}
		finally {
			Locale.setDefault(jvmDefault);
		}
	}

	@Test
	void anUnknownKeyHasNoTexts() {
		assertThat(this.texts.has("star.changed")).isFalse();
		assertThatExceptionOfType(MissingResourceException.class)
			.isThrownBy(() -> this.texts.render("star.changed", Locale.CHINA));
	}

	private static Properties load(String resource) throws IOException {
		Properties properties = new Properties();
		try (InputStream in = NotificationTextsTests.class.getClassLoader().getResourceAsStream(resource)) {
			assertThat(in).as(resource).isNotNull();
			properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
		}
		return properties;
	}

}
