#!/bin/bash
# A tiny guest for QEMU tests: Debian's kernel and an initramfs of a static
# busybox plus the virtio-net modules, whose /init asks every NIC for a DHCP
# lease, prints "LEASE <iface> ip=<address> router=<gateway>" on the serial
# console, and powers off. Nothing is installed: the kernel and busybox-static
# packages are downloaded with apt-get and unpacked.
#   vm-image.sh DIR    -> DIR/vmlinuz, DIR/initramfs.gz (kept: a second run reuses them)
set -euo pipefail
out=${1:?usage: vm-image.sh DIR}
[ -s "$out/vmlinuz" ] && [ -s "$out/initramfs.gz" ] && exit 0
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
    echo "LEASE $interface ip=$ip router=${router:-none}" ;;
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
