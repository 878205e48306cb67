#!/usr/bin/env bash
# Builds the OCI image of one service without a Docker daemon (docs/adr/0009-deploy-images-without-a-daemon.md):
#   layer 1  a minimal Debian 12 root filesystem (mmdebstrap, extract variant: only the libraries the
#            service loads and dash as /bin/sh, no package manager) plus the user ovis (10001) and /tmp
#   layer 2  a Java runtime cut down with jlink to the modules Spring Boot and the services use
#   layer 3  the service's Spring Boot jar, the HealthCheck client and, for vision and llm, the tiny
#            random-weight model (real models are mounted at /models)
# put together with umoci into an OCI image layout; skopeo copies it anywhere.
#
# usage: tools/image/build-image.sh [options] MODULE...     (MODULE: gateway-service ... ocr-service, or --all)
#   --gpu            the GPU variant: jar built with -Pgpu (ONNX Runtime CUDA), tag suffix -gpu; the CUDA 12
#                    and cuDNN 9 libraries must come from --base (see docs/operations.md)
#   --base OCI_REF   start from this image instead of the Debian layer, e.g. oci:/path/cuda:12-cudnn
#                    (any transport skopeo knows: skopeo copies it into the layout first)
#   --tag TAG        image tag (default: the project version, e.g. 0.1.0-SNAPSHOT; -gpu appended with --gpu)
#   --out DIR        where the OCI layout goes (default target/images); the image is oci:DIR/MODULE:TAG
#   --jar JAR        use this jar instead of MODULE/target/MODULE-<version>-exec.jar (built when missing)
#   --archive        also write DIR/MODULE-TAG.oci.tar (an oci-archive)
#   --docker-load    also copy it into a local Docker engine as ovis-serve/MODULE:TAG
# Then: skopeo copy oci:target/images/gateway-service:TAG docker://REGISTRY/ovis-serve/gateway-service:TAG
# Needs: mmdebstrap, umoci, skopeo (tools/setup-machine.sh installs them), a JDK 21+ with jlink,
# network access to the Debian mirror. As root it builds directly, otherwise rootless (user namespaces).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
# shellcheck source=../java-env.sh
source tools/java-env.sh

gpu=0; base=""; tag=""; out="target/images"; jar=""; archive=0; docker_load=0; modules=()
while [ $# -gt 0 ]; do
  case "$1" in
    --gpu) gpu=1 ;;
    --base) base="$2"; shift ;;
    --tag) tag="$2"; shift ;;
    --out) out="$2"; shift ;;
    --jar) jar="$2"; shift ;;
    --archive) archive=1 ;;
    --docker-load) docker_load=1 ;;
    --all) modules=(gateway-service vision-service llm-service video-service ocr-service) ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    -*) echo "build-image: unknown option $1" >&2; exit 2 ;;
    *) modules+=("$1") ;;
  esac
  shift
done
[ ${#modules[@]} -gt 0 ] || { echo "usage: $0 [--gpu] [--tag TAG] [--out DIR] [--jar JAR] MODULE... | --all" >&2; exit 2; }
[ -z "$jar" ] || [ ${#modules[@]} -eq 1 ] || { echo "build-image: --jar goes with one MODULE" >&2; exit 2; }
for tool in mmdebstrap umoci skopeo jlink javac; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build-image: $tool is missing (bash tools/setup-machine.sh installs it)" >&2; exit 3; }
done

version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -n 1)
[ -n "$tag" ] || tag="$version"
[ "$gpu" = 0 ] || tag="${tag%-gpu}-gpu"
rootless=()
[ "$(id -u)" = 0 ] || rootless=(--rootless)
mkdir -p "$out"
out=$(cd "$out" && pwd)
cache="${OVIS_IMAGE_CACHE:-$repo/target/image-cache}"
mkdir -p "$cache"
# Reproducible timestamps: the last commit's, else now.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)

# Debian packages each service loads at run time (besides the JVM's libc, libstdc++, zlib).
packages_for() {
  # ca-certificates: the CA bundle (ONNX Runtime's telemetry warns without one). dash: /bin/sh, the
  # only program besides java: ONNX Runtime 1.29 runs `sh -c "echo \`blkid; hostname\`"` when it
  # creates its environment and the JVM dies (fclose in ORT) when there is no shell
  local common="base-files,netbase,tzdata,ca-certificates,dash,libc6,libgcc-s1,libstdc++6,zlib1g"
  case "$1" in
    video-service) echo "$common,libpulse0,libva2,libva-drm2,libasound2,libxcb1,libxcb-shm0,libudev1" ;;  # bundled FFmpeg
    ocr-service) echo "$common,tesseract-ocr,tesseract-ocr-eng,tesseract-ocr-osd" ;;
    *) echo "$common" ;;
  esac
}
port_for() {
  case "$1" in
    gateway-service) echo 8080 ;; vision-service) echo 8081 ;; llm-service) echo 8082 ;;
    video-service) echo 8083 ;; ocr-service) echo 8084 ;;
    *) echo "build-image: unknown module $1" >&2; exit 2 ;;
  esac
}

