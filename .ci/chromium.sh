# Sourced by .ci/run (bash, set -euo pipefail): makes sure headless Chromium is there for
# the report's rendering test (report.TestWriteHTML_Rendered), which fails under CI=true
# when it is missing. Installs Debian's chromium and a font when /usr/bin/chromium is
# missing, unless VIP_CHROMIUM names a binary already.
if [ -n "${VIP_CHROMIUM:-}" ]; then
  echo "Chromium: using VIP_CHROMIUM=$VIP_CHROMIUM"
elif [ -x /usr/bin/chromium ]; then
  echo "Chromium: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
else
  echo "Chromium: installing from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  vip_sudo=""
  if [ "$(id -u)" != 0 ]; then vip_sudo="sudo"; fi
  $vip_sudo apt-get update -qq
  $vip_sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  [ -x /usr/bin/chromium ] || { echo "Chromium: no /usr/bin/chromium after installing" >&2; exit 1; }
  echo "Chromium: $(/usr/bin/chromium --version 2>/dev/null)"
fi
export CI="${CI:-true}"
