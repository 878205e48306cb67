#!/usr/bin/env bash
# Installs the Debian packages this project needs (idempotent; installs only what is missing).
#   tools/setup-machine.sh              everything the tests, the exporter and the local run need
#   tools/setup-machine.sh --local-run  only what ./run-local.sh needs to start every service
# As root it installs, otherwise through sudo; without either, or without apt (macOS, other
# distributions), it names what is missing and the command that installs it. With --local-run a
# missing package is an error (exit 3): the suite would stop at start-up without it. For the tests
# it is not (a test that needs a package says so itself).
set -euo pipefail
mode=all
case "${1:-}" in
  "") ;;
  --local-run) mode=local-run ;;
  *) echo "usage: $0 [--local-run]" >&2; exit 2 ;;
esac
packages=()
need() { for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || packages+=("$p"); done; }
have_dpkg() { command -v dpkg >/dev/null 2>&1; }

# --- packages (one `need` line per area; keep additive) ---
# Needed by the local run (and so by the tests too):
local_run() {
  # video-service: the ffmpeg/ffprobe programs bundled in org.bytedeco:ffmpeg link these system libraries
  # (readelf -d on the jar's linux-x86_64 files); a fresh Debian 12 lacks libpulse0, libva2, libasound2.
  need libpulse0 libva2 libva-drm2 libasound2 libxcb1 libxcb-shm0 libudev1
  need util-linux   # infra: unshare runs the embedded PostgreSQL as root
  need tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd   # ocr-service: the Tesseract engine, English, script detection
}
# Needed by the tests and the exporter only:
tests() {
  need python3-torch python3-onnx python3-numpy python3-pil   # exporter: tools/exporter, fixture regeneration IT
  need libopenblas0-pthread libblas3   # exporter: fast BLAS for torch; the reference BLAS the fixture generator pins
  need docker-compose   # infra: `docker-compose config` validates docker-compose.yml in CI
  need mmdebstrap umoci skopeo runc   # deploy-check: GatewayImageIT builds an OCI image without Docker (tools/image/build-image.sh), inspects and runs it
  need tesseract-ocr-jpn tesseract-ocr-kor tesseract-ocr-rus tesseract-ocr-ara tesseract-ocr-hin tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-chi-sim   # ocr-service: the language packs its tests read
  need fonts-noto-core fonts-noto-cjk fonts-dejavu-core   # ocr-service: fonts the OCR quality tests and benchmark render text with
  need chromium   # standalone: PlaygroundBrowserIT drives /playground in it (playwright-core, tools/playground-test)
  command -v npm >/dev/null 2>&1 || need npm   # standalone: installs tools/playground-test's pinned playwright-core
}

if ! have_dpkg; then
  echo "setup-machine: no dpkg here (not Debian/Ubuntu); the local run needs the equivalents of: libpulse0 libva2 libva-drm2 libasound2 (FFmpeg), tesseract-ocr" >&2
  exit 0
fi
local_run
[ "$mode" = all ] && tests
if [ "$mode" = all ] && ! command -v kubectl >/dev/null 2>&1; then
  # Debian 12's kubernetes-client (1.20) predates kustomize components, so there is nothing to install here
  echo "setup-machine: no kubectl 1.21+ on the PATH: deploy-check skips rendering the Kubernetes overlays (docs/operations.md)" >&2
fi
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
missing() {
  echo "setup-machine: missing Debian packages: ${packages[*]}" >&2
  echo "setup-machine: install them with: sudo apt-get update && sudo apt-get install --no-install-recommends ${packages[*]}" >&2
  [ "$mode" = local-run ] && exit 3
  exit 0
}
command -v apt-get >/dev/null 2>&1 || missing
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else missing; fi
fi
echo "setup-machine: installing ${packages[*]}"
if ! { $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; }; then
  echo "setup-machine: apt-get could not install them (no network or no permission?)" >&2
  missing
fi
