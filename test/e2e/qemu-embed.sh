#!/bin/sh
# Run a guest with libvirt's own QEMU driver (Debian's virt-qemu-run, the
# driver virtqemud is made of, embedded in one process) using virtnetd as
# its network driver: <interface type='network'> makes the QEMU driver open
# network:///system and ask that daemon for a port (virNetworkPortCreateXML),
# exactly as a split libvirt's virtqemud asks virtnetworkd.
#   qemu-embed.sh NETNS VIRTNET_ROOT STATE DOMAIN_XML TIMEOUT_S
# It runs in NETNS (where virtnetd realises its networks: the guest's tap
# meets its bridge) and in a mount namespace of its own, where
#   /run/libvirt        is VIRTNET_ROOT/run/libvirt, so libvirt's network
#                       daemon socket there is virtnetd's
#   /etc/libvirt        holds only libvirt.conf with remote_mode "direct"
#                       (Debian 12 ships no modular daemons, so libvirt's
#                       "auto" mode would look for libvirtd instead)
#   /etc/passwd, /etc/group are the host's plus the libvirt-qemu user and
#                       group the QEMU driver looks up at start-up
# The QEMU driver's own state is under STATE/root; QEMU runs as root under
# TCG with no security driver, cgroups, per-guest namespaces or virtlogd. The guest
# runs until it powers off (or TIMEOUT_S).
set -eu
netns=$1 root=$2 state=$3 xml=$4 limit=$5
mkdir -p "$state/etc" "$state/root/etc"
echo 'remote_mode = "direct"' > "$state/etc/libvirt.conf"
cat > "$state/root/etc/qemu.conf" <<'CONF'
user = "root"
group = "root"
stdio_handler = "file"
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
remember_owner = 0
CONF
cp /etc/passwd "$state/passwd"
cp /etc/group "$state/group"
grep -q '^libvirt-qemu:' "$state/passwd" || echo 'libvirt-qemu:x:64055:64055:libvirt qemu:/nonexistent:/usr/sbin/nologin' >> "$state/passwd"
grep -q '^libvirt-qemu:' "$state/group" || echo 'libvirt-qemu:x:64055:' >> "$state/group"
mkdir -p /run/libvirt /etc/libvirt
exec ip netns exec "$netns" unshare --mount --propagation private sh -c '
  set -e
  mount --bind "$1/run/libvirt" /run/libvirt
  mount --bind "$2/etc" /etc/libvirt
  mount --bind "$2/passwd" /etc/passwd
  mount --bind "$2/group" /etc/group
  exec timeout "$4" virt-qemu-run --verbose --root "$2/root" "$3"
' sh "$root" "$state" "$xml" "$limit"
