/**
 * The phrases made outside the CLI (src/contract/phrase.ts: doctor's findings,
 * ovn-host-setup's steps, the lab's progress) in Spanish:
 * each key is the English template as the code writes it, each value the
 * Spanish, with the same placeholders. Our own translations; the CLI and
 * the console both use them. test/unit/cli-spanish.test.ts checks that every
 * phrase in the source has its entry and that no entry is left unused.
 */
export const PHRASES_ES: Readonly<Record<string, string>> = {
  // The frame of every check.
  'see the evidence; this check could not complete': 'mira lo encontrado; esta comprobación no pudo terminar',
  "{check}, network '{network}'": "{check}, red '{network}'",

  // virtnet doctor: the host checks.
  'kernel features': 'funciones del núcleo',
  'this kernel lacks {features}': 'a este núcleo le falta {features}',
  'load the modules (nf_tables, nft_nat/nft_masq, nft_fib, bridge) or use a kernel built with them':
    'carga los módulos (nf_tables, nft_nat/nft_masq, nft_fib, bridge) o usa un núcleo compilado con ellos',
  '{features}: present': '{features}: presentes',
  forwarding: 'reenvío',
  'no running network routes traffic': 'ninguna red activa encamina tráfico',
  'net.ipv4.ip_forward={value}, so {networks} cannot route': 'net.ipv4.ip_forward={value}, así que {networks} no puede encaminar',
  'net.ipv6.conf.all.forwarding={value}, so {networks} cannot route IPv6':
    'net.ipv6.conf.all.forwarding={value}, así que {networks} no puede encaminar IPv6',
  'virtnet doctor --fix (sysctl -w net.ipv4.ip_forward=1)': 'virtnet doctor --fix (sysctl -w net.ipv4.ip_forward=1)',
  'virtnet doctor --fix (sysctl -w net.ipv6.conf.all.forwarding=1)': 'virtnet doctor --fix (sysctl -w net.ipv6.conf.all.forwarding=1)',
  'on for the families the running networks route': 'activado para las familias que encaminan las redes activas',
  'foreign firewall': 'cortafuegos ajeno',
  'virtnet doctor --fix (accept rules for the bridges; virtnet doctor --undo removes them)':
    'virtnet doctor --fix (reglas de aceptación para los puentes; virtnet doctor --undo las quita)',
  'from {from} to {to}': 'de {from} a {to}',
  'between guests on {bridge}': 'entre invitados de {bridge}',
  " ({owner}'s rules)": ' (reglas de {owner})',
  ' (through {chains})': ' (pasando por {chains})',
  "; Docker's DOCKER-USER chain has no accept for it": '; la cadena DOCKER-USER de Docker no lo acepta',
  '{tool}{owner}: traffic {what} ends at {decidedBy}{through}{docker}': '{tool}{owner}: el tráfico {what} acaba en {decidedBy}{through}{docker}',
  "nftables table {family} {table} (not virtnet's): its {hook} chain {chain} {why}, and accepts nothing from virtnet's bridges":
    'tabla de nftables {family} {table} (no es de virtnet): su cadena {hook} {chain} {why}, y no acepta nada de los puentes de virtnet',
  'firewall-cmd --zone=trusted --add-interface=BRIDGE, or {fix}': 'firewall-cmd --zone=trusted --add-interface=PUENTE, o {fix}',
  'no iptables rules': 'sin reglas de iptables',
  'nothing drops the traffic of {count} routed network(s) ({tools})': 'nada descarta el tráfico de {count} red(es) encaminada(s) ({tools})',
  br_netfilter: 'br_netfilter',
  'br_netfilter is not loaded: bridged traffic skips iptables': 'br_netfilter no está cargado: el tráfico de los puentes no pasa por iptables',
  'bridge-nf-call-iptables={value}: br_netfilter hands bridged frames to iptables, and {tool}{owner}: traffic {what} ends at {decidedBy}{through}{docker}':
    'bridge-nf-call-iptables={value}: br_netfilter pasa las tramas de los puentes a iptables, y {tool}{owner}: el tráfico {what} acaba en {decidedBy}{through}{docker}',
  '{fix}; or sysctl -w net.bridge.bridge-nf-call-iptables=0 if nothing else needs it':
    '{fix}; o sysctl -w net.bridge.bridge-nf-call-iptables=0 si nada más lo necesita',
  'bridge-nf-call-iptables={value}; iptables lets bridged guest traffic pass':
    'bridge-nf-call-iptables={value}; iptables deja pasar el tráfico de los invitados por los puentes',
  'reverse path filter': 'filtro de ruta inversa',
  "rp_filter=1 (strict) on {dev}: replies to {network}'s guests that come back by another path are dropped":
    'rp_filter=1 (estricto) en {dev}: se descartan las respuestas a los invitados de {network} que vuelven por otro camino',
  'sysctl -w net.ipv4.conf.{dev}.rp_filter=2 (loose), and net.ipv4.conf.all.rp_filter=2 if it is 1':
    'sysctl -w net.ipv4.conf.{dev}.rp_filter=2 (flexible), y net.ipv4.conf.all.rp_filter=2 si vale 1',
  'rp_filter={value} on {dev}': 'rp_filter={value} en {dev}',
  'no running routed or open network': 'ninguna red activa encaminada o abierta',
  dnsmasq: 'dnsmasq',
  'running (pid {pid})': 'en marcha (pid {pid})',
  running: 'en marcha',
  'no dnsmasq runs for {network}{gone}: its guests get no DHCP lease and no DNS':
    'no hay ningún dnsmasq en marcha para {network}{gone}: sus invitados no reciben concesión DHCP ni DNS',
  ' (pid {pid} is gone)': ' (el pid {pid} ya no existe)',
  "virsh net-destroy {network} && virsh net-start {network}; virtnetd's log says why dnsmasq stopped":
    'virsh net-destroy {network} && virsh net-start {network}; el registro de virtnetd dice por qué se paró dnsmasq',
  '{service} port {port}': 'puerto {port} de {service}',
  '{programs} listens on {sockets}': '{programs} escucha en {sockets}',
  '{programs} listen on {sockets}': '{programs} escuchan en {sockets}',
  "{listeners}: the networks' dnsmasq cannot answer {service} there": '{listeners}: el dnsmasq de las redes no puede responder ahí a {service}',
  'stop that program or make it listen on its own addresses only (e.g. bind-interfaces / listen-address for another dnsmasq)':
    'para ese programa o haz que escuche solo en sus propias direcciones (p. ej. bind-interfaces / listen-address para otro dnsmasq)',
  "only the networks' dnsmasq listens on port {port} of their addresses":
    'solo el dnsmasq de las redes escucha en el puerto {port} de sus direcciones',
  MTU: 'MTU',
  "{bridge} has MTU {mtu}, above {uplink}'s {uplinkMtu}: guests' large packets are dropped or fragmented on the way out":
    '{bridge} tiene MTU {mtu}, por encima de la de {uplink} ({uplinkMtu}): los paquetes grandes de los invitados se descartan o se fragmentan al salir',
  "give the network <mtu size='{mtu}'/> (virsh net-edit {network}, then restart it)":
    "pon a la red <mtu size='{mtu}'/> (virsh net-edit {network}, y después reiníciala)",
  routes: 'rutas',
  '{subnet} is routed to {bridge} only': '{subnet} se encamina solo a {bridge}',
  '{routes} overlaps {subnet} on {bridge}: traffic for the guests may leave by the other route':
    '{routes} se solapa con {subnet} en {bridge}: el tráfico para los invitados puede salir por la otra ruta',
  'remove the route (ip route del {route}) or move the network to a free subnet':
    'quita la ruta (ip route del {route}) o pasa la red a una subred libre',
  'IPv6 router advertisements': 'anuncios de router IPv6',
  '{dev} takes its IPv6 routes from router advertisements (accept_ra=1), which the kernel ignores once {network} turns forwarding on: the host loses them':
    '{dev} toma sus rutas IPv6 de los anuncios de router (accept_ra=1), que el núcleo ignora en cuanto {network} activa el reenvío: el equipo las pierde',
  'accept_ra={value} on {dev}{none}': 'accept_ra={value} en {dev}{none}',
  ', no routes from router advertisements': ', ninguna ruta de anuncios de router',

  // virtnet doctor --fix / --undo: a sysctl written.
  'sysctl -w {key}={value} (was {previous})': 'sysctl -w {key}={value} (antes {previous})',

  // virtnet doctor --ovn.
  'OVN on this host': 'OVN en este equipo',
  'Open vSwitch database': 'base de datos de Open vSwitch',
  'reachable at {db}': 'accesible en {db}',
  'start ovsdb-server and ovs-vswitchd (openvswitch-switch), or name the socket with --ovs-db':
    'arranca ovsdb-server y ovs-vswitchd (openvswitch-switch), o indica el socket con --ovs-db',
  'no Open vSwitch database': 'no hay base de datos de Open vSwitch',
  datapath: 'datapath',
  'the kernel has the openvswitch module': 'el núcleo tiene el módulo openvswitch',
  'the kernel has no openvswitch module (/sys/module/openvswitch)': 'el núcleo no tiene el módulo openvswitch (/sys/module/openvswitch)',
  "{kernel}, but ovn-bridge-datapath-type is '{told}'": "{kernel}, pero ovn-bridge-datapath-type es '{told}'",
  '{setup} (it picks {want})': '{setup} (elige {want})',
  'userspace (netdev)': 'espacio de usuario (netdev)',
  'kernel (system)': 'núcleo (system)',
  '{datapath}; {kernel}': '{datapath}; {kernel}',
  'chassis name': 'nombre del chassis',
  'external_ids:system-id is not set': 'external_ids:system-id no está puesto',
  'tunnel endpoint': 'extremo del túnel',
  '{type} from {ip}, but no interface here has that address': '{type} desde {ip}, pero ninguna interfaz de aquí tiene esa dirección',
  'put {ip} on {dev} ({setup})': 'pon {ip} en {dev} ({setup})',
  'the underlay NIC': 'la NIC de la red subyacente',
  "{ip} is on {devs}, not on {bridge}: userspace tunnels use OVS's own routes":
    '{ip} está en {devs}, no en {bridge}: los túneles en espacio de usuario usan las rutas propias de OVS',
  '{type} from {ip} on {devs}': '{type} desde {ip} en {devs}',
  'integration bridge': 'puente de integración',
  'no bridge {bridge}': 'no existe el puente {bridge}',
  "{bridge} has datapath_type '{datapath}' on a userspace host": "{bridge} tiene datapath_type '{datapath}' en un equipo de espacio de usuario",
  '{bridge}, datapath {datapath}, fail_mode secure': '{bridge}, datapath {datapath}, fail_mode secure',
  'underlay NIC': 'NIC de la red subyacente',
  'kernel datapath: the underlay stays a kernel interface': 'datapath del núcleo: la red subyacente sigue siendo una interfaz del núcleo',
  '{bridge} has no NIC': '{bridge} no tiene NIC',
  "{nic} in {bridge}, arp_ignore={value}: the kernel answers ARP for {bridge}'s address with {nic}'s MAC":
    '{nic} en {bridge}, arp_ignore={value}: el núcleo responde al ARP de la dirección de {bridge} con la MAC de {nic}',
  unknown: 'desconocido',
  '{nic} in {bridge}, arp_ignore=1': '{nic} en {bridge}, arp_ignore=1',
  'overlay MTU': 'MTU de la red superpuesta',
  'no interface carries the encap address': 'ninguna interfaz lleva la dirección de encapsulado',
  'underlay {dev} MTU {mtu} gives {overlay}, but {key} says {recorded}':
    'la MTU {mtu} de {dev} en la red subyacente da {overlay}, pero {key} dice {recorded}',
  "{setup} (records it again), and give OVN networks <mtu size='{overlay}'/> or less":
    "{setup} (la vuelve a anotar), y pon a las redes OVN <mtu size='{overlay}'/> o menos",
  'underlay {dev} MTU {mtu}: guests get at most {overlay} ({type})':
    'MTU {mtu} de {dev} en la red subyacente: los invitados tienen como mucho {overlay} ({type})',
  'southbound database': 'base de datos southbound',
  'external_ids:ovn-remote is not set': 'external_ids:ovn-remote no está puesto',
  'check the address, the route to the OVN central host and its firewall (port 6642)':
    'comprueba la dirección, la ruta al equipo central de OVN y su cortafuegos (puerto 6642)',
  '{remote}: {count} chassis': '{remote}: {count} chassis',
  'chassis registered': 'chassis registrado',
  'no southbound database or no system-id': 'no hay base de datos southbound o no hay system-id',
  "'{id}' is not among the southbound chassis ({chassis})": "'{id}' no está entre los chassis de southbound ({chassis})",
  none: 'ninguno',
  'start ovn-controller on this host (ovn-host); it registers the chassis':
    'arranca ovn-controller en este equipo (ovn-host); él registra el chassis',
  "'{id}' registered, ovn-controller says '{status}'": "'{id}' registrado, ovn-controller dice '{status}'",
  'look at ovn-controller.log': 'mira ovn-controller.log',
  "'{id}' with tunnel {ips}{connected}": "'{id}' con túnel {ips}{connected}",
  ', ovn-controller connected': ', ovn-controller conectado',
  'tunnel neighbours': 'vecinos de túnel',
  'no southbound database': 'no hay base de datos southbound',
  'kernel datapath: the kernel resolves tunnel neighbours': 'datapath del núcleo: el núcleo resuelve los vecinos de túnel',
  'no other chassis': 'no hay otros chassis',
  'is ovs-vswitchd running? name its run directory with --ovs-rundir':
    '¿está ovs-vswitchd en marcha? indica su directorio de ejecución con --ovs-rundir',
  'no neighbour entry for {peers}: OVS drops the first packet to each':
    'no hay entrada de vecino para {peers}: OVS descarta el primer paquete a cada uno',
  '{setup} (seeds them), or ovs-appctl tnl/neigh/set {bridge} IP MAC': '{setup} (los siembra), u ovs-appctl tnl/neigh/set {bridge} IP MAC',
  '1 peer known: {peers}': '1 par conocido: {peers}',
  '{count} peers known: {peers}': '{count} pares conocidos: {peers}',

  // virtnet ovn-host-setup: what it sets.
  'datapath: {datapath}': 'datapath: {datapath}',
  'userspace (netdev): the kernel has no openvswitch module': 'espacio de usuario (netdev): el núcleo no tiene el módulo openvswitch',
  "chassis '{chassis}', {type} tunnels from {ip}, southbound {remote}": "chassis '{chassis}', túneles {type} desde {ip}, southbound {remote}",
  'overlay MTU {mtu} (underlay {underlay} - {overhead})': 'MTU de la red superpuesta {mtu} (red subyacente {underlay} - {overhead})',
  'integration bridge {bridge}': 'puente de integración {bridge}',
  'underlay: {nic} becomes a port of {bridge}, which carries {address}; arp_ignore=1 and IPv6 off on {nic}':
    'red subyacente: {nic} pasa a ser un puerto de {bridge}, que lleva {address}; arp_ignore=1 e IPv6 desactivado en {nic}',
  "physical network '{physnet}' on {bridge}{port}": "red física '{physnet}' en {bridge}{port}",
  ' (port {nic})': ' (puerto {nic})',

  // virtnet lab start: how far it got.
  'namespaces and wires: {seconds} s': 'espacios de nombres y cables: {seconds} s',
  "OVN central and {count} hosts' Open vSwitch ({datapath}): {seconds} s":
    'OVN central y el Open vSwitch de {count} equipos ({datapath}): {seconds} s',
  'userspace datapath': 'datapath en espacio de usuario',
  'kernel datapath': 'datapath del núcleo',
  'ovn-controller on {count} hosts, chassis registered{tunnels}: {seconds} s':
    'ovn-controller en {count} equipos, chassis registrados{tunnels}: {seconds} s',
  ', tunnels up': ', túneles en marcha',
  'virtnetd on {count} hosts: {seconds} s': 'virtnetd en {count} equipos: {seconds} s',
  'lab ready in {seconds} s': 'laboratorio listo en {seconds} s',
  'lab start failed: {why}; kept for inspection': 'el arranque del laboratorio falló: {why}; se conserva para examinarlo',
  'lab start failed: {why}; removing what was made': 'el arranque del laboratorio falló: {why}; se elimina lo que se hizo',
};
