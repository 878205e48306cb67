# syntax=docker/dockerfile:1
# One image recipe for the five services: docker build --build-arg MODULE=gateway-service .
# (docker-compose.yml builds each service this way.) The build stage compiles only the module and
# what it depends on; the runtime stage is a JRE, a non-root user and the service's jar.
FROM eclipse-temurin:21-jdk AS build
ARG MODULE
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    test -n "$MODULE" && \
    ./mvnw -B -q -ntp -Dmaven.test.skip=true package -pl "$MODULE" -am && \
    jar=$(ls "$MODULE"/target/"$MODULE"-*-exec.jar 2>/dev/null || ls "$MODULE"/target/"$MODULE"-*.jar | grep -v -e '-sources' -e '-javadoc' | head -n 1) && \
    cp "$jar" /app.jar

FROM eclipse-temurin:21-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /tmp --shell /usr/sbin/nologin ovis
# The tiny random-weight model: the default for vision and llm until a real one is mounted at /models.
COPY fixtures/tiny-ovis2 /models/tiny-ovis2
COPY --from=build /app.jar /app/app.jar
USER 10001
ENV HOME=/tmp \
    OVIS_MODEL_DIR=/models/tiny-ovis2 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED"
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
