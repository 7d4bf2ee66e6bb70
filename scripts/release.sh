#!/usr/bin/env bash
# Release builds of scimbridge: static binaries for linux/amd64, linux/arm64 and windows/amd64,
# built with -trimpath and stamped with the version, commit, commit date and dirty flag that
# `scimbridge version` and the scimbridge_build_info metric report, plus SHA256SUMS.
#
#   scripts/release.sh [VERSION]        # default: git describe --tags --always --dirty
#
# Output goes to dist/ (or $DIST), which is never committed (.gitignore). See docs/releasing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=${TARGETS:-"linux/amd64 linux/arm64 windows/amd64"}
dist=${DIST:-dist}

if git rev-parse --git-dir >/dev/null 2>&1; then
  commit=$(git rev-parse HEAD)
  date=$(git log -1 --format=%cI HEAD) # the commit's date, so that a rebuild gives the same bytes
  dirty=false
  if [ -n "$(git status --porcelain --untracked-files=no)" ]; then dirty=true; fi
  version=${1:-$(git describe --tags --always --dirty 2>/dev/null)}
else
  commit=unknown date=unknown dirty=false
  version=${1:-dev}
fi
case "$version" in
  ''|*[!A-Za-z0-9._+-]*) echo "release.sh: version '$version' may only use letters, digits and . _ + -" >&2; exit 2 ;;
esac

pkg=github.com/scimbridge/scimbridge/internal/buildinfo
ldflags="-s -w -buildid= -X $pkg.version=$version -X $pkg.commit=$commit -X $pkg.date=$date -X $pkg.dirty=$dirty"

rm -rf "$dist"
mkdir -p "$dist"
files=()
for target in $targets; do
  goos=${target%/*} goarch=${target#*/}
  ext=""; [ "$goos" = windows ] && ext=.exe
  name="scimbridge-$version-$goos-$goarch$ext"
  echo "building $name"
  # CGO off: the SQLite driver is pure Go, so the binary is static and runs on distroless/scratch.
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$dist/$name" ./cmd/scimbridge
  files+=("$name")
done

(
  cd "$dist"
  if command -v sha256sum >/dev/null; then
    sha256sum "${files[@]}" > SHA256SUMS
  else
    shasum -a 256 "${files[@]}" > SHA256SUMS
  fi
)
echo "wrote $dist/:"
cat "$dist/SHA256SUMS"
if [ "$dirty" = true ]; then
  echo "release.sh: WARNING: the work tree has uncommitted changes; these binaries say dirty=true" >&2
fi
