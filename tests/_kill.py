"""Run a tutorial as a separate process and kill -9 it once its first checkpoint is on disk."""
import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_until_checkpoint_then_kill(script, flags, checkpoint, timeout=120):
    """Start ``python script *flags``, wait for ``checkpoint`` to exist, SIGKILL the process.
    Returns True if it was killed mid-run (False if it finished first)."""
    # the BLAS thread count is the test process's own: products outside the training loop (a deep
    # model's codes of the whole set) round differently with another count
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, script, *map(str, flags)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + timeout
    try:
        while not os.path.exists(checkpoint) and proc.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)   # a little further: killed inside a later epoch, or inside a checkpoint write
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode == -signal.SIGKILL
