#!/usr/bin/env bash
# Checks that ConvKit works as a *versioned* dependency (SwiftPM refuses unsafeFlags there):
# clones the committed HEAD of this repository into a temporary git repository, tags it, and
# builds and runs a small client package that depends on it with `exact:` that tag.
# Usage: Tests/ConsumerPackage/check.sh   (from anywhere; needs only git and the Swift toolchain)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && git rev-parse --show-toplevel)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
version="0.0.1-consumercheck"

git clone --quiet "$root" "$work/ConvKit"
git -C "$work/ConvKit" tag "$version"

mkdir -p "$work/client/Sources/ConsumerCheck"
sed -e "s|@CONVKIT_URL@|file://$work/ConvKit|" -e "s|@CONVKIT_VERSION@|$version|" \
    "$here/Package.swift.template" > "$work/client/Package.swift"
cp "$here/Sources/ConsumerCheck/main.swift" "$work/client/Sources/ConsumerCheck/"

cd "$work/client"
swift build -c release
"$(swift build -c release --show-bin-path)/ConsumerCheck"
