#!/bin/sh
# The fault-injection host tests (tests/faultinject/test_*.py: classifier on
# recorded consoles, report statistics, campaign runner with a fake boot,
# loadgen's SIGUSR1 stop), as one unit test for tests/run.py and make unit.
ROOT=${DDHV_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" && exec python3 -m unittest discover -s tests/faultinject -t tests/faultinject -p 'test_*.py' 2>&1
