package org.jifen.notifications.sms;

import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.test.StepVerifier;

import org.jifen.notifications.Delivery;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The logging stand-in for an SMS provider: it reports the message as sent and logs it
 * with the phone number masked.
 */
class LoggingSmsSenderTests {

	private final Logger logger = (Logger) LoggerFactory.getLogger(LoggingSmsSender.class);

	private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

	@BeforeEach
	void captureLog() {
		this.logged.start();
		this.logger.addAppender(this.logged);
	}

	@AfterEach
	void releaseLog() {
		this.logger.detachAppender(this.logged);
	}

	@Test
	void logsTheMessageWithTheNumberMasked() {
		SmsMessage message = new SmsMessage("13812341234", "points.posted.award", "您家获得 10 积分：清扫村道",
				List.of(10, "清扫村道"));
		StepVerifier.create(new LoggingSmsSender().send(message)).expectNext(Delivery.sent()).verifyComplete();
		assertThat(this.logged.list).singleElement()
			.extracting(ILoggingEvent::getFormattedMessage)
			.isEqualTo("SMS to 138****1234 [points.posted.award]: 您家获得 10 积分：清扫村道");
	}

	@Test
	void sendsNothingUntilSubscribed() {
		new LoggingSmsSender().send(new SmsMessage("13812341234", "task.paid", "text", List.of()));
		assertThat(this.logged.list).isEmpty();
	}

	@Test
	void masksNumbersOfEveryLength() {
		assertThat(PhoneNumbers.mask("13812341234")).isEqualTo("138****1234");
		assertThat(PhoneNumbers.mask("+8613812341234")).isEqualTo("+86****1234");
		assertThat(PhoneNumbers.mask("8812345")).isEqualTo("****45");
		assertThat(PhoneNumbers.mask("110")).isEqualTo("****");
	}

	@Test
	void aMessageNeverPrintsItsNumber() {
		assertThat(new SmsMessage("13812341234", "task.paid", "text", List.of()))
			.hasToString("SmsMessage[to 138****1234, task.paid]");
	}

}
