/**
 * The CLI's help in Spanish: group names, each command's summary and
 * description and each option's help, keyed by the English text the
 * command definitions hold (the same English may serve several commands).
 * Our own translations; test/unit/cli-spanish.test.ts checks that every
 * text shown by `help` has its entry. ("MAC address" and "Interface" are
 * in messages-es.ts, where the tables use them too.)
 */
export const HELP_ES: Readonly<Record<string, string>> = {
  // Groups.
  'Domain Management': 'Gestión de invitados',
  'Domain Monitoring': 'Supervisión de invitados',
  'Host and Hypervisor': 'Equipo e hipervisor',
  Networking: 'Redes',
  'OVN (networks across hosts)': 'OVN (redes entre varios equipos)',
  'Virtnet itself': 'El propio virtnet',

  // Guests (domains).
  'attach network interface': 'conecta una interfaz de red',
  'Attach new network interface.': 'Conecta una interfaz de red nueva.',
  'domain name, id or uuid': 'nombre, id o uuid del invitado',
  'network interface type': 'tipo de interfaz de red',
  'source of network interface': 'origen de la interfaz de red',
  'target network name': 'nombre del dispositivo de destino',
  'model type': 'tipo de modelo',
  'custom alias name of interface device': 'alias propio del dispositivo de interfaz',
  'make live change persistent': 'hace persistente el cambio en caliente',
  'affect next boot': 'afecta al próximo arranque',
  'affect running domain': 'afecta al invitado en ejecución',
  'affect current domain': 'afecta al estado actual del invitado',
  'print XML document rather than attach the interface': 'muestra el documento XML en vez de conectar la interfaz',
  "define (but don't start) a domain from an XML file": 'define (sin iniciarlo) un invitado a partir de un archivo XML',
  'Define a domain.': 'Define un invitado.',
  'file containing an XML domain description': 'archivo con la descripción XML del invitado',
  'destroy (stop) a domain': 'detiene un invitado',
  'Forcefully stop a given domain, but leave its resources intact.': 'Detiene a la fuerza un invitado, sin tocar sus recursos.',
  'detach network interface': 'quita una interfaz de red',
  'Detach network interface.': 'Quita una interfaz de red.',
  'print XML document rather than detach the interface': 'muestra el documento XML en vez de quitar la interfaz',
  'domain information in XML': 'información del invitado en XML',
  'Output the domain information as an XML dump to stdout.': 'Muestra la información del invitado como XML en la salida estándar.',
  'show inactive defined XML': 'muestra el XML definido (inactivo)',
  'xpath expression to filter the XML document': 'expresión XPath para filtrar el documento XML',
  'wrap xpath results in an common root element': 'envuelve los resultados de XPath en un elemento raíz común',
  'start a (previously defined) inactive domain': 'inicia un invitado inactivo (definido antes)',
  'Start a domain.': 'Inicia un invitado.',
  'name of the inactive domain': 'nombre del invitado inactivo',
  'undefine a domain': 'elimina la definición de un invitado',
  'Undefine an inactive domain, or convert persistent to transient.':
    'Elimina la definición de un invitado inactivo, o convierte uno persistente en transitorio.',
  'run a command inside a netns guest': 'ejecuta una orden dentro de un invitado netns',
  "Run a command in the guest's network namespace and print its output; its exit code is virtnet's.":
    'Ejecuta una orden en el espacio de nombres de red del invitado y muestra su salida; su código de salida es el de virtnet.',
  'domain name or uuid': 'nombre o uuid del invitado',
  'the command and its arguments': 'la orden y sus argumentos',
  "Get network interfaces' addresses for a running domain": 'Muestra las direcciones de las interfaces de red de un invitado en ejecución',
  'network interface name': 'nombre de la interfaz de red',
  'always display names and MACs of interfaces': 'muestra siempre los nombres y las MAC de las interfaces',
  "address source: 'lease', 'agent', or 'arp'": "origen de las direcciones: 'lease', 'agent' o 'arp'",
  'list all domain virtual interfaces': 'lista las interfaces virtuales de un invitado',
  'get network interface stats for a domain': 'muestra las estadísticas de una interfaz de red de un invitado',
  'Get network interface stats for a running domain.': 'Muestra las estadísticas de una interfaz de red de un invitado en ejecución.',
  'interface device specified by name or MAC Address': 'dispositivo de la interfaz, por nombre o dirección MAC',
  'Get the summary of virtual interfaces for a domain.': 'Muestra el resumen de las interfaces virtuales de un invitado.',
  'get inactive rather than running configuration': 'usa la configuración inactiva en vez de la de ejecución',
  'list domains': 'lista los invitados',
  'Returns list of domains.': 'Devuelve la lista de invitados.',
  'list inactive domains': 'lista los invitados inactivos',
  'list inactive & active domains': 'lista los invitados inactivos y activos',
  'list transient domains': 'lista los invitados transitorios',
  'list persistent domains': 'lista los invitados persistentes',
  "list uuid's only": 'lista solo los uuid',
  'list domain names only': 'lista solo los nombres de los invitados',
  'list domain IDs only': 'lista solo los ID de los invitados',
  'list table (default)': 'lista en tabla (por omisión)',
  'show domain title': 'muestra el título del invitado',

  // The host.
  'check why guests have no network, and fix it': 'comprueba por qué los invitados no tienen red, y lo arregla',
  "Run the host checks in virtnetd's namespace, for every running network or NETWORK, each with a stable code,\n    what it found and how to fix it; exit status 1 when a check failed.\n    --fix: apply the reversible fixes (accept rules for the bridges in a foreign firewall, ip_forward), each recorded.\n    --undo: take back every recorded fix.\n    --ovn: whether this host can carry OVN networks (run here, without a daemon, in the host's network namespace).":
    'Hace las comprobaciones del equipo en el espacio de nombres de virtnetd, para cada red activa o para NETWORK, cada una con un código estable,\n    lo que encontró y cómo arreglarlo; estado de salida 1 si alguna falló.\n    --fix: aplica los arreglos reversibles (reglas de aceptación para los puentes en un cortafuegos ajeno, ip_forward), cada uno anotado.\n    --undo: retira todos los arreglos anotados.\n    --ovn: si este equipo puede llevar redes OVN (se ejecuta aquí, sin servicio, en el espacio de nombres de red del equipo).',
  'a running network (default: every running network)': 'una red activa (por omisión: todas las redes activas)',
  'apply the reversible fixes, recorded for --undo': 'aplica los arreglos reversibles, anotados para --undo',
  'take back the fixes --fix applied': 'retira los arreglos que aplicó --fix',
  'the OVN checks': 'las comprobaciones de OVN',
  "this host's Open vSwitch database (default unix:/run/openvswitch/db.sock)":
    'la base de datos de Open vSwitch de este equipo (por omisión unix:/run/openvswitch/db.sock)',
  'where ovs-vswitchd and ovn-controller keep their control sockets (default /run/openvswitch)':
    'dónde guardan ovs-vswitchd y ovn-controller sus sockets de control (por omisión /run/openvswitch)',
  'print the hypervisor canonical URI': 'muestra la URI canónica del hipervisor',
  'print the URI libvirt clients (virsh, virt-manager, bindings) use for this daemon':
    'muestra la URI que usan los clientes de libvirt (virsh, virt-manager, bibliotecas) para este servicio',
  "show bridges and their ports, as 'brctl show' does": "muestra los puentes y sus puertos, como 'brctl show'",
  "List the host's bridges, or one bridge, with their ports in brctl's layout.":
    'Lista los puentes del equipo, o uno de ellos, con sus puertos en el formato de brctl.',
  'bridge name': 'nombre del puente',

  // Networks.
  'autostart a network': 'arranca una red automáticamente',
  'Configure a network to be automatically started at boot.': 'Configura una red para que arranque automáticamente al iniciar el sistema.',
  'network name or uuid': 'nombre o uuid de la red',
  'disable autostarting': 'desactiva el arranque automático',
  'create a network from an XML file': 'crea una red a partir de un archivo XML',
  'Create a network.': 'Crea una red.',
  'file containing an XML network description': 'archivo con la descripción XML de la red',
  'validate the XML against the schema': 'valida el XML con el esquema',
  'define an inactive persistent virtual network or modify an existing persistent one from an XML file':
    'define una red virtual persistente inactiva, o modifica una persistente existente, a partir de un archivo XML',
  'Define or modify a persistent virtual network.': 'Define o modifica una red virtual persistente.',
  'destroy (stop) a network': 'detiene una red',
  'Forcefully stop a given network.': 'Detiene a la fuerza una red.',
  'go on even though guests are attached': 'sigue aunque haya invitados conectados',
  'print lease info for a given network': 'muestra las concesiones DHCP de una red',
  'Print lease info for a given network': 'Muestra las concesiones DHCP de una red',
  'network information in XML': 'información de la red en XML',
  'Output the network information as an XML dump to stdout.': 'Muestra la información de la red como XML en la salida estándar.',
  'edit XML configuration for a network': 'edita la configuración XML de una red',
  'Edit the XML configuration for a network.': 'Edita la configuración XML de una red.',
  'Network Events': 'Eventos de red',
  'List event types, or wait for network events to occur': 'Lista los tipos de evento, o espera a que ocurran eventos de red',
  'filter by network name or uuid': 'filtra por nombre o uuid de red',
  'which event type to wait for': 'tipo de evento que esperar',
  'loop until timeout or interrupt, rather than one-shot': 'sigue esperando hasta el tiempo límite o una interrupción, en vez de una sola vez',
  'timeout seconds': 'tiempo límite en segundos',
  'list valid event types': 'lista los tipos de evento válidos',
  'show timestamp for each printed event': 'muestra la hora de cada evento',
  'network information': 'información de la red',
  'Returns basic information about the network': 'Devuelve la información básica de la red',
  'list networks': 'lista las redes',
  'Returns list of networks.': 'Devuelve la lista de redes.',
  'list inactive networks': 'lista las redes inactivas',
  'list inactive & active networks': 'lista las redes inactivas y activas',
  'list persistent networks': 'lista las redes persistentes',
  'list transient networks': 'lista las redes transitorias',
  'list networks with autostart enabled': 'lista las redes con arranque automático',
  'list networks with autostart disabled': 'lista las redes sin arranque automático',
  'list network names only': 'lista solo los nombres de las redes',
  'show network title': 'muestra el título de la red',
  'convert a network UUID to network name': 'convierte el UUID de una red en su nombre',
  'network uuid': 'uuid de la red',
  'start a (previously defined) inactive network': 'inicia una red inactiva (definida antes)',
  'Start a network.': 'Inicia una red.',
  'undefine a persistent network': 'elimina la definición de una red persistente',
  'Undefine the configuration for a persistent network.': 'Elimina la configuración de una red persistente.',
  "update parts of an existing network's configuration": 'actualiza partes de la configuración de una red existente',
  'type of update (add-first, add-last (add), delete, or modify)': 'tipo de cambio (add-first, add-last (add), delete o modify)',
  'which section of network configuration to update': 'qué sección de la configuración de la red cambiar',
  "name of file containing xml (or, if it starts with '<', the complete xml element itself) to add/modify, or to be matched for search":
    "archivo con el XML (o, si empieza por '<', el propio elemento XML completo) que añadir o modificar, o con el que buscar",
  'which parent object to search through': 'en qué objeto padre buscar',
  'affect next network startup': 'afecta al próximo arranque de la red',
  'affect running network': 'afecta a la red en marcha',
  'print what would change on the host, change nothing': 'muestra lo que cambiaría en el equipo, sin cambiar nada',
  'affect current state of network': 'afecta al estado actual de la red',
  'convert a network name to network UUID': 'convierte el nombre de una red en su UUID',
  'network name': 'nombre de la red',

  // Network ports.
  'list network ports': 'lista los puertos de red',
  'Returns list of network ports.': 'Devuelve la lista de puertos de red.',
  'create a network port from an XML file': 'crea un puerto de red a partir de un archivo XML',
  'Create a network port.': 'Crea un puerto de red.',
  'file containing an XML network port description': 'archivo con la descripción XML de un puerto de red',
  'network port information in XML': 'información del puerto de red en XML',
  'Output the network port information as an XML dump to stdout.': 'Escribe la información del puerto de red como XML en la salida estándar.',
  'port UUID': 'UUID del puerto',
  'delete the specified network port': 'elimina el puerto de red indicado',
  'Delete the specified network port.': 'Elimina el puerto de red indicado.',

  // Port forwards.
  'add a port forward to a NAT network': 'añade una redirección de puertos a una red NAT',
  'Forward a port (or range) of the host to a guest of a NAT network, by its address or its name.':
    'Redirige un puerto (o rango) del equipo a un invitado de una red NAT, por su dirección o por su nombre.',
  'the host port or range (PORT[-PORT])': 'el puerto o rango del equipo (PUERTO[-PUERTO])',
  "the guest's address or name, and its port or range (TO[:TOPORT[-TOPORT]])":
    'la dirección o el nombre del invitado, y su puerto o rango (DESTINO[:PUERTO[-PUERTO]])',
  'tcp, udp or both (default: tcp)': 'tcp, udp o both (por omisión: tcp)',
  'the host address it listens on (default: every address of the host)':
    'la dirección del equipo en la que escucha (por omisión: todas las del equipo)',
  'list the port forwards of a network': 'lista las redirecciones de puertos de una red',
  'Print the port forwards of a network: of the running network, or with --inactive of its persistent config.':
    'Muestra las redirecciones de puertos de una red: de la red en marcha, o con --inactive de su configuración persistente.',
  "the persistent config's port forwards": 'las redirecciones de la configuración persistente',
  'remove a port forward from a network': 'quita una redirección de puertos de una red',
  'Remove the port forward of a port (or range) from a network; with no --proto, every protocol forwarded there.':
    'Quita de una red la redirección de un puerto (o rango); sin --proto, la de todos los protocolos redirigidos en él.',
  'the host port or range, as it was added': 'el puerto o rango del equipo, tal como se añadió',
  'tcp, udp or both (default: every protocol forwarded on the port)': 'tcp, udp o both (por omisión: todos los protocolos redirigidos en el puerto)',
  'the host address it listens on (default: the forward on every address)':
    'la dirección del equipo en la que escucha (por omisión: la redirección en todas)',

  // OVN.
  'start, show or remove a multi-host OVN lab on this machine': 'inicia, muestra o elimina en esta máquina un laboratorio OVN de varios equipos',
  "start: OVN central and N hosts, each with its own Open vSwitch, ovn-controller and\n    virtnetd, joined by an underlay, with an uplink standing in for the outside world,\n    all in network namespaces (nothing changes in the host's own).\n    stop: end every process of the lab by PID and remove its namespaces and files.\n    status: the lab's hosts and how to reach them.":
    'start: OVN central y N equipos, cada uno con su Open vSwitch, ovn-controller y\n    virtnetd, unidos por una red subyacente, con un enlace de salida que hace de mundo exterior,\n    todo en espacios de nombres de red (nada cambia en el del equipo).\n    stop: termina cada proceso del laboratorio por su PID y elimina sus espacios de nombres y archivos.\n    status: los equipos del laboratorio y cómo llegar a ellos.',
  'start, stop or status': 'start, stop o status',
  'number of hosts (start; default 3)': 'número de equipos (start; por omisión 3)',
  'where the lab keeps its files (default /tmp/virtnet-lab)': 'dónde guarda el laboratorio sus archivos (por omisión /tmp/virtnet-lab)',
  'start no virtnetd on the hosts': 'no inicia virtnetd en los equipos',
  'prepare this host for OVN networks': 'prepara este equipo para las redes OVN',
  "Configure the local Open vSwitch for ovn-controller: chassis name, southbound remote,\n    Geneve (or VXLAN) from --encap-ip, br-int, bridge mappings; without the kernel's\n    openvswitch module, the userspace datapath: --underlay-nic becomes a port of br-phy,\n    which carries the address, with arp_ignore=1 on the NIC and the tunnel neighbours seeded.":
    'Configura el Open vSwitch local para ovn-controller: nombre del chassis, base southbound,\n    Geneve (o VXLAN) desde --encap-ip, br-int, correspondencias de puentes; sin el módulo\n    openvswitch del núcleo, el datapath en espacio de usuario: --underlay-nic pasa a ser un puerto de br-phy,\n    que lleva la dirección, con arp_ignore=1 en la NIC y los vecinos de túnel sembrados.',
  "this host's tunnel address, IP[/PREFIX]": 'la dirección de túnel de este equipo, IP[/PREFIJO]',
  'the southbound database, tcp:HOST:PORT': 'la base de datos southbound, tcp:EQUIPO:PUERTO',
  'the chassis name (default: the current system-id, else the hostname)':
    'el nombre del chassis (por omisión: el system-id actual, si no el nombre del equipo)',
  'geneve (default) or vxlan': 'geneve (por omisión) o vxlan',
  'userspace datapath: the NIC the tunnel address is reached through':
    'datapath en espacio de usuario: la NIC por la que se llega a la dirección de túnel',
  'PHYSNET:BRIDGE[:NIC],... provider networks (e.g. uplink:br-ext:eth1)':
    'REDFÍSICA:PUENTE[:NIC],... redes del proveedor (p. ej. uplink:br-ext:eth1)',
  'auto (default), system or netdev': 'auto (por omisión), system o netdev',
  'tunnel peers to seed, IP,...  (default: the other chassis in the southbound database)':
    'pares de túnel que sembrar, IP,...  (por omisión: los demás chassis de la base southbound)',
  "ovs-vswitchd's run directory (default /run/openvswitch)": 'el directorio de ejecución de ovs-vswitchd (por omisión /run/openvswitch)',
  'print what would be done, change nothing': 'muestra lo que se haría, sin cambiar nada',

  // The shell.
  'change the current directory': 'cambia el directorio actual',
  'Change the current directory.': 'Cambia el directorio actual.',
  'directory to switch to (default: home or else root)': 'directorio al que ir (por omisión: el personal, si no la raíz)',
  'echo arguments. Used for internal testing.': 'repite los argumentos. Para pruebas internas.',
  'Echo back arguments, possibly with quoting. Used for internal testing.': 'Repite los argumentos, quizá entrecomillados. Para pruebas internas.',
  'escape for shell use': 'escapa para el shell',
  'escape for XML use': 'escapa para XML',
  "split each argument on ','; ',,' is an escape sequence": "parte cada argumento por ','; ',,' es una secuencia de escape",
  'output to stderr': 'escribe en la salida de errores',
  'arguments to echo': 'argumentos que repetir',
  'quit this interactive terminal': 'sale de este terminal interactivo',
  'print help': 'muestra la ayuda',
  'Prints global help, command specific help, or help for a\n    group of related commands':
    'Muestra la ayuda general, la de una orden o la de un\n    grupo de órdenes relacionadas',
  'Prints global help, command specific help, or help for a group of related commands':
    'Muestra la ayuda general, la de una orden o la de un grupo de órdenes relacionadas',
  'print the current directory': 'muestra el directorio actual',
  'Print the current directory.': 'Muestra el directorio actual.',
  '(re)connect to hypervisor': '(re)conecta con el hipervisor',
  'Connect to local hypervisor. This is built-in command after shell start up.':
    'Conecta con el hipervisor local. Es una orden interna tras arrancar el shell.',
  'hypervisor connection URI': 'URI de conexión con el hipervisor',
  'read-only connection': 'conexión de solo lectura',
  'internal command for autocompletion': 'orden interna para el autocompletado',
  'internal use only': 'solo para uso interno',
  'partial string to autocomplete': 'texto parcial que autocompletar',

  // net-event's lifecycle events.
  Defined: 'Definida',
  Undefined: 'Eliminada',
  Started: 'Iniciada',
  Stopped: 'Detenida',
};
