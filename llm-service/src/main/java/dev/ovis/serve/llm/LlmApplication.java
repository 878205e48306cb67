package dev.ovis.serve.llm;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The llm-service: consumes {@code ovis.llm.requests.v1} in group {@code ovis-llm}. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class LlmApplication {

    public static void main(String[] args) {
        SpringApplication.run(LlmApplication.class, args);
    }
}
