# syntax=docker/dockerfile:1
# For those who build with Docker: docker build --build-arg MODULE=gateway-service .
# (docker-compose.yml builds each service this way.) Without a Docker daemon, and for the smaller
# images CI checks, use tools/image/build-image.sh (docs/operations.md). The build stage compiles
# only the module and what it depends on; the runtime stage is a JRE, a non-root user, the jar and
# the HealthCheck client the compose health checks call.
FROM eclipse-temurin:21-jdk AS build
ARG MODULE
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    test -n "$MODULE" && \
    ./mvnw -B -q -ntp -Dmaven.test.skip=true package -pl "$MODULE" -am && \
    cp "$MODULE"/target/"$MODULE"-*-exec.jar /app.jar && \
    mkdir -p /health && javac --release 21 -d /health tools/image/HealthCheck.java

FROM eclipse-temurin:21-jre
RUN useradd --system --uid 10001 --home-dir /tmp --shell /usr/sbin/nologin ovis
# The tiny random-weight model: the default for vision and llm until a real one is mounted at /models.
COPY fixtures/tiny-ovis2 /models/tiny-ovis2
COPY --from=build /app.jar /app/app.jar
COPY --from=build /health /app/health
USER 10001
WORKDIR /app
ENV HOME=/tmp \
    OVIS_MODEL_DIR=/models/tiny-ovis2 \
    OVIS_GATEWAY_AUTH_GENERATEKEY=false \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED"
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
