#!/usr/bin/env python3
"""Run a command whose standard output is a non-blocking pipe (as another process may leave a shared
descriptor), and read nothing until the pipe is full, so that the command's writes meet EAGAIN; then
read all of it. Prints JSON: the command's exit status, the bytes read, and its standard error.
Used by test/e2e/cli-stdout.test.ts.  Usage: full-nonblocking-pipe.py COMMAND [ARG...]"""
import fcntl, json, os, subprocess, sys, termios, array, time

r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
capacity = fcntl.fcntl(w, 1032)  # F_GETPIPE_SZ
child = subprocess.Popen(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
os.close(w)
waiting = array.array('i', [0])
full = False
for _ in range(6000):  # up to 60 s: the command starts, then fills the pipe
    fcntl.ioctl(r, termios.FIONREAD, waiting, True)
    if waiting[0] >= capacity:
        full = True
        break
    if child.poll() is not None:
        break
    time.sleep(0.01)
data = b''
while True:
    chunk = os.read(r, 1 << 16)
    if not chunk:
        break
    data += chunk
status = child.wait()
print(json.dumps({'status': status, 'full': full, 'bytes': len(data), 'text': data.decode('latin1'), 'stderr': child.stderr.read().decode()}))
