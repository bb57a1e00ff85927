"""tools/loadgen ends cleanly on SIGUSR1 (tools/campaign.py relies on it to
cut the load into one run per driver generation): it stops sending, waits for
the datagram in flight, prints its summary line and exits 0 although it sent
fewer than --count."""
import os
import signal
import socket
import subprocess
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOADGEN = os.path.join(ROOT, "build", "tools", "loadgen")


def echo_server(sock, stop):
    sock.settimeout(0.05)
    while not stop.is_set():
        try:
            data, peer = sock.recvfrom(65536)
        except socket.timeout:
            continue
        time.sleep(0.002)       # a slow echo: a datagram is in flight most of the time
        sock.sendto(data, peer)


@unittest.skipUnless(os.access(LOADGEN, os.X_OK), "build/tools/loadgen not built (make tools)")
class LoadgenStop(unittest.TestCase):
    def test_sigusr1_ends_the_run_cleanly(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        stop = threading.Event()
        th = threading.Thread(target=echo_server, args=(sock, stop), daemon=True)
        th.start()
        try:
            p = subprocess.Popen([LOADGEN, "--port", str(sock.getsockname()[1]), "--count",
                                  "1000000", "--timeout-ms", "5000", "--max-seconds", "60",
                                  "--label", "gen3"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, universal_newlines=True)
            time.sleep(0.7)
            t0 = time.time()
            p.send_signal(signal.SIGUSR1)
            out, err = p.communicate(timeout=20)
            took = time.time() - t0
        finally:
            stop.set()
            th.join()
            sock.close()
        self.assertEqual(p.returncode, 0, err)
        self.assertLess(took, 4.0)      # far below --timeout-ms: the echo came, no timeout ran
        kv = dict(w.split("=", 1) for w in out.split()[1:])
        self.assertEqual(kv["label"], "gen3")
        self.assertGreater(int(kv["sent"]), 10)
        self.assertEqual(kv["sent"], kv["echoed"])      # the one in flight was waited for
        self.assertEqual(kv["lost"], "0")


if __name__ == "__main__":
    unittest.main()
