#!/bin/bash
# Prints, one per line, the Debian packages owning the shared libraries that the given
# binaries load (via ldd), so the runtime image installs exactly those.
set -euo pipefail
ldd "$@" | awk '/=> \// {print $3}' | sort -u | while read -r lib; do
  dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null \
    || dpkg -S "/usr$lib" 2>/dev/null || { echo "runtime-packages: no package owns $lib" >&2; exit 1; }
done | grep -v '^diversion' | cut -d: -f1 | sort -u
