#!/usr/bin/env bash
# Builds the enquete release binaries reproducibly, writes SHA256SUMS and
# signs it with the project's release key (ssh-keygen -Y sign).
#
#   release/build.sh -k ~/.ssh/enquete-release [-o DIR] [--targets "OS/ARCH …"]
#   release/build.sh --unsigned [-o DIR]          # anyone: rebuild and compare
#
# The version is the tag on HEAD (v*), the commit is HEAD; the work tree must
# be clean. --version and --commit name them instead (a tree without git).
# Two runs from the same commit, in any folders, on any machine with the Go
# of go.mod, give the same bytes: CGO_ENABLED=0, -trimpath (no build path),
# -buildvcs=false (the commit is injected instead, no VCS time), an empty
# build id, fixed GOAMD64/GOARM64 levels, no GOFLAGS or GOEXPERIMENT from the
# environment or go env -w, and the toolchain pinned to go.mod's
# (GOTOOLCHAIN: the go command fetches it if the installed one differs).
set -euo pipefail

namespace="enquete-release"
principal="release@enquete-field"
all_targets="linux/amd64 linux/arm64 windows/amd64 darwin/arm64 darwin/amd64"

die() {
  printf 'release: %s\n' "$1" >&2
  [ $# -lt 2 ] || printf 'hint: %s\n' "$2" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -e/p' "$0" | sed -n 's/^# \{0,1\}//p'
}

root="$(cd "$(dirname "$0")/.." && pwd)"
out=""
key="${ENQUETE_RELEASE_KEY:-}"
unsigned=0
version=""
commit=""
targets="$all_targets"

while [ $# -gt 0 ]; do
  case "$1" in
    -o) [ $# -ge 2 ] || die "-o needs a folder"; out="$2"; shift 2 ;;
    -k) [ $# -ge 2 ] || die "-k needs the release key's file"; key="$2"; shift 2 ;;
    --unsigned) unsigned=1; shift ;;
    --version) [ $# -ge 2 ] || die "--version needs a version (v1.2.3)"; version="$2"; shift 2 ;;
    --commit) [ $# -ge 2 ] || die "--commit needs a commit hash"; commit="$2"; shift 2 ;;
    --targets) [ $# -ge 2 ] || die "--targets needs a list (\"linux/amd64 windows/amd64\")"; targets="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option: $1" "release/build.sh --help lists the options" ;;
  esac
done

cd "$root"

# The version and commit: from git unless both are given.
if [ -z "$version" ] || [ -z "$commit" ]; then
  git rev-parse --git-dir >/dev/null 2>&1 ||
    die "$root is not a git clone" "give --version and --commit"
  if [ -n "$(git status --porcelain)" ]; then
    die "the work tree has changes: a release is built from a commit as it is" \
      "commit or stash them (git status lists them)"
  fi
  [ -n "$commit" ] || commit="$(git rev-parse HEAD)"
  if [ -z "$version" ]; then
    version="$(git describe --tags --exact-match --match 'v*' HEAD 2>/dev/null)" ||
      die "HEAD carries no tag v*" "tag the release commit (git tag -a v1.2.3) or give --version"
  fi
fi
case "$version" in
  *[!A-Za-z0-9._+-]*|"") die "version $version: only letters, digits and . _ + - are allowed" ;;
esac
case "$commit" in
  *[!0-9a-f]*|"") die "commit $commit is not a hexadecimal hash" ;;
esac

for target in $targets; do
  case " $all_targets " in
    *" $target "*) ;;
    *) die "unknown target $target" "one of: $all_targets" ;;
  esac
done

if [ "$unsigned" = 0 ] && [ -z "$key" ]; then
  die "no release key to sign SHA256SUMS with" \
    "give -k FILE (or ENQUETE_RELEASE_KEY), or --unsigned to rebuild and compare"
fi
# The allowed-signers line of the key, checked before anything is built.
if [ "$unsigned" = 0 ]; then
  [ -r "$key" ] || die "cannot read the release key $key"
  command -v ssh-keygen >/dev/null || die "ssh-keygen not found" "install OpenSSH (Debian: openssh-client)"
  if [ -r "$key.pub" ]; then
    pubkey="$(awk '{ print $1, $2 }' "$key.pub")"
  else
    pubkey="$(ssh-keygen -y -f "$key" | awk '{ print $1, $2 }')"
  fi
  signer="$principal namespaces=\"$namespace\" $pubkey"
  if [ -f "$root/release/allowed_signers" ] && ! grep -qF "$pubkey" "$root/release/allowed_signers"; then
    die "the key $key is not the one in release/allowed_signers" "sign with the project's release key"
  fi
fi

if command -v sha256sum >/dev/null; then
  sha256() { sha256sum "$@"; }
elif command -v shasum >/dev/null; then
  sha256() { shasum -a 256 "$@"; }
else
  die "neither sha256sum nor shasum is installed"
fi

# The toolchain is go.mod's (its toolchain line, else its go line).
gomod_go="$(awk '$1 == "toolchain" { print $2; exit }' go.mod)"
[ -n "$gomod_go" ] || gomod_go="go$(awk '$1 == "go" { print $2; exit }' go.mod)"
export GOTOOLCHAIN="$gomod_go"
# GOFLAGS is set (not emptied) so that none from go env -w applies.
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOAMD64=v1 GOARM64=v8.0
unset GOOS GOARCH GOARM GO386 GOPPC64 GOMIPS GOWASM GODEBUG GOEXPERIMENT
goversion="$(go env GOVERSION)"
[ "$goversion" = "$gomod_go" ] || die "go is $goversion, go.mod asks for $gomod_go"
[ -z "$(go env GOEXPERIMENT)" ] ||
  die "GOEXPERIMENT=$(go env GOEXPERIMENT) is set by go env -w" "go env -u GOEXPERIMENT"

[ -n "$out" ] || out="$root/dist/$version"
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
  die "$out is not empty" "give an empty or new folder with -o"
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

ldflags="-s -w -buildid= -X main.buildVersion=$version -X main.buildCommit=$commit"
names=()
for target in $targets; do
  os="${target%/*}" arch="${target#*/}"
  ext=""
  [ "$os" = windows ] && ext=".exe"
  name="enquete-$version-$os-$arch$ext"
  GOOS="$os" GOARCH="$arch" go build -trimpath -buildvcs=false -ldflags="$ldflags" \
    -o "$out/$name" ./cmd/enquete
  names+=("$name")
  echo "built $name"
done

cd "$out"
LC_ALL=C sha256 $(printf '%s\n' "${names[@]}" | LC_ALL=C sort) >SHA256SUMS
echo "wrote $out/SHA256SUMS ($goversion, commit $commit)"

if [ "$unsigned" = 1 ]; then
  echo "not signed (--unsigned): compare SHA256SUMS with the published one"
  exit 0
fi

ssh-keygen -q -Y sign -f "$key" -n "$namespace" SHA256SUMS
ssh-keygen -Y verify -f <(printf '%s\n' "$signer") -I "$principal" -n "$namespace" \
  -s SHA256SUMS.sig <SHA256SUMS >/dev/null ||
  die "the signature just made does not verify"
echo "wrote $out/SHA256SUMS.sig (namespace $namespace)"
echo "allowed signers line (publish it in release/allowed_signers and the README):"
echo "$signer"
