#!/usr/bin/python3
"""Drive Debian's virt-manager through its accessibility tree (dogtail).

Usage: virt-manager-driver.py SCREENSHOT_DIR NEW_NETWORK

virt-manager must already be running on $DISPLAY with its connection
details window open (--show-host-summary). The script opens the Virtual
Networks tab, reports the networks listed there, creates NEW_NETWORK with
virt-manager's own "Create a new virtual network" wizard (NAT, the
defaults it proposes), then stops and starts it with the tab's buttons.
It prints one JSON object per step and saves a screenshot of the screen
after each into SCREENSHOT_DIR.
"""
import json
import os
import sys
import time

import gi

gi.require_version("Gdk", "3.0")
from gi.repository import Gdk  # noqa: E402
from dogtail import config  # noqa: E402

shots, new_name = sys.argv[1], sys.argv[2]
config.config.logDebugToFile = False
config.config.searchCutoffCount = 40
from dogtail import tree  # noqa: E402


def out(**kw):
    print(json.dumps(kw), flush=True)


def screenshot(name):
    root = Gdk.get_default_root_window()
    pixbuf = Gdk.pixbuf_get_from_window(root, 0, 0, root.get_width(), root.get_height())
    path = os.path.join(shots, name + ".png")
    pixbuf.savev(path, "png", [], [])
    return path


def wait(check, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise SystemExit("timed out waiting for " + what)


def click(node):
    node.doActionNamed("click")


wait(lambda: any(a.name == "virt-manager" for a in tree.root.applications()), "virt-manager to start", 60)
app = tree.root.application("virt-manager")
frame = app.child(roleName="frame", name="network - Connection Details")
frame.child(name="Virtual Networks", roleName="page tab").select()
table = frame.child(name="net-list", roleName="table")


def listed():
    return sorted(c.name for c in table.findChildren(lambda n: n.roleName == "table cell" and n.name != "", recursive=True))


def select(name):
    # The row is a cell holding the icon and name cells; selecting it selects the row.
    row = table.findChild(lambda n: n.roleName == "table cell" and n.name == name).parent
    row.select()
    wait(lambda: frame.child(name="net-start", roleName="push button").sensitive != frame.child(name="net-stop", roleName="push button").sensitive, "the details of " + name)


def state():
    return "active" if frame.child(name="net-stop", roleName="push button").sensitive else "inactive"


time.sleep(1)
out(step="listed", networks=listed(), screenshot=screenshot("1-networks"))

click(frame.child(name="net-add", roleName="push button"))
wizard = app.child(roleName="frame", name="Create a new virtual network")
name_field = wizard.child(name="Net Name Field", roleName="text")
name_field.text = new_name
out(step="wizard", screenshot=screenshot("2-wizard"))
click(wizard.child(name="Finish", roleName="push button"))
wait(lambda: new_name in listed(), new_name + " in the list")
wait(lambda: not wizard.showing, "the wizard to close")
select(new_name)
out(step="created", networks=listed(), state=state(), screenshot=screenshot("3-created"))

click(frame.child(name="net-stop", roleName="push button"))
wait(lambda: state() == "inactive", new_name + " to stop")
out(step="stopped", state=state(), screenshot=screenshot("4-stopped"))

click(frame.child(name="net-start", roleName="push button"))
wait(lambda: state() == "active", new_name + " to start")
out(step="started", state=state(), screenshot=screenshot("5-started"))
