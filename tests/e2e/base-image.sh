#!/usr/bin/env bash
# Makes the base image the Dockerfiles build FROM (docker.io/library/debian:bookworm-slim)
# locally, since no registry is reachable: debootstrap --variant=minbase + podman import.
# Cached: does nothing when the image exists. The Debian mirror is read from this machine's
# apt sources at run time. Usage: tests/e2e/base-image.sh   (root; CONTAINERS_CONF set)
set -euo pipefail
image=${MAILROOM_BASE_IMAGE:-docker.io/library/debian:bookworm-slim}

if podman image exists "$image"; then
  exit 0
fi
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)
dir=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-rootfs.XXXXXX")
trap 'rm -rf "$dir"' EXIT
echo "base-image: debootstrap bookworm from $mirror (about a minute)" >&2
debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.log" 2>&1 \
  || { tail -20 "$dir.log" >&2; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
# Like the official slim image: no apt caches, no recommends.
rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
  >"$dir/etc/apt/apt.conf.d/90mailroom-slim"
tar -C "$dir" -c . | podman import \
  --change 'CMD ["bash"]' \
  --change 'LABEL org.mailroom.stand-in=debootstrap' \
  - "$image" >/dev/null
echo "base-image: imported $image" >&2
