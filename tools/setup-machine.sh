#!/usr/bin/env bash
# Installs the Debian packages the tests, the exporter and the local run need (idempotent).
# On a machine without apt (macOS, other distributions) it lists what is missing and goes on.
set -euo pipefail
packages=()
need() { for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || packages+=("$p"); done; }

# --- packages (one `need` line per area; keep additive) ---
need python3-torch python3-onnx python3-numpy python3-pil   # exporter: tools/exporter, fixture regeneration IT
need libopenblas0-pthread   # exporter: fast BLAS for torch (the fixture pins the reference BLAS itself)
need libpulse0   # video-service: the ffmpeg/ffprobe programs bundled in org.bytedeco:ffmpeg link libpulse
need docker-compose util-linux   # infra: `docker-compose config` validates docker-compose.yml in CI; unshare runs embedded PostgreSQL as root
need tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd tesseract-ocr-jpn tesseract-ocr-kor tesseract-ocr-rus tesseract-ocr-ara tesseract-ocr-hin tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-chi-sim   # ocr-service: the Tesseract engine and the language packs its tests read
need fonts-noto-core fonts-noto-cjk   # ocr-service: fonts the OCR quality tests and benchmark render text with

if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-machine: no apt-get here; install these yourself if a test needs them: ${packages[*]}" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-machine: not root and no sudo; missing packages: ${packages[*]}" >&2; exit 0; fi
fi
echo "setup-machine: installing ${packages[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
