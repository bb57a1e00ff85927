#!/bin/sh
# The campaign smoke for TARGET=disk: tests/faultinject/campaign_smoke.sh disk
# (what it runs and checks is described there).
exec sh "$(dirname "$0")/campaign_smoke.sh" disk
