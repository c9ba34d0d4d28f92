package org.jifen.docker;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The container's health check: exits 0 when the application's readiness probe answers
 * 200, 1 otherwise.
 *
 * <p>
 * Neither image has curl or wget to count on (the offline image has no shell at all), but
 * both have {@code java}, so the check is a class in the image:
 * {@code java -cp /app/classes org.jifen.docker.HealthCheck [url]}. The default URL is
 * {@code http://127.0.0.1:$PORT/actuator/health/readiness}, with {@code PORT} 8080 when
 * unset.
 */
public final class HealthCheck {

	private static final int TIMEOUT_MILLIS = 3000;

	private HealthCheck() {
	}

	public static void main(String[] args) {
		String port = System.getenv().getOrDefault("PORT", "8080");
		String url = (args.length > 0) ? args[0] : "http://127.0.0.1:" + port + "/actuator/health/readiness";
		int status = status(url);
		if (status != 200) {
			System.err.println("health check: " + url + " answered " + ((status < 0) ? "nothing" : status));
			System.exit(1);
		}
	}

	private static int status(String url) {
		try {
			HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
			connection.setConnectTimeout(TIMEOUT_MILLIS);
			connection.setReadTimeout(TIMEOUT_MILLIS);
			connection.setRequestProperty("Accept", "application/json");
			try {
				int status = connection.getResponseCode();
				try (InputStream body = (status < 400) ? connection.getInputStream() : connection.getErrorStream()) {
					if (body != null) {
						body.readAllBytes();
					}
				}
				return status;
			}
			finally {
				connection.disconnect();
			}
		}
		catch (IOException | IllegalArgumentException ex) {
			System.err.println("health check: " + url + ": " + ex);
			return -1;
		}
	}

}
