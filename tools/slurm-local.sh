#!/bin/sh
# A one-node Slurm on this machine, from Debian's packages (make deps installs
# slurmctld, slurmd, slurm-client and munge when run as root), for trying `campaign.py --slurm`
# without a cluster; tests/faultinject/campaign_slurm.sh uses it.
#
#   tools/slurm-local.sh start DIR    start munged, slurmctld, slurmd; wait until the node is idle
#   tools/slurm-local.sh status DIR   the node's state (exit 1 when Slurm does not answer)
#   tools/slurm-local.sh stop DIR     cancel every job and wait for its processes (at most
#                                     SLURM_LOCAL_STOP_WAIT s, default 60, then SIGKILL them),
#                                     then stop slurmd, slurmctld, munged
#
# Then use Slurm with `export SLURM_CONF=DIR/slurm.conf`. Everything it
# writes (configuration, munge key and socket, state, spool, logs, pid files)
# stays in DIR. Set up for a machine without systemd or usable cgroups
# (/work/shared/QEMU-NOTES.md, "Other machines to test on"): processes are
# tracked by /proc (proctrack/linuxproc), no task plugin, no accounting. One
# node, "localhost", CPUs=2 (SLURM_LOCAL_CPUS), one partition "local"; the
# two ports are free ones chosen at start. Runs as root (the daemons and the
# jobs run as the caller). DIR goes into slurm.conf, which cannot quote a
# path and expands % in some of them: DIR may hold only letters, digits and
# / . _ + @ : - (start refuses others).
set -u
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|status DIR" >&2; exit 2; }

conf=$dir/slurm.conf
export SLURM_CONF="$conf"
log() { echo "slurm-local: $*" >&2; }

# The pid in FILE, if that process is alive.
alive() {
	[ -s "$1" ] || return 1
	p=$(cat "$1")
	kill -0 "$p" 2>/dev/null && echo "$p"
}

# Stop the daemon whose pid file is $1: SIGTERM, wait up to 20 s, then SIGKILL.
stop_one() {
	p=$(alive "$1") || { rm -f "$1"; return 0; }
	kill "$p" 2>/dev/null
	i=0
	while kill -0 "$p" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -ge 200 ]; then
			log "$2 (pid $p) ignored SIGTERM for 20 s; killing it"
			kill -9 "$p" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	rm -f "$1"
}

# Exit unless $1 is a path slurm.conf can carry as it is.
check_dir() {
	case $1 in
	*[!A-Za-z0-9/._+@:-]*)
		log "DIR '$1' holds a character slurm.conf cannot carry (a space, %, a quote, ...):"
		log "use a folder whose path has only letters, digits and / . _ + @ : -"
		exit 2 ;;
	esac
}

# The processes of the jobs on this node, from slurmd's step daemons.
job_pids() {
	scontrol listpids 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }'
}

# scancel every job, then wait until their processes are gone: with
# proctrack/linuxproc nothing else ends them, and slurmstepd, campaign.py and
# QEMU would outlive slurmd. After SLURM_LOCAL_STOP_WAIT s they get SIGKILL.
cancel_jobs() {
	if alive "$dir/slurmctld.pid" >/dev/null; then
		jobs=$(squeue -h -o %F 2>/dev/null | sort -u)
		if [ -n "$jobs" ]; then
			log "cancelling jobs: $(echo "$jobs" | tr '\n' ' ')"
			# shellcheck disable=SC2086  # one job id per word
			scancel $jobs || log "scancel failed"
		fi
	fi
	wait_s=${SLURM_LOCAL_STOP_WAIT:-60}
	i=0
	while pids=$(job_pids) && [ -n "$pids" ]; do
		i=$((i + 1))
		if [ "$i" -ge $((wait_s * 10)) ]; then
			log "job processes $(echo "$pids" | tr '\n' ' ')outlived scancel for $wait_s s; killing them"
			# shellcheck disable=SC2086  # one pid per word
			kill -9 $pids 2>/dev/null
			break
		fi
		sleep 0.1
	done
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_conf() {
	ctld_port=$(free_port)
	slurmd_port=$(free_port)
	while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
	cat >"$conf" <<EOF
# Written by tools/slurm-local.sh: a one-node Slurm in $dir.
ClusterName=ddhv-local
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=600
NodeName=localhost CPUs=${SLURM_LOCAL_CPUS:-2} State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

node_state() {
	sinfo -h -n localhost -o %T 2>/dev/null | head -n 1
}

case $cmd in
start)
	check_dir "$dir"
	for b in munged slurmctld slurmd sinfo; do
		command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] ||
			{ log "$b not found (make deps as root installs slurmctld slurmd slurm-client munge)"; exit 1; }
	done
	for d in slurmctld slurmd munged; do
		if p=$(alive "$dir/$d.pid"); then
			log "$d (pid $p) still runs in $dir: tools/slurm-local.sh stop $dir first"
			exit 1
		fi
	done
	mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" || exit 1
	dir=$(cd "$dir" && pwd)
	check_dir "$dir"
	conf=$dir/slurm.conf
	export SLURM_CONF="$conf"
	chmod 700 "$dir/munge"
	[ -s "$dir/munge/munge.key" ] || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null
	chmod 600 "$dir/munge/munge.key"
	write_conf
	# munged refuses group/world-writable parents of its socket unless forced
	# (a temporary folder under /tmp has one).
	PATH=$PATH:/usr/sbin
	munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
		--pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" \
		--seed-file="$dir/munge/munged.seed" || { log "munged did not start"; exit 1; }
	slurmctld -f "$conf" || { log "slurmctld did not start (see $dir/log/slurmctld.log)"; "$0" stop "$dir"; exit 1; }
	slurmd -f "$conf" -N localhost || { log "slurmd did not start (see $dir/log/slurmd.log)"; "$0" stop "$dir"; exit 1; }
	# Idle about 1 s after start here; allow 60 s for a slow machine.
	i=0
	while :; do
		s=$(node_state)
		case $s in idle*) break ;; esac
		i=$((i + 1))
		if [ "$i" -ge 120 ]; then
			log "node not idle after 60 s (state '${s:-no answer}'); see $dir/log/"
			"$0" stop "$dir"
			exit 1
		fi
		sleep 0.5
	done
	log "running; export SLURM_CONF=$conf"
	;;
stop)
	[ -d "$dir" ] || { log "no $dir"; exit 0; }
	PATH=$PATH:/usr/sbin
	cancel_jobs
	stop_one "$dir/slurmd.pid" slurmd
	stop_one "$dir/slurmctld.pid" slurmctld
	stop_one "$dir/munged.pid" munged
	;;
status)
	s=$(node_state)
	if [ -z "$s" ]; then
		log "not answering (SLURM_CONF=$conf)"
		exit 1
	fi
	echo "localhost $s"
	squeue -h -o "%i %T %j" 2>/dev/null
	;;
*)
	echo "usage: $0 start|stop|status DIR" >&2
	exit 2
	;;
esac
