#!/bin/sh
# Run inside `dbus-run-session` (a private session bus, so AT-SPI works):
# start virt-manager on $DISPLAY with the connection details window for URI,
# let test/e2e/virt-manager-driver.py drive it, then end virt-manager.
#   virt-manager-session.sh URI SCREENSHOT_DIR NEW_NETWORK
# XDG_*_HOME point at a private directory the test made, so virt-manager's
# settings and caches never touch the user's.
uri=$1 shots=$2 name=$3
here=$(dirname "$0")
virt-manager --no-fork --connect "$uri" --show-host-summary >"$shots/virt-manager.log" 2>&1 &
vm=$!
# dogtail refuses to run unless it believes accessibility is on; GTK 3 apps
# expose their tree on the session bus's AT-SPI either way.
GTK_MODULES=gail:atk-bridge /usr/bin/python3 "$here/virt-manager-driver.py" "$shots" "$name"
rc=$?
kill "$vm" 2>/dev/null
wait "$vm" 2>/dev/null
exit $rc
