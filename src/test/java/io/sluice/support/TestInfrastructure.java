package io.sluice.support;

import io.sluice.crm.CrmConnector;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import javax.sql.DataSource;

/** Test doubles that sit in front of the real parts: a settable clock, a database switch, a CRM fault switch. */
@TestConfiguration(proxyBeanMethods = false)
public class TestInfrastructure {

    @Bean
    @Primary
    MutableClock testClock() {
        return new MutableClock();
    }

    /** Whichever CRM connector the provider selects, behind a fault switch. */
    @Bean
    static BeanPostProcessor faultyCrm() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof CrmConnector connector && !(bean instanceof FaultyCrm) ? new FaultyCrm(connector) : bean;
            }
        };
    }

    @Bean
    static BeanPostProcessor switchableDataSource() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof DataSource ds && !(bean instanceof SwitchableDataSource) && "dataSource".equals(beanName)
                        ? new SwitchableDataSource(ds) : bean;
            }
        };
    }

}
