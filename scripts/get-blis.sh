#!/usr/bin/env bash
# Builds BLIS (github.com/inference-sim/inference-sim) from a source tree into build/blis/, with
# Debian's Go in GOPATH mode (no module downloads), for `simcheck run --sut blis`.
#
#   BLIS_SRC=/path/to/inference-sim bash scripts/get-blis.sh
#
# BLIS_SRC is a work tree (a git clone) or a bare git directory (then BLIS_COMMIT, default HEAD,
# is extracted). BLIS_OUT (default build/blis) receives the binary `blis` and, beside it, the
# defaults.yaml, hardware_config.json and model_configs/ it reads, so that simcheck's default
# BLIS flags find them. Installs golang-1.23-go (bookworm-backports) and the Go libraries BLIS
# imports with apt-get when they are missing (root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
: "${BLIS_SRC:?set BLIS_SRC to a BLIS source tree (git clone of github.com/inference-sim/inference-sim)}"
OUT=${BLIS_OUT:-$ROOT/build/blis}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
GO=${GO:-/usr/lib/go-1.23/bin/go}
GO_LIBS="golang-github-google-uuid-dev golang-github-sirupsen-logrus-dev golang-github-spf13-cobra-dev golang-gopkg-yaml.v3-dev"
missing=""
[ -x "$GO" ] || missing="golang-1.23-go"
for p in $GO_LIBS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if ! apt-cache policy 2>/dev/null | grep -q bookworm-backports; then
    echo "get-blis: adding the bookworm-backports apt source (for golang-1.23-go)"
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
      $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
  fi
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi

# A work tree of the source: BLIS_SRC itself, or an extract of a bare repository.
SRC="$BLIS_SRC"
if [ ! -f "$SRC/main.go" ]; then
  if git --git-dir="$BLIS_SRC" rev-parse --verify -q "${BLIS_COMMIT:-HEAD}" >/dev/null; then
    SRC="$OUT/src"
    rm -rf "$SRC" && mkdir -p "$SRC"
    git --git-dir="$BLIS_SRC" archive "${BLIS_COMMIT:-HEAD}" | tar -x -C "$SRC"
  else
    echo "get-blis: $BLIS_SRC is neither a BLIS source tree (no main.go) nor a git directory" >&2
    exit 2
  fi
fi
SRC=$(cd "$SRC" && pwd)

GOPATH_DIR="$OUT/gopath"
mkdir -p "$GOPATH_DIR/src/github.com/inference-sim"
ln -sfn "$SRC" "$GOPATH_DIR/src/github.com/inference-sim/inference-sim"
echo "get-blis: building BLIS from $SRC"
(cd "$GOPATH_DIR/src/github.com/inference-sim/inference-sim" &&
  env GO111MODULE=off GOFLAGS= GOPATH="$GOPATH_DIR:/usr/share/gocode" GOCACHE="$OUT/gocache" \
    "$GO" build -o "$OUT/blis" .)
cp "$SRC/defaults.yaml" "$SRC/hardware_config.json" "$OUT/"
rm -rf "$OUT/model_configs" && cp -r "$SRC/model_configs" "$OUT/"
if git -C "$SRC" rev-parse HEAD >/dev/null 2>&1; then
  git -C "$SRC" rev-parse HEAD >"$OUT/VERSION"
elif [ "$SRC" = "$OUT/src" ]; then
  git --git-dir="$BLIS_SRC" rev-parse "${BLIS_COMMIT:-HEAD}" >"$OUT/VERSION"
fi
echo "get-blis: built $OUT/blis${OUT:+ ($(cat "$OUT/VERSION" 2>/dev/null || echo unknown commit))}"
"$OUT/blis" --help >/dev/null
