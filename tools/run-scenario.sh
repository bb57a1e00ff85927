#!/bin/sh
# run-scenario.sh [--debug] SCENARIO: the same as tools/run_scenario.py (kept
# for old habits): compile, build the ISO, boot on the scenario's machine.
exec python3 "$(dirname "$0")/run_scenario.py" "$@"
