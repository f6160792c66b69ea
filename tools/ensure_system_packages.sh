#!/usr/bin/env bash
# Make sure the system (Debian) packages the test suite needs are installed; install the missing ones.
#
#   tools/ensure_system_packages.sh            (run by `make test` first)
#   tools/ensure_system_packages.sh --browser  (run by `make test-bi`: also the headless browser)
#
# Each need is a command the tests call and the Debian package providing it. When every command is
# found this exits 0 at once. Otherwise, as root, it installs the missing packages with apt-get (update
# first, quiet, non-interactive, no recommended extras); as another user it prints the command to run
# and exits 1.
set -euo pipefail

# command:package
NEEDS=(
  "docker-compose:docker-compose"   # tests/infra/test_docker_compose.py validates docker-compose.yml
)
if [[ "${1:-}" == "--browser" ]]; then
  NEEDS+=(
    "chromium:chromium"             # tests/bi/ (`make test-bi`): the dashboards in a headless browser,
    "chromedriver:chromium-driver"  # driven by Selenium through Debian's driver (no browser download)
  )
fi

missing=()
for need in "${NEEDS[@]}"; do
  command -v "${need%%:*}" >/dev/null 2>&1 || missing+=("${need#*:}")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "error: missing system packages for the tests: ${missing[*]}" >&2
  echo "install them with:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing system packages for the tests: ${missing[*]} (no apt-get here: install them with your package manager)" >&2
  exit 1
fi

echo "installing system packages for the tests: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
apt-get update -qq </dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
for need in "${NEEDS[@]}"; do
  command -v "${need%%:*}" >/dev/null 2>&1 || { echo "error: ${need%%:*} still missing after installing ${need#*:}" >&2; exit 1; }
done
