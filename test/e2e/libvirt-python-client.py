#!/usr/bin/python3
"""Drive virtnet with Debian's python3-libvirt, as a libvirt application would.

Usage: libvirt-python-client.py URI NETWORK_XML

Opens URI, registers a network lifecycle callback through libvirt's default
event loop (virEventRegisterDefaultImpl), then lists, defines, starts,
updates, inspects (ports too), destroys and undefines the network in
NETWORK_XML,
printing one JSON object per line for the test to check. Events received
are printed as {"event": ...} lines once the run is over.
"""
import json
import sys
import threading
import time

import libvirt

uri, xml_path = sys.argv[1], sys.argv[2]
events = []


def out(**kw):
    print(json.dumps(kw), flush=True)


def loop():
    while True:
        libvirt.virEventRunDefaultImpl()


# Errors are caught and printed below, not on stderr by libvirt's default handler.
libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=loop, daemon=True).start()

conn = libvirt.open(uri)
out(step="open", type=conn.getType(), uri=conn.getURI(), lib=conn.getLibVersion(), hostname_ok=bool(conn.getHostname()))


def on_lifecycle(_conn, net, event, detail, _opaque):
    events.append({"network": net.name(), "event": event, "detail": detail})


callback = conn.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, on_lifecycle, None)
out(step="before", all=sorted(n.name() for n in conn.listAllNetworks()), active=sorted(conn.listNetworks()), defined=sorted(conn.listDefinedNetworks()))

with open(xml_path) as f:
    net = conn.networkDefineXML(f.read())
name = net.name()
out(step="defined", name=name, uuid=net.UUIDString(), active=net.isActive(), persistent=net.isPersistent())

net.create()
out(step="started", active=net.isActive(), bridge=net.bridgeName(), autostart=net.autostart(),
    inactive_listed=sorted(n.name() for n in conn.listAllNetworks(libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE)),
    active_listed=sorted(conn.listNetworks()))

net.update(libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1,
           "<host mac='52:54:00:00:00:42' name='py' ip='192.168.150.42'/>",
           libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE | libvirt.VIR_NETWORK_UPDATE_AFFECT_CONFIG)
out(step="updated", live_has_host="name='py'" in net.XMLDesc(0),
    config_has_host="name='py'" in net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE))

out(step="leases", leases=net.DHCPLeases())

# A port as virtqemud asks for one when it plugs a guest's <interface type='network'> in.
port = net.portCreateXML("""<networkport>
  <uuid>7a7b7c7d-0000-4000-8000-000000000001</uuid>
  <owner><name>pyguest</name><uuid>7a7b7c7d-0000-4000-8000-0000000000aa</uuid></owner>
  <mac address='52:54:00:00:00:42'/>
</networkport>""")
out(step="port", uuid=port.UUIDString(), xml=port.XMLDesc(), listed=[p.UUIDString() for p in net.listAllPorts()],
    found=net.portLookupByUUIDString("7a7b7c7d-0000-4000-8000-000000000001").UUIDString(),
    params=port.parameters())
port.delete()
out(step="port-deleted", listed=[p.UUIDString() for p in net.listAllPorts()])

try:
    conn.networkLookupByName("no-such-network")
except libvirt.libvirtError as e:
    out(step="missing", code=e.get_error_code(), domain=e.get_error_domain(), message=e.get_error_message())

net.destroy()
out(step="destroyed", active=net.isActive())
net.undefine()
out(step="undefined", names=sorted(n.name() for n in conn.listAllNetworks()))

deadline = time.time() + 10
while len(events) < 4 and time.time() < deadline:
    time.sleep(0.05)
conn.networkEventDeregisterAny(callback)
for e in events:
    out(event=e)
conn.close()