# Layer 1: Debian 12 files, extracted (no maintainer scripts run, no dpkg needed in the image).
debian_rootfs() {
  local pkgs=$1 key tarball
  key=$(echo "$pkgs" | sha256sum | cut -c1-16)
  tarball="$cache/debian-$key.tar"
  if [ ! -s "$tarball" ]; then
    echo "build-image: mmdebstrap bookworm ($pkgs)" >&2
    mmdebstrap --quiet --variant=extract --include="$pkgs" --format=tar \
      bookworm "$tarball.tmp" \
      "deb http://deb.debian.org/debian bookworm main" \
      "deb http://deb.debian.org/debian bookworm-updates main" \
      "deb http://deb.debian.org/debian-security bookworm-security main" >&2
    mv "$tarball.tmp" "$tarball"
  fi
  echo "$tarball"
}

# Layer 2: the JRE. The modules are those the Spring Boot services need (java.desktop for
# java.beans, java.sql and java.naming for JDBC, jdk.unsupported for Netty and Kafka, jdk.httpserver
# for video's loopback media server, ...).
jre() {
  local modules="java.base,java.compiler,java.datatransfer,java.desktop,java.instrument,java.logging,java.management,java.management.rmi,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,java.xml.crypto,jdk.crypto.cryptoki,jdk.httpserver,jdk.jfr,jdk.management,jdk.management.agent,jdk.naming.dns,jdk.net,jdk.security.auth,jdk.unsupported,jdk.zipfs,jdk.localedata"
  local key dir
  key=$( { "$JAVA_HOME/bin/java" -version 2>&1; echo "$modules"; } | sha256sum | cut -c1-16)
  dir="$cache/jre-$key"
  if [ ! -x "$dir/bin/java" ]; then
    echo "build-image: jlink from $JAVA_HOME" >&2
    rm -rf "$dir.tmp"
    "$JAVA_HOME/bin/jlink" --add-modules "$modules" --include-locales=en,de,fr,ja,ko,zh,ru,ar,hi \
      --strip-debug --no-man-pages --no-header-files --compress=zip-6 --output "$dir.tmp" >&2
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}

healthcheck_classes() {
  local dir="$cache/health"
  if [ ! -f "$dir/HealthCheck.class" ] || [ tools/image/HealthCheck.java -nt "$dir/HealthCheck.class" ]; then
    mkdir -p "$dir"
    javac --release 21 -d "$dir" tools/image/HealthCheck.java
  fi
  echo "$dir"
}

service_jar() {
  local module=$1 found
  if [ -n "$jar" ]; then echo "$jar"; return; fi
  found=$(ls "$module/target/$module-$version-exec.jar" 2>/dev/null || true)
  if [ -z "$found" ] || [ "$gpu" = 1 ]; then
    echo "build-image: building $module (gpu=$gpu)" >&2
    local profile=()
    [ "$gpu" = 0 ] || profile=(-Pgpu)
    ./mvnw -B -q -ntp "${profile[@]}" -Dmaven.test.skip=true package -pl "$module" -am >&2
    found="$module/target/$module-$version-exec.jar"
  fi
  [ -f "$found" ] || { echo "build-image: no jar for $module" >&2; exit 1; }
  echo "$found"
}

