package dev.ovis.serve.gateway.batch;

import jakarta.validation.constraints.Min;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Kafka interface for pipelines ({@code ovis.gateway.pipeline.*}, docs/batch.md).
 *
 * @param enabled     whether the gateway consumes {@code ovis.batch.requests.v1}
 * @param replyTopics tenant → further topics its {@code reply-to} header may name; every tenant may
 *                    always use {@code ovis.batch.results.v1} and {@code ovis.batch.results.v1.<tenant>}
 * @param partitions  partitions of the request and result topics when the gateway creates them
 * @param maxPerTick  requests one instance advances per tick
 */
@Validated
@ConfigurationProperties("ovis.gateway.pipeline")
public record PipelineProperties(@DefaultValue("true") boolean enabled,
                                 Map<String, List<String>> replyTopics,
                                 @DefaultValue("3") @Min(1) int partitions,
                                 @DefaultValue("200") @Min(1) int maxPerTick) {

    public PipelineProperties {
        replyTopics = replyTopics == null ? Map.of() : Map.copyOf(replyTopics);
    }
}
