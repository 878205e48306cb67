package dev.ovis.serve.gateway.database;

import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The PostgreSQL probe, and the application's DataSource wrapped so it refuses at once while the probe sees it down. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DatabaseProbeProperties.class)
class DatabaseProbeConfiguration {

    @Bean
    DatabaseProbe databaseProbe(@Value("${spring.datasource.url:}") String jdbcUrl, DatabaseProbeProperties settings) {
        return new DatabaseProbe(jdbcUrl, settings);
    }

    /** Static, with the probe looked up per DataSource: a post-processor is created before ordinary beans. */
    @Bean
    static BeanPostProcessor probedDataSource(ObjectProvider<DatabaseProbe> probe) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof DataSource pool && !(bean instanceof ProbedDataSource)) {
                    return new ProbedDataSource(pool, probe.getObject());
                }
                return bean;
            }
        };
    }
}