build() {
  local module=$1 layout="$out/$1" port bundle jarfile jre_dir health rootfs
  port=$(port_for "$module")
  jarfile=$(service_jar "$module")
  jre_dir=$(jre)
  health=$(healthcheck_classes)
  bundle=$(mktemp -d "$cache/bundle.XXXXXX")
  bundles+=("$bundle")
  rm -rf "$layout"

  if [ -n "$base" ]; then
    skopeo copy --quiet "$base" "oci:$layout:$tag"
  else
    umoci init --layout "$layout"
    umoci new --image "$layout:$tag"
  fi
  umoci unpack "${rootless[@]}" --image "$layout:$tag" "$bundle/b" >/dev/null
  rootfs="$bundle/b/rootfs"

  if [ -z "$base" ]; then
    tar -xf "$(debian_rootfs "$(packages_for "$module")")" -C "$rootfs" --exclude='./dev/*'
    # extract ran no maintainer scripts: the loader cache, the accounts, /tmp
    ldconfig -r "$rootfs" 2>/dev/null || true
    # what update-ca-certificates would write: the Mozilla bundle, one file
    mkdir -p "$rootfs/etc/ssl/certs"
    cat "$rootfs"/usr/share/ca-certificates/mozilla/*.crt >"$rootfs/etc/ssl/certs/ca-certificates.crt"
    printf 'root:x:0:0:root:/root:/usr/sbin/nologin\novis:x:10001:10001:ovis:/tmp:/usr/sbin/nologin\n' >"$rootfs/etc/passwd"
    printf 'root:x:0:\novis:x:10001:\n' >"$rootfs/etc/group"
    [ -e "$rootfs/bin/sh" ] || ln -s dash "$rootfs/bin/sh"
    # runtimes mount their own /etc/hosts and /etc/resolv.conf; this one serves a bare chroot
    printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' >"$rootfs/etc/hosts"
    rm -rf "$rootfs/var/cache/apt" "$rootfs/var/lib/apt/lists" "$rootfs/usr/share/doc" "$rootfs/usr/share/man" "$rootfs/usr/share/info"
    mkdir -p "$rootfs/tmp" && chmod 1777 "$rootfs/tmp"
    umoci repack --refresh-bundle --image "$layout:$tag" --history.created_by "mmdebstrap --variant=extract bookworm $(packages_for "$module")" "$bundle/b"
  else
    grep -q '^ovis:' "$rootfs/etc/passwd" 2>/dev/null || echo 'ovis:x:10001:10001:ovis:/tmp:/usr/sbin/nologin' >>"$rootfs/etc/passwd"
    mkdir -p "$rootfs/tmp" && chmod 1777 "$rootfs/tmp"
  fi

  mkdir -p "$rootfs/opt"
  cp -a "$jre_dir" "$rootfs/opt/java"
  umoci repack --refresh-bundle --image "$layout:$tag" --history.created_by "jlink ($("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1))" "$bundle/b"

  mkdir -p "$rootfs/app/health"
  cp "$jarfile" "$rootfs/app/app.jar"
  cp "$health/HealthCheck.class" "$rootfs/app/health/"
  local env=(--config.env "PATH=/opt/java/bin:/usr/local/bin:/usr/bin:/bin" --config.env "JAVA_HOME=/opt/java"
             --config.env "HOME=/tmp" --config.env "SERVER_PORT=$port"
             --config.env "MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED=true"
             --config.env "OVIS_GATEWAY_AUTH_GENERATEKEY=false")
  case "$module" in
    vision-service|llm-service)
      mkdir -p "$rootfs/models"
      cp -a fixtures/tiny-ovis2 "$rootfs/models/tiny-ovis2"
      env+=(--config.env "OVIS_MODEL_DIR=/models/tiny-ovis2") ;;
  esac
  chmod -R a+rX "$rootfs/app" "$rootfs/opt/java"
  umoci repack --refresh-bundle --image "$layout:$tag" --history.created_by "ovis-serve $module $version ($revision)" "$bundle/b"

  local variant=cpu
  [ "$gpu" = 0 ] || variant=gpu
  umoci config --image "$layout:$tag" --created "$created" --author "Ovis Serve" \
    --config.user 10001:10001 --config.workingdir /app \
    --config.entrypoint /opt/java/bin/java --config.entrypoint -XX:MaxRAMPercentage=75 \
    --config.entrypoint -XX:+ExitOnOutOfMemoryError --config.entrypoint --enable-native-access=ALL-UNNAMED \
    --config.entrypoint -jar --config.entrypoint /app/app.jar \
    "${env[@]}" --config.exposedports "$port/tcp" --config.volume /tmp --config.stopsignal SIGTERM \
    --config.label "org.opencontainers.image.title=ovis-serve/$module" \
    --config.label "org.opencontainers.image.description=Ovis Serve $module ($variant); health: GET :$port/actuator/health/{liveness,readiness}, or java -cp /app/health HealthCheck URL" \
    --config.label "org.opencontainers.image.version=$version" \
    --config.label "org.opencontainers.image.revision=$revision" \
    --config.label "org.opencontainers.image.created=$created" \
    --config.label "org.opencontainers.image.licenses=Apache-2.0" \
    --config.label "org.opencontainers.image.base.name=debian:bookworm (mmdebstrap extract)" \
    --config.label "dev.ovis.serve.variant=$variant" \
    --manifest.annotation "org.opencontainers.image.title=ovis-serve/$module" \
    --manifest.annotation "org.opencontainers.image.version=$version" \
    --history.created_by "umoci config (entrypoint, user 10001, labels)"
  umoci gc --layout "$layout"

  if [ "$archive" = 1 ]; then
    skopeo copy --quiet "oci:$layout:$tag" "oci-archive:$out/$module-$tag.oci.tar:ovis-serve/$module:$tag"
  fi
  if [ "$docker_load" = 1 ]; then
    skopeo copy --quiet "oci:$layout:$tag" "docker-daemon:ovis-serve/$module:$tag"
  fi
  echo "build-image: oci:$layout:$tag ($(du -sh "$layout/blobs" | cut -f1) in blobs)"
}

bundles=()
cleanup() { for b in "${bundles[@]}"; do rm -rf "$b"; done; }
trap cleanup EXIT
for m in "${modules[@]}"; do build "$m"; done
