package org.jifen.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The Jifen API: a non-blocking public API for village governance points systems.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class JifenApplication {

	public static void main(String[] args) {
		SpringApplication.run(JifenApplication.class, args);
	}

}
