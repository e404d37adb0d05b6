# syntax=docker/dockerfile:1
# Sluice's image: built by Maven, run as a non-root user from the extracted jar with a class-data-sharing archive
# recorded at build time, so the JVM maps the classes a start needs instead of loading and verifying them again
# (docs/kubernetes.md, "The image", has the start times).
#
#   docker build -t sluice .
#   docker run -p 8080:8080 sluice          (the embedded default: H2 under /var/lib/sluice, the local CRM)

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml .
RUN --mount=type=cache,target=/root/.m2 mvn -B -q dependency:go-offline
COPY src src
# one folder per layer (dependencies, spring-boot-loader, snapshot-dependencies, application) holding plain jars,
# which class-data sharing can archive, unlike classes read from nested jars or folders
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -Dmaven.test.skip=true package \
    && mv target/sluice-*.jar target/sluice.jar \
    && java -Djarmode=tools -jar target/sluice.jar extract --layers --destination /extracted

# The same JVM that runs Sluice records the archive: an archive from another build of the JVM is ignored
FROM eclipse-temurin:17-jre AS runtime
RUN groupadd --system --gid 10001 sluice \
    && useradd --system --uid 10001 --gid sluice --home-dir /app --shell /usr/sbin/nologin sluice \
    && mkdir -p /var/lib/sluice && chown sluice:sluice /var/lib/sluice
WORKDIR /app
# least changing first: a new build of Sluice alone changes only the last layers
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /extracted/application/ ./
# the shipped routes and mappings; in Kubernetes the ConfigMaps take their place (SLUICE_ROUTES_DIR, SLUICE_MAPPINGS_DIR)
COPY routes routes
COPY mappings mappings
# the training start: Spring stops once the context is refreshed, and the JVM writes the classes it loaded
RUN java -XX:ArchiveClassesAtExit=sluice.jsa -Dspring.context.exit=onRefresh -jar sluice.jar \
        --sluice.data-dir=/tmp/training --server.port=0 --sluice.routes.reload=false \
    && rm -rf /tmp/training
USER 10001:10001
ENV SLUICE_DATA_DIR=/var/lib/sluice
EXPOSE 8080
ENTRYPOINT ["java", "-XX:SharedArchiveFile=sluice.jsa", "-XX:MaxRAMPercentage=75", "-jar", "sluice.jar"]
