"""Creates the Python venv that runs keepwarm's test SMTP server, once per machine.

Usage: python3 setup_venv.py VENV_DIR PACKAGE==VERSION...

Several test processes may start at once: an exclusive flock on VENV_DIR.lock makes the others
wait, and the READY marker (holding the package list) is written last, so a half-made venv is
rebuilt, and a venv made for other pins is rebuilt too. The lock is released when the process
ends, however it ends.
"""

import fcntl
import os
import subprocess
import sys

venv_dir = sys.argv[1]
packages = sys.argv[2:]
wanted = "\n".join(packages) + "\n"
os.makedirs(os.path.dirname(venv_dir) or ".", exist_ok=True)
with open(venv_dir + ".lock", "w") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    marker = os.path.join(venv_dir, "KEEPWARM_READY")
    try:
        with open(marker) as f:
            if f.read() == wanted:
                sys.exit(0)
    except FileNotFoundError:
        pass
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", venv_dir], check=True)
    except subprocess.CalledProcessError:
        sys.exit(
            f"`{sys.executable} -m venv` failed: on Debian or Ubuntu, `apt-get install python3-venv`"
        )
    python = os.path.join(venv_dir, "bin", "python")
    subprocess.run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
         "--quiet", *packages],
        check=True,
    )
    with open(marker + ".tmp", "w") as f:
        f.write(wanted)
    os.replace(marker + ".tmp", marker)
