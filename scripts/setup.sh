#!/usr/bin/env bash
# setup.sh installs what ThaiTrust's build and tests need and are missing,
# idempotently: a second run changes nothing and takes a second or two.
#
#   scripts/setup.sh          everything `make run` and `make test` need
#
# It needs Go (>= 1.26) on PATH and, for system packages, root (or sudo)
# and Debian's apt. Nothing is downloaded that is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# --- Go --------------------------------------------------------------------
command -v go >/dev/null 2>&1 || die "Go is not on PATH; install Go 1.26 or newer (https://go.dev/dl/)"
gov=$(go env GOVERSION | sed 's/^go//')
case "$gov" in
  1.2[6-9]*|1.[3-9]*|[2-9]*) ;;
  *) die "Go $gov is too old; ThaiTrust needs Go 1.26 or newer" ;;
esac

# --- Debian packages ---------------------------------------------------------
# Each feature lists what it needs; only missing packages are installed.
APT_PACKAGES=(
  ca-certificates   # TLS roots for did:web and status lists over HTTPS
  curl jq           # the README's walkthrough
  git               # make lint lists files with git
  # PDF/A-3 e-certificates (document/, signing/pades): the Thai font, the
  # sRGB profile, and the tools the tests check PDFs with.
  fonts-tlwg-laksaman-ttf icc-profiles-free poppler-utils qpdf mupdf-tools
  zbar-tools        # zbarimg: tests decode the QR codes we draw
  # Face verification (fvs/): dlib for github.com/Kagami/go-face (cgo).
  libdlib-dev libopenblas-dev liblapack-dev libjpeg62-turbo-dev libatlas-base-dev
  build-essential pkg-config
  # Browser tests of the pages (web/): Chromium driven by playwright-core.
  chromium          # (Node.js and npm come with the machine; see below)
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get to install them"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing packages (${missing[*]}); run as root or install sudo"
    SUDO=sudo
  fi
  say "installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Go modules --------------------------------------------------------------
# Pinned in go.mod/go.sum; the module proxy here refuses version lists, so
# nothing may ask for @latest.
say "Go modules"
go mod download
if [ -f interop/go.mod ]; then
  (cd interop && go mod download)
fi

say "ready"
