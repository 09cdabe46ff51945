#!/usr/bin/env python3
"""Issue 17's CLI figure by CPU time, which a busy machine disturbs less than wall time.

One virtnetd (the first REPO's bin/virtnetd) with one NAT+DHCP network, in a network namespace this
script creates and always deletes; then, REPS times in turn, a bare `node -e 0` and
`REPO/bin/virtnet -q net-dumpxml bench1` for each REPO given (e.g. this checkout and a copy of an
older build's bin/ and dist/, to compare them in one run), `node REPO/bin/virtnet -q net-dumpxml bench1`
for REPO+node (the call without its #! line: a build before bin/virtnet named its node went through /usr/bin/env), or `node FILE.cjs -q net-dumpxml bench1`
for a FILE.cjs given instead (bench/cli-floor.cjs: the bare client, the floor). For each: the minimum and median of the
wall time and of the CPU time (user + system, every thread, from getrusage(RUSAGE_CHILDREN) around
each process), and how far above `node -e 0` they are: the difference of the minimums, of the medians,
and the median of each round's own difference (the rounds run one after the other, so a change of load
during the run weighs on both sides of a round alike). Prints numbers; asserts nothing.

Run as root after `npm run build`:  REPS=40 python3 bench/cli-cpu.py . [OTHER_REPO...] [bench/cli-floor.cjs]
"""
import os, resource, secrets, shutil, statistics, subprocess, sys, tempfile, time

reps = int(os.environ.get('REPS', '40'))
args = sys.argv[1:] or ['.']
# REPO+node: that REPO's bin/virtnet run as `node REPO/bin/virtnet`, without its #! line.
repos = [os.path.abspath(r[:-5]) + '+node' if r.endswith('+node') else os.path.abspath(r) for r in args]
clients = [r for r in repos if not r.endswith('.cjs') and not r.endswith('+node')]
ns = 'vnt-clicpu-' + secrets.token_hex(3)
root = tempfile.mkdtemp(prefix='vnt-clicpu-')
subprocess.run(['ip', 'netns', 'add', ns], check=True)
daemon = None
try:
    subprocess.run(['ip', '-n', ns, 'link', 'set', 'lo', 'up'], check=True)
    daemon = subprocess.Popen([clients[0] + '/bin/virtnetd', '--root', root, '--netns', ns, '--no-autostart', '--log-level', 'warn'],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = root + '/run/virtnet/virtnetd.sock'
    env = dict(os.environ, VIRTNET_DEFAULT_URI='unix://' + sock)
    xml = root + '/bench1.xml'
    with open(xml, 'w') as f:
        f.write("<network><name>bench1</name><forward mode='nat'/><ip address='10.77.1.1' netmask='255.255.255.0'>"
                "<dhcp><range start='10.77.1.2' end='10.77.1.254'/></dhcp></ip></network>\n")
    for _ in range(300):
        if subprocess.run([clients[0] + '/bin/virtnet', '-q', 'net-define', xml], env=env, capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    else:
        sys.exit('virtnetd did not answer')
    def command(r):
        if r.endswith('.cjs'):
            return [shutil.which('node'), r]
        if r.endswith('+node'):
            return [shutil.which('node'), r[:-5] + '/bin/virtnet']
        return [r + '/bin/virtnet']
    cmds = [('node -e 0', [shutil.which('node'), '-e', '0'])] + [(r, command(r) + ['-q', 'net-dumpxml', 'bench1']) for r in repos]
    outputs = {subprocess.run(c, env=env, check=True, capture_output=True).stdout for _, c in cmds[1:]}
    if len(outputs) != 1:
        sys.exit('the builds print different XML')
    wall = {n: [] for n, _ in cmds}
    cpu = {n: [] for n, _ in cmds}
    for _ in range(reps):
        for n, c in cmds:
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(c, env=env, check=True, stdout=subprocess.DEVNULL)
            t1 = time.perf_counter()
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall[n].append((t1 - t0) * 1000)
            cpu[n].append((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1000)
    with open('/proc/loadavg') as f:
        load = f.read().strip()
    print(f'{reps} runs of each, in turn (node {subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()}, load {load})')
    base = cmds[0][0]
    fig = lambda xs: f'min {min(xs):6.1f} median {statistics.median(xs):6.1f}'
    for n, _ in cmds:
        line = f'{n:32s} wall {fig(wall[n])} | CPU {fig(cpu[n])}'
        if n != base:
            paired = statistics.median(c - b for c, b in zip(cpu[n], cpu[base]))
            line += (f' | above node -e 0: wall +{min(wall[n]) - min(wall[base]):.1f} / +{statistics.median(wall[n]) - statistics.median(wall[base]):.1f},'
                     f' CPU +{min(cpu[n]) - min(cpu[base]):.1f} / +{statistics.median(cpu[n]) - statistics.median(cpu[base]):.1f} (min / median),'
                     f' CPU paired +{paired:.1f} (median of each round\'s difference)')
        print(line)
finally:
    if daemon is not None:
        daemon.terminate()
        daemon.wait()
    subprocess.run(['ip', 'netns', 'del', ns])
    shutil.rmtree(root, ignore_errors=True)
