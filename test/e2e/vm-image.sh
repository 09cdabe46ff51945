#!/bin/bash
# A tiny guest for QEMU tests: Debian's kernel and an initramfs of a static
# busybox plus the virtio-net modules, whose /init asks every NIC for a DHCP
# lease and applies it as a guest's own client does (address, the first
# router as default route, the DNS servers in /etc/resolv.conf), prints on
# the serial console
#   NIC <iface> mac=<mac>
#   LEASE <iface> ip=<address> router=<gateway> dns=<servers>   (or NOLEASE <iface>)
#   ROUTE <the default route>
#   LOOKUP <name> <its addresses> | NXDOMAIN | FAILED <reason>   for vn.lookup=NAME,NAME on the kernel command line
#   PING <address> ok | failed                                    for vn.ping=ADDRESS,ADDRESS
#   GUEST DONE
# and powers off. Nothing is installed: the kernel and busybox-static
# packages are downloaded with apt-get and unpacked.
#   vm-image.sh DIR    -> DIR/vmlinuz, DIR/initramfs.gz (kept: a second run of the same script reuses them)
set -euo pipefail
out=$(realpath -m "${1:?usage: vm-image.sh DIR}")
stamp=$(sha256sum < "$0" | cut -c1-16)
[ -s "$out/vmlinuz" ] && [ -s "$out/initramfs.gz" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ] && exit 0
mkdir -p "$out"
work=$(mktemp -d)

trap 'rm -rf "$work"' EXIT
cd "$work"
kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
apt-get download -q -o APT::Sandbox::User=root "$kpkg" busybox-static >/dev/null
dpkg-deb -x "$kpkg"_*.deb kernel
dpkg-deb -x busybox-static_*.deb busybox
kver=$(ls kernel/lib/modules | head -1)
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,etc,lib/modules}
cp busybox/bin/busybox "$root/bin/busybox"
order="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net"
for m in $order; do
  f=$(find "kernel/lib/modules/$kver" -name "$m.ko*" | head -1)
  [ -n "$f" ] || continue # built into this kernel
  case $f in
    *.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
    *.zst) zstd -dc "$f" > "$root/lib/modules/$m.ko" ;;
    *) cp "$f" "$root/lib/modules/$m.ko" ;;
  esac
done
cat > "$root/lease.sh" <<'EOF'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr add "$ip/${mask:-24}" dev "$interface"
    gw=${router%% *}
    # The first interface with a router keeps the default route; the first with DNS servers, resolv.conf.
    [ -n "$gw" ] && ! ip route | grep -q '^default' && ip route add default via "$gw" dev "$interface"
    [ -s /etc/resolv.conf ] || for d in $dns; do echo "nameserver $d"; done > /etc/resolv.conf
    echo "LEASE $interface ip=$ip router=${router:-none} dns=${dns:-none}" ;;
  deconfig) ip link set "$interface" up ;;
esac
EOF
cat > "$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net; do
  [ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko
done
sleep 0.3
for i in $(ls /sys/class/net | grep '^eth'); do
  echo "NIC $i mac=$(cat /sys/class/net/$i/address)"
  ip link set "$i" up
  udhcpc -i "$i" -s /lease.sh -n -q -t 10 -T 2 -A 1 2>/dev/null || echo "NOLEASE $i"
done
echo "ROUTE $(ip route | grep '^default')"
for arg in $(cat /proc/cmdline); do
  case $arg in
    vn.lookup=*)
      for name in $(echo "${arg#vn.lookup=}" | tr , ' '); do
        answer=$(nslookup -type=a "$name" 2>&1)
        addrs=$(echo "$answer" | awk '/^Name:/{n=1} n && /^Address/{printf "%s ", $2}')
        if [ -n "$addrs" ]; then echo "LOOKUP $name ${addrs% }"
        elif echo "$answer" | grep -q NXDOMAIN; then echo "LOOKUP $name NXDOMAIN"
        else echo "LOOKUP $name FAILED $(echo "$answer" | tail -n 1)"; fi
      done ;;
    vn.ping=*)
      for a in $(echo "${arg#vn.ping=}" | tr , ' '); do
        if ping -c 3 -W 2 "$a" >/dev/null 2>&1; then echo "PING $a ok"; else echo "PING $a failed"; fi
      done ;;
  esac
done
echo "GUEST DONE"
poweroff -f
EOF
chmod 755 "$root/init" "$root/lease.sh"
cpio="cpio -o -H newc --quiet"
command -v cpio >/dev/null || cpio="$work/busybox/bin/busybox cpio -o -H newc -R 0:0"
(cd "$root" && find . | $cpio | gzip -9) > "$out/initramfs.gz.tmp"
cp "kernel/boot/vmlinuz-$kver" "$out/vmlinuz.tmp"
mv "$out/initramfs.gz.tmp" "$out/initramfs.gz"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
echo "$stamp" > "$out/stamp"
