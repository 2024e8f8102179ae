#!/usr/bin/env bash
# Set-up for a fresh Debian/Ubuntu machine: system packages, npm packages, the native engine and the builds.
set -euo pipefail
cd "$(dirname "$0")/.."

# libdnnl-dev: the native engine (oneDNN 2.x; MNIST_LAB_SKIP_NATIVE=1 sets up without it); chromium: browser
# tests; redis-server: distributed tuning tests; fonts: the pictures; dataset-fashion-mnist: the second dataset;
# python3-torch: the benchmark's peer, with OpenBLAS (without it Debian's PyTorch falls back to the reference BLAS
# and the benchmark flatters us).
APT_PACKAGES=(g++ make python3 chromium redis-server fonts-dejavu-core fonts-freefont-ttf dataset-fashion-mnist python3-torch libopenblas0-pthread)
SKIP_NATIVE="${MNIST_LAB_SKIP_NATIVE:-0}"
[ "$SKIP_NATIVE" = 1 ] || APT_PACKAGES=(libdnnl-dev "${APT_PACKAGES[@]}")

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing system packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: not a Debian/Ubuntu machine; install these yourself for the full feature set: ${missing[*]}" >&2
  fi
fi

echo "setup: installing npm packages"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi

echo "setup: building the CLI and the web app"
npm run build
npm run build:web

if [ "$SKIP_NATIVE" = 1 ]; then
  echo "setup: MNIST_LAB_SKIP_NATIVE=1: not building the native engine; mnist-lab trains on TF.js wasm (many times slower) and the native tests are skipped"
else
  echo "setup: building the native engine (oneDNN 2.x)"
  if ! npm run build:native; then
    echo "setup: the native engine did not build (see the compiler output above; it needs oneDNN 2.x: sudo apt-get install libdnnl-dev)." >&2
    echo "setup: on a machine without oneDNN 2, run MNIST_LAB_SKIP_NATIVE=1 bash scripts/setup.sh to set up without it (slower training, native tests skipped)." >&2
    exit 1
  fi
fi
echo "setup: MNIST data"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mnist-lab/mnist"
if [ -n "${MNIST_DATA:-}" ]; then
  echo "setup: using \$MNIST_DATA=$MNIST_DATA"
elif [ -f "$cache/train-images-idx3-ubyte.gz" ] || [ -f "$cache/train-images-idx3-ubyte" ]; then
  echo "setup: found the data in $cache"
elif [ -d ../shared/data/mnist ]; then
  mkdir -p "$cache"
  ln -sf "$(cd ../shared/data/mnist && pwd)"/*-ubyte.gz "$cache/"
  echo "setup: linked ../shared/data/mnist into $cache"
else
  node bin/mnist-lab.js data fetch || echo "setup: could not download MNIST; pass --data-dir or set MNIST_DATA to a folder with the four IDX files" >&2
fi
echo "setup: done. Try: npx mnist-lab models --explain"
