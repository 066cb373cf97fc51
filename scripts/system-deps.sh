#!/usr/bin/env bash
# Installs the Debian packages that pip cannot provide: the libraries WeasyPrint
# loads at run time (Pango, HarfBuzz's subsetter: without it CJK renders take
# 25x longer), GNU gettext (the referee for the catalogs we write), poppler
# (PDF to PNG for proof sheets, the desk's preview and for looking at pages),
# Chromium with its WebDriver (the desk's browser tests), and ICU with what PyICU
# needs to build against it (word segmentation for Thai, Khmer and Burmese line
# breaks: PyICU comes as source only).
# Idempotent: does nothing when everything is present.
set -euo pipefail

# The README's figures and the byte-identical PDFs were measured with the versions
# in the comments (Debian 12); other versions work but may lay text out differently.
packages=(
    libpango-1.0-0      # 1.50.12+ds-1
    libpangoft2-1.0-0   # 1.50.12+ds-1
    libharfbuzz-subset0 # 6.0.0+dfsg-3
    libfontconfig1      # 2.14.1-4
    gettext             # 0.21-12
    poppler-utils       # 22.12.0-2+deb12u3
    chromium            # 156.0.8078.108-1~deb12u1
    chromium-driver     # 156.0.8078.108-1~deb12u1
    libicu-dev          # 72.1-3+deb12u1
    pkg-config          # 1.8.1-1
    g++                 # 4:12.2.0-3
)

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: these system packages are needed: ${missing[*]}" >&2
    echo "This machine has no apt-get: install their equivalents with your package manager." >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "error: these system packages are needed: ${missing[*]}" >&2
    echo "Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
