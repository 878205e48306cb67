package dev.ovis.serve.support.storage;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Provides the {@link ObjectStore} (MinIO client, bucket ensured at start-up). Set
 * {@code ovis.storage.enabled=false} in a service that never touches the store.
 */
@AutoConfiguration
@EnableConfigurationProperties(StorageProperties.class)
@ConditionalOnBooleanProperty(name = "ovis.storage.enabled", matchIfMissing = true)
public class StorageAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(ObjectStore.class)
    MinioObjectStore objectStore(StorageProperties properties) {
        return MinioObjectStore.connect(properties);
    }
}
