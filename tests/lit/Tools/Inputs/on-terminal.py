"""Runs a command with its stdout and stderr on a pseudo-terminal (stdin
from /dev/null) and copies what it writes there to stdout: progress.test
checks what cnnc does on a terminal, which lit's pipes are not."""

import os
import pty
import subprocess
import sys

master, slave = pty.openpty()
process = subprocess.Popen(
    sys.argv[1:], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave
)
os.close(slave)
output = bytearray()
while True:
    try:
        data = os.read(master, 65536)
    except OSError:  # EIO: the command has closed the terminal.
        break
    if not data:
        break
    output += data
os.close(master)
sys.stdout.buffer.write(output)
sys.exit(process.wait())
