#!/usr/bin/env bash
# Set up a virtnet checkout on Debian: Node.js 20.19+ with npm, the system
# packages virtnetd and the README's tutorial use, then `npm ci` and the build.
#
#   scripts/setup.sh            install what is missing (apt needs root), then npm ci and build
#   scripts/setup.sh --dry-run  say what would be installed and run, change nothing
#
# Node.js: Debian 13 and newer ship a nodejs new enough, with npm as its own
# package; a Node.js that brings its own npm (NodeSource's nodejs package, a
# tarball, nvm) conflicts with Debian's npm package, so npm is only installed
# from Debian beside Debian's own nodejs. On Debian 12 (nodejs 18) Node.js 20
# must come from elsewhere first: the script says so and stops.
set -euo pipefail
cd "${BASH_SOURCE[0]%/*}/.."

NODE_MIN=20.19
# What virtnetd runs (ip, nft, dnsmasq, ethtool, nsenter), what the tutorial
# runs (busybox's udhcpc in guests, ping, virsh), and the C compiler for the
# dnsmasq zygote (the build goes on without it).
PACKAGES=(iproute2 nftables dnsmasq-base ethtool util-linux procps iputils-ping busybox libvirt-clients gcc libc6-dev)

DRY_RUN=
for arg in "$@"; do
  case $arg in
    --dry-run) DRY_RUN=1 ;;
    -h | --help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$@" >&2; exit 1; }

# version_at_least A B: whether dotted version A >= B (numeric fields, missing ones are 0).
version_at_least() {
  local -a a b
  IFS=. read -r -a a <<< "$1"
  IFS=. read -r -a b <<< "$2"
  local i x y
  for i in 0 1 2; do
    x=${a[i]:-0} y=${b[i]:-0}
    x=${x%%[!0-9]*} y=${y%%[!0-9]*}
    ((10#${x:-0} > 10#${y:-0})) && return 0
    ((10#${x:-0} < 10#${y:-0})) && return 1
  done
  return 0
}

# The upstream part of a Debian version: 1:20.19.2+dfsg-1 -> 20.19.2
upstream_version() {
  local v=${1#*:}
  v=${v%%[-+~]*}
  printf '%s' "$v"
}

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = 'install ok installed' ]; }

# The version apt would install for a package, or nothing.
apt_candidate() {
  local line
  while read -r line; do
    case $line in Candidate:*) line=${line#Candidate: }; [ "$line" != '(none)' ] && printf '%s' "$line"; return ;; esac
  done < <(apt-cache policy "$1" 2>/dev/null)
}

# Whether a package's candidate (or installed version) brings npm itself (NodeSource's nodejs does).
brings_npm() {
  local line
  while read -r line; do
    case $line in Provides:*npm* | Conflicts:*npm*) return 0 ;; esac
  done < <(apt-cache show --no-all-versions "$1" 2>/dev/null)
  return 1
}

how_to_get_node() {
  die "$1" \
    "virtnet needs Node.js $NODE_MIN or newer, with npm. To get it:" \
    "  Debian 13 (trixie) or newer:  apt-get install nodejs npm" \
    "  Debian 12 (bookworm), whose own nodejs is 18: install Node.js 20 or newer from NodeSource" \
    "    (https://github.com/nodesource/distributions), whose nodejs package brings npm;" \
    "    do not install Debian's npm package beside it (the two conflict)." \
    "Then run scripts/setup.sh again."
}

need=()

# --- Node.js and npm
node_version=
if command -v node > /dev/null 2>&1; then node_version=$(node -p 'process.versions.node' 2>/dev/null || true); fi
if [ -z "$node_version" ]; then
  candidate=$(apt_candidate nodejs)
  if [ -n "$candidate" ] && version_at_least "$(upstream_version "$candidate")" "$NODE_MIN"; then
    say "Node.js is not installed; apt offers nodejs $candidate"
    need+=(nodejs)
    brings_npm nodejs || need+=(npm)
  else
    how_to_get_node "Node.js is not installed${candidate:+, and apt only offers nodejs $candidate}."
  fi
elif ! version_at_least "$node_version" "$NODE_MIN"; then
  how_to_get_node "Node.js $node_version is too old (found $(command -v node))."
else
  say "Node.js $node_version"
  if ! command -v npm > /dev/null 2>&1; then
    if installed nodejs && ! brings_npm nodejs && [ -n "$(apt_candidate npm)" ]; then
      need+=(npm)
    else
      die "npm is missing beside Node.js $node_version ($(command -v node)): install the npm that belongs to that Node.js, then run scripts/setup.sh again."
    fi
  fi
fi

# --- system packages
for pkg in "${PACKAGES[@]}"; do installed "$pkg" || need+=("$pkg"); done

if [ ${#need[@]} -gt 0 ]; then
  if [ -n "$DRY_RUN" ]; then
    say "would run: apt-get update && apt-get install -y --no-install-recommends ${need[*]}"
  else
    [ "$(id -u)" = 0 ] || die "these packages are missing: ${need[*]}" "Run scripts/setup.sh as root (it uses apt-get), or install them first."
    say "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${need[@]}"
  fi
else
  say "system packages: all present"
fi

# --- the checkout
if [ -n "$DRY_RUN" ]; then
  say "would run: npm ci --no-audit --no-fund && npm run build"
  exit 0
fi
npm ci --no-audit --no-fund
npm run -s build
say "done: start the daemon with  bin/virtnetd --sandbox --listen 127.0.0.1:8080"
