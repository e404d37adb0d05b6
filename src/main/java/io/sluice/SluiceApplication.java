package io.sluice;

import io.sluice.routes.ConfigurationValidator;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import java.util.Arrays;

/** Sluice: keeps a CRM exactly in step with a Whop business. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SluiceApplication {

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--validate")) {
            System.exit(ConfigurationValidator.runStandalone(args));
        }
        SpringApplication.run(SluiceApplication.class, args);
    }
}
