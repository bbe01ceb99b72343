#!/usr/bin/env bash
# rpcsnoop lab: real ONC RPC servers (rpcbind + nfs-ganesha, NFSv3) and clients (rpcinfo, showmount, libnfs
# nfs-ls/nfs-cat/nfs-cp) on loopback, captured with tcpdump, with tshark's decode as ground truth.
#
#   lab.sh check              are we root, are the tools installed? (names the Debian package of what is missing)
#   lab.sh start DIR          rpcbind (if none runs) + nfs-ganesha exporting DIR/export; config, logs, PIDs in DIR
#   lab.sh stop DIR           stop what `start DIR` (and `capture`) started, by the PIDs they recorded
#   lab.sh capture DIR OUT    tcpdump on lo while a client workload runs against the servers of DIR
#   lab.sh truth IN           IN.tsv, IN.txt, IN.srt from tshark (two-pass, RPC-over-TCP reassembly on)
#   lab.sh all OUTDIR         start + capture OUTDIR/lab_nfs3_mount_lo.pcap + truth + stop, in a temporary DIR
#
# Root only; all traffic goes to 127.0.0.1. What a command starts is stopped when it exits, fails or gets
# SIGINT/SIGTERM/SIGHUP; `all` also has a watchdog in its own session that stops everything if the script itself
# is SIGKILLed. LAB_KEEP=1 keeps the temporary DIR of `all` (logs, export) for inspection.
set -euo pipefail

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
readonly SELF
readonly HOST=127.0.0.1
readonly NFS_PORT=2049 MNT_PORT=20048 NLM_PORT=32803 RQUOTA_PORT=875
readonly GANESHA_PORTS=("$NFS_PORT" "$MNT_PORT" "$NLM_PORT" "$RQUOTA_PORT")
readonly CAPTURE_FILTER="port 111 or port $NFS_PORT or port $MNT_PORT or port $NLM_PORT or port $RQUOTA_PORT"
readonly CAPTURE_NAME=lab_nfs3_mount_lo.pcap
readonly START_TIMEOUT=30   # seconds for nfs-ganesha to register and answer
readonly CLIENT_TIMEOUT=30  # seconds for any single client command
readonly CAPTURE_ATTEMPTS=3 # captures made until one is clean (no frame out of order, lost or retransmitted)
readonly BIG_FILE_SIZE=1052897 # ~1 MB: one full 1 MiB WRITE/READ and a short one

# tshark options and field list of the ground truth (as for the shared captures' NAME.tsv/.txt/.srt).
readonly TSHARK_OPTS=(-2 -o rpc.desegment_rpc_over_tcp:TRUE -o rpc.defragment_rpc_over_tcp:TRUE)
readonly TSV_FIELDS=(
  frame.number frame.time_epoch ip.src ipv6.src ip.dst ipv6.dst tcp.srcport udp.srcport tcp.dstport udp.dstport
  rpc.xid rpc.msgtyp rpc.program rpc.programversion rpc.procedure rpc.repframe rpc.reqframe rpc.time
  rpc.replystat rpc.state_accept rpc.auth.flavor rpc.auth.uid rpc.auth.gid portmap.prog portmap.port
  mount.status mount.path nfs.status nfs.name nfs.fh.hash nfs.offset3 nfs.count3 rpc.state_reject rpc.state_auth
  rpc.programversion.min rpc.programversion.max rpc.fraglen rpc.lastfrag rpc.call.dup rpc.reply.dup
  tcp.stream udp.stream frame.len frame.cap_len
)

log() { printf 'lab: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# ---------------------------------------------------------------------------------------------------------------
# Cleanup. One EXIT trap for every subcommand; the signal traps only turn a signal into an exit. What the EXIT
# trap must undo is kept in these variables, which each step sets while it owns something and clears after.

CLEANUP_STOP_DIR=    # `stop` this DIR (servers being started, or everything of `all`)
CLEANUP_TCPDUMP_DIR= # stop the tcpdump of this DIR
CLEANUP_RM=()        # remove these paths (unless LAB_KEEP=1 for the DIR of `all`)
CHILD_PID=           # the client command being waited for

on_exit() {
  local rc=$?
  # a second SIGTERM (CI timeouts often send several) must not cut the cleanup short
  trap '' INT TERM HUP
  kill_child
  if [ -n "$CLEANUP_TCPDUMP_DIR" ]; then stop_pid "$CLEANUP_TCPDUMP_DIR" tcpdump INT 5 || true; fi
  if [ -n "$CLEANUP_STOP_DIR" ]; then
    if [ "$rc" -ne 0 ] && [ -s "$CLEANUP_STOP_DIR/workload.log" ]; then
      log "--- tail of the client log $CLEANUP_STOP_DIR/workload.log"
      tail -n 15 "$CLEANUP_STOP_DIR/workload.log" >&2 || true
    fi
    cmd_stop "$CLEANUP_STOP_DIR" || true
  fi
  if [ "${#CLEANUP_RM[@]}" -gt 0 ]; then rm -rf "${CLEANUP_RM[@]}"; fi
  exit "$rc"
}

# ---------------------------------------------------------------------------------------------------------------
# Prerequisites

# "command package": what the lab runs and the Debian package that provides it.
readonly TOOLS=(
  "rpcbind rpcbind" "rpcinfo rpcbind" "ganesha.nfsd nfs-ganesha" "showmount nfs-common"
  "nfs-ls libnfs-utils" "nfs-cat libnfs-utils" "nfs-cp libnfs-utils" "tcpdump tcpdump" "tshark tshark"
  "setsid util-linux" "timeout coreutils" "cmp diffutils"
)

# Prints one line per missing prerequisite; fails if there is any.
missing_prereqs() {
  local bad=0 pair cmd pkg
  if [ "$(id -u)" -ne 0 ]; then
    echo "not root (the lab starts rpcbind and nfs-ganesha and captures on lo)"
    bad=1
  fi
  for pair in "${TOOLS[@]}"; do
    cmd=${pair%% *} pkg=${pair#* }
    if ! command -v "$cmd" >/dev/null 2>&1; then
      echo "missing command $cmd (apt-get install $pkg)"
      bad=1
    fi
  done
  # ganesha loads its VFS backend from its plugin directory; the plugin is a package of its own
  if ! compgen -G '/usr/lib/*/ganesha/libfsalvfs.so' >/dev/null && ! compgen -G '/usr/lib*/ganesha/libfsalvfs.so' >/dev/null; then
    echo "missing the nfs-ganesha VFS backend libfsalvfs.so (apt-get install nfs-ganesha-vfs)"
    bad=1
  fi
  return "$bad"
}

cmd_check() {
  local out
  [ $# -eq 0 ] || die "usage: lab.sh check"
  if out=$(missing_prereqs); then
    log "prerequisites ok"
  else
    printf '%s\n' "$out"
    return 2
  fi
}

require_prereqs() {
  local out
  out=$(missing_prereqs) || die "${out//$'\n'/; }"
}

# ---------------------------------------------------------------------------------------------------------------
# Processes. Every PID we start is written to DIR/NAME.pid with the command name it must have, so that stop never
# signals a recycled PID.

# Records PID (just started with &) as DIR/NAME.pid for command name COMM. Until the forked shell has exec'd COMM
# its name is still "bash": wait for the exec, so that live_pid recognises the process at once.
record_pid() { # DIR NAME COMM PID
  local i
  for ((i = 0; i < 60; i++)); do
    [ "$(cat "/proc/$4/comm" 2>/dev/null)" = "$3" ] && break
    [ -d "/proc/$4" ] || break
    sleep 0.05
  done
  printf '%s %s\n' "$4" "$3" >"$1/$2.pid"
}

# Prints the PID recorded as DIR/NAME.pid if that process is alive (not a zombie) and runs the recorded command.
live_pid() { # DIR NAME
  local f="$1/$2.pid" pid comm
  [ -f "$f" ] || return 1
  read -r pid comm <"$f" || return 1
  [ -n "$pid" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
  [ "$(proc_state "$pid")" != Z ] || return 1
  echo "$pid"
}

proc_state() { # PID: R, S, Z, ... (empty if gone); the field after the parenthesised command name
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  echo "${stat%% *}"
}

# Sends SIG to DIR/NAME.pid, waits up to WAIT seconds, then SIGKILLs it. Returns 1 if it needed SIGKILL, 2 if it
# had died before (0 also when there is no DIR/NAME.pid).
stop_pid() { # DIR NAME SIG WAIT
  local pid i state rc=0 tenths=$(($4 * 10))
  if pid=$(live_pid "$1" "$2"); then
    kill -s "$3" "$pid" 2>/dev/null || true
    for ((i = 0; i < tenths; i++)); do
      state=$(proc_state "$pid")
      [ -n "$state" ] && [ "$state" != Z ] || break
      sleep 0.1
    done
    state=$(proc_state "$pid")
    if [ -n "$state" ] && [ "$state" != Z ]; then
      log "$2 (pid $pid) did not stop on SIG$3 within $4 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      rc=1
    fi
    wait "$pid" 2>/dev/null || true # reap it if it is our child
    log "stopped $2 (pid $pid)"
  elif [ -f "$1/$2.pid" ]; then
    rc=2 # it had died already
  fi
  rm -f "$1/$2.pid"
  return "$rc"
}

# Runs CMD in the background, its stdout and stderr appended to WORKLOG (stdout kept if OUT is "-"), and waits
# for it: a trapped signal interrupts `wait` at once, whereas bash defers traps until a foreground command ends.
# The EXIT trap kills CMD if we are interrupted. (Redirecting the call of a function instead would also redirect
# the messages of the EXIT trap, should it run inside.)
run() { # OUT CMD...
  local rc=0 out=$1
  shift
  if [ "$out" = - ]; then
    "$@" </dev/null 2>>"$WORKLOG" &
  else
    "$@" </dev/null >>"$WORKLOG" 2>&1 &
  fi
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=
  return "$rc"
}

kill_child() {
  if [ -n "$CHILD_PID" ] && kill -0 "$CHILD_PID" 2>/dev/null; then
    kill -TERM "$CHILD_PID" 2>/dev/null || true
    wait "$CHILD_PID" 2>/dev/null || true
  fi
  CHILD_PID=
}

# Polls PRED... every 0.2 s for up to SECONDS. Returns 2 early if DIR/NAME.pid dies meanwhile (NAME may be "").
wait_for() { # SECONDS DIR NAME PRED...
  local limit=$(($1 * 5)) dir=$2 name=$3 i
  shift 3
  for ((i = 0; i < limit; i++)); do
    if "$@"; then return 0; fi
    if [ -n "$name" ] && ! live_pid "$dir" "$name" >/dev/null; then return 2; fi
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------------------------------------------------------
# Servers

rpcbind_answers() { timeout -k 1 5 rpcinfo -p "$HOST" >/dev/null 2>&1; }

ganesha_ready() {
  local list
  list=$(timeout -k 1 5 rpcinfo -p "$HOST" 2>/dev/null) || return 1
  grep -qw mountd <<<"$list" || return 1
  grep -qw nfs <<<"$list" || return 1
  # registrations can be stale (left by a ganesha that was SIGKILLed): call NULL on the services themselves
  timeout -k 1 5 rpcinfo -n "$NFS_PORT" -t "$HOST" nfs 3 >/dev/null 2>&1 &&
    timeout -k 1 5 rpcinfo -n "$MNT_PORT" -t "$HOST" mountd 3 >/dev/null 2>&1
}

port_accepts() { # PORT: something accepts TCP connections on 127.0.0.1:PORT
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# TCP sockets of /proc/net/tcp{,6} whose local port is one of PORTS (decimal) and whose state is (not) STATE
# (hex, 0A = LISTEN). Prints the ports (hex) that have one.
ports_with_sockets() { # in|notin STATE PORTS...
  local mode=$1 state=$2 p hex=()
  shift 2
  for p in "$@"; do hex+=("$(printf '%04X' "$p")"); done
  awk -v ports="${hex[*]}" -v mode="$mode" -v state="$state" '
    BEGIN { n = split(ports, l, " "); for (i = 1; i <= n; i++) want[l[i]] = 1 }
    FNR > 1 { split($2, a, ":"); if ((a[2] in want) && ((mode == "in") == ($4 == state))) found[a[2]] = 1 }
    END { for (h in found) print h }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Root clients (libnfs, rpcinfo, showmount) bind reserved source ports 512-1023 without SO_REUSEADDR, so one of
# them may have used 875, the RQUOTA port: its connection then stays in TIME_WAIT for 60 s after it is closed, and
# blocks every bind() of that port; ganesha dies with "Cannot bind RQUOTA tcp6 socket ... Address already in use".
# True while a TCP socket other than a listener has a reserved (< 1024) ganesha port as its local port.
reserved_ports_busy() {
  local p low=()
  for p in "${GANESHA_PORTS[@]}"; do
    if [ "$p" -lt 1024 ]; then low+=("$p"); fi
  done
  [ "${#low[@]}" -gt 0 ] && [ -n "$(ports_with_sockets notin 0A "${low[@]}")" ]
}

# True when ganesha listens on all its TCP ports. Checked before any rpcinfo probe: a probe is a root client too,
# and must not take port 875 before ganesha has bound it.
ganesha_listening() {
  [ "$(ports_with_sockets in 0A "${GANESHA_PORTS[@]}" | wc -l)" -eq "${#GANESHA_PORTS[@]}" ]
}

wait_reserved_ports() {
  if reserved_ports_busy; then
    log "waiting (up to 65 s) for a client's TIME_WAIT connection on port $RQUOTA_PORT to expire"
    wait_for 65 "" "" eval '! reserved_ports_busy' || die "port $RQUOTA_PORT still in use"
  fi
}

write_ganesha_conf() { # DIR
  cat >"$1/ganesha.conf" <<CONF
# written by rpcsnoop test/lab/lab.sh
NFS_CORE_PARAM {
  Protocols = 3;
  NFS_Port = $NFS_PORT;
  MNT_Port = $MNT_PORT;
  NLM_Port = $NLM_PORT;
  Rquota_Port = $RQUOTA_PORT;
}
NFSV4 { Graceless = true; }
EXPORT_DEFAULTS { Access_Type = RW; Squash = No_Root_Squash; }
EXPORT {
  Export_Id = 1;
  Path = $1/export;
  Pseudo = $1/export;
  Protocols = 3;
  Transports = UDP, TCP;
  SecType = sys;
  Access_Type = RW;
  Squash = No_Root_Squash;
  FSAL { Name = VFS; }
}
LOG { Default_Log_Level = EVENT; }
CONF
}

cmd_start() { # DIR
  local dir rc attempt prev_cleanup=$CLEANUP_STOP_DIR
  [ $# -eq 1 ] || die "usage: lab.sh start DIR"
  require_prereqs
  mkdir -p "$1"
  dir=$(readlink -f "$1")
  if live_pid "$dir" ganesha >/dev/null; then die "$dir already has a running lab (lab.sh stop $dir)"; fi
  if port_accepts "$NFS_PORT"; then die "something already listens on $HOST:$NFS_PORT (another NFS server?)"; fi
  mkdir -p "$dir/export"
  echo hello >"$dir/export/hello.txt"
  write_ganesha_conf "$dir"
  CLEANUP_STOP_DIR=$dir # if anything below fails, stop what was started

  if rpcbind_answers; then
    log "using the rpcbind that already runs"
  else
    log "starting rpcbind"
    # -f: foreground, so that we know its PID (and it stays in our process group); -w: warm start
    rpcbind -w -f </dev/null >"$dir/rpcbind.log" 2>&1 &
    record_pid "$dir" rpcbind rpcbind "$!"
    wait_for 10 "$dir" rpcbind rpcbind_answers || die "rpcbind did not answer within 10 s: $(tail -n 5 "$dir/rpcbind.log")"
  fi

  # Two attempts: another root client on this machine may still grab port 875 between our check and ganesha's bind.
  for attempt in 1 2; do
    wait_reserved_ports
    log "starting nfs-ganesha (export $dir/export)"
    : >"$dir/ganesha.log"
    ganesha.nfsd -F -f "$dir/ganesha.conf" -L "$dir/ganesha.log" -p "$dir/ganesha.pidfile" -N NIV_EVENT \
      </dev/null >"$dir/ganesha.out" 2>&1 &
    record_pid "$dir" ganesha ganesha.nfsd "$!"
    rc=0
    wait_for "$START_TIMEOUT" "$dir" ganesha ganesha_listening || rc=$?
    if [ "$rc" -eq 0 ]; then wait_for "$START_TIMEOUT" "$dir" ganesha ganesha_ready || rc=$?; fi
    [ "$rc" -ne 0 ] || break
    if [ "$rc" -eq 2 ]; then log "nfs-ganesha exited during start-up"; else log "nfs-ganesha not ready after $START_TIMEOUT s"; fi
    log "--- tail of $dir/ganesha.log"
    tail -n 25 "$dir/ganesha.log" >&2 || true
    tail -n 5 "$dir/ganesha.out" >&2 || true
    if [ "$rc" -eq 2 ] && [ "$attempt" -eq 1 ] && grep -q 'Address already in use' "$dir/ganesha.log"; then
      log "a port was taken; trying again in 2 s"
      stop_pid "$dir" ganesha TERM 5 || true
      sleep 2
      continue
    fi
    die "nfs-ganesha did not come up"
  done
  CLEANUP_STOP_DIR=$prev_cleanup
  log "servers ready: $(rpcinfo -p "$HOST" | awk 'NR > 1 {print $5 "/" $2 "/" $3}' | sort -u | tr '\n' ' ')"
}

# Removes the rpcbind registrations left by a ganesha that did not exit cleanly.
clear_stale_registrations() {
  local prog vers
  rpcbind_answers || return 0
  while read -r prog vers; do
    log "removing stale rpcbind registration of program $prog version $vers"
    rpcinfo -d "$prog" "$vers" >/dev/null 2>&1 || true
  done < <(rpcinfo -p "$HOST" 2>/dev/null |
    awk 'NR > 1 && ($1 == 100003 || $1 == 100005 || $1 == 100021 || $1 == 100011) {print $1, $2}' | sort -u)
}

cmd_stop() { # DIR
  local dir clean=1
  [ $# -eq 1 ] || die "usage: lab.sh stop DIR"
  [ -d "$1" ] || return 0
  dir=$(readlink -f "$1")
  stop_pid "$dir" tcpdump INT 5 || true
  # ganesha unregisters from rpcbind on SIGTERM, so it goes first; if it needed SIGKILL or had died, its
  # registrations remain
  stop_pid "$dir" ganesha TERM 20 || clean=0
  # (also before stopping our own rpcbind: `rpcbind -w` saves its registrations on exit and restores them)
  if [ "$clean" -eq 0 ]; then clear_stale_registrations; fi
  stop_pid "$dir" rpcbind TERM 10 || true
  # last, so that it can still finish the job if we are SIGKILLed in the middle (unless we are the watchdog)
  if [ "${LAB_WATCHDOG:-}" != 1 ]; then stop_pid "$dir" watchdog TERM 2 || true; fi
}

# ---------------------------------------------------------------------------------------------------------------
# Capture

WORKLOG=/dev/null

client() { # DESCRIPTION CMD...: a client step that must succeed; its output goes to WORKLOG
  local what=$1
  shift
  log "client: $what"
  run log timeout -k 2 "$CLIENT_TIMEOUT" "$@" ||
    die "client step failed: $what ($*): $(tail -n 3 "$WORKLOG" | tr '\n' ' ')"
}

workload() { # DIR
  local dir=$1 url="nfs://$HOST$1/export" name out work="$1/work"
  # unique: CREATE is GUARDED, and files must not be removed behind ganesha's back
  name="upload-$(date +%s)-$$.bin"
  mkdir -p "$work"
  # ~1 MB of deterministic, non-repetitive text
  seq -f '%012g' 1 $((BIG_FILE_SIZE / 13 + 1)) | head -c "$BIG_FILE_SIZE" >"$work/$name"

  client "rpcinfo -p: PORTMAP v2 DUMP over TCP" rpcinfo -p "$HOST"
  client "rpcinfo: RPCBIND v3 DUMP over TCP" rpcinfo "$HOST"
  client "rpcinfo -T udp 100005 3: RPCBIND v4 GETADDR + MOUNT NULL over UDP" rpcinfo -T udp "$HOST" 100005 3
  client "showmount -e: MOUNT EXPORT" showmount -e "$HOST"
  grep -q "^$dir/export" "$WORKLOG" || die "showmount -e does not list $dir/export"
  # the NFSv3 mount sequence: PORTMAP NULL/GETPORT, MOUNT NULL/MNT/EXPORT, NFS NULL/FSINFO/GETATTR, READDIRPLUS
  client "nfs-ls: mount + READDIRPLUS" nfs-ls "$url"
  grep -q hello.txt "$WORKLOG" || die "nfs-ls does not list hello.txt"
  # CREATE, SETATTR, WRITE 1 MiB (a record spanning many TCP segments) + a short one, COMMIT
  client "nfs-cp up: $BIG_FILE_SIZE bytes" nfs-cp "$work/$name" "$url/$name"
  # LOOKUP, ACCESS, READ 1 MiB + a short one
  client "nfs-cp down" nfs-cp "$url/$name" "$work/$name.back"
  cmp -s "$work/$name" "$work/$name.back" || die "the file read back over NFS differs from the one written"
  log "client: nfs-cat hello.txt"
  out=$(run - timeout -k 2 "$CLIENT_TIMEOUT" nfs-cat "$url/hello.txt") || die "nfs-cat hello.txt failed"
  [ "$out" = hello ] || die "nfs-cat hello.txt printed '$out'"
  # a failing LOOKUP: NFS3ERR_NOENT
  log "client: nfs-cat of a missing file (must fail)"
  if run log timeout -k 2 "$CLIENT_TIMEOUT" nfs-cat "$url/no-such-file.txt"; then
    die "nfs-cat of a missing file succeeded"
  fi
  # AUTH_SYS with another identity
  client "nfs-ls as uid/gid 65534" nfs-ls "$url?uid=65534&gid=65534"
}

# One capture of the workload into OUT. Sets CAPTURE_PROBLEMS to what is wrong with it (empty if it is clean).
# (Not run in $(...): a subshell would not see the cleanup variables, and would hold up our signal traps.)
CAPTURE_PROBLEMS=
capture_once() { # DIR OUT
  local dir=$1 out=$2 n_captured n_dropped disorder
  CAPTURE_PROBLEMS=
  rm -f "$out"
  : >"$WORKLOG"
  CLEANUP_TCPDUMP_DIR=$dir
  # The filter keeps every packet of the lab (clients always talk to one of the servers' ports) and nothing else
  # that happens on lo. -B: a 64 MiB kernel buffer; with the default 2 MiB the kernel drops some of the 64 KiB
  # loopback segments of a 1 MiB WRITE. -Z root: Debian's tcpdump otherwise switches to user tcpdump, which may
  # not be allowed to write OUT.
  tcpdump -i lo -U --time-stamp-precision=nano -B 65536 -Z root -w "$out" "$CAPTURE_FILTER" \
    </dev/null >/dev/null 2>"$dir/tcpdump.err" &
  record_pid "$dir" tcpdump tcpdump "$!"
  wait_for 10 "$dir" tcpdump grep -q 'listening on' "$dir/tcpdump.err" ||
    die "tcpdump did not start: $(cat "$dir/tcpdump.err")"

  workload "$dir"

  sleep 1 # let the last FIN/ACKs through
  stop_pid "$dir" tcpdump INT 5 || true
  CLEANUP_TCPDUMP_DIR=
  n_captured=$(awk '/packets captured/ {print $1}' "$dir/tcpdump.err")
  n_dropped=$(awk '/packets dropped by kernel/ {print $1}' "$dir/tcpdump.err")
  if [ ! -s "$out" ] || [ "$(stat -c %s "$out")" -le 24 ] || [ "${n_captured:-0}" -eq 0 ]; then die "empty capture $out"; fi
  log "captured $n_captured packets to $out ($(stat -c %s "$out") bytes)"
  if [ "${n_dropped:-0}" -ne 0 ]; then CAPTURE_PROBLEMS+="tcpdump: $n_dropped packets dropped by the kernel; "; fi
  # Now and then (~1 capture in 10) segments of a 1 MiB transfer arrive out of order even on lo (the receiver
  # SACKs, the rest follows as "retransmissions"), or reach the capture out of order (a segment's timestamp is
  # earlier than the previous frame's). tshark's TCP reassembly assumes in-order segments and then loses the RPC
  # record (a 1 MiB READ reply): the ground truth would miss a message.
  disorder=$(tshark_q -r "$out" -Y 'frame.time_delta < 0 || tcp.analysis.out_of_order || tcp.analysis.lost_segment
      || tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission
      || tcp.analysis.ack_lost_segment' -T fields -e frame.number | wc -l)
  if [ "$disorder" -ne 0 ]; then CAPTURE_PROBLEMS+="$disorder frames out of order, lost or retransmitted; "; fi
}

cmd_capture() { # DIR OUT
  local dir out attempt
  [ $# -eq 2 ] || die "usage: lab.sh capture DIR OUT.pcap"
  require_prereqs
  dir=$(readlink -f "$1")
  live_pid "$dir" ganesha >/dev/null || die "no running lab in $dir (lab.sh start $dir first)"
  mkdir -p "$(dirname "$2")"
  out=$(readlink -f "$2")
  WORKLOG="$dir/workload.log"
  # a capture that is not clean would be a poor ground truth: make another (the workload can run again)
  for ((attempt = 1; attempt <= CAPTURE_ATTEMPTS; attempt++)); do
    capture_once "$dir" "$out"
    [ -n "$CAPTURE_PROBLEMS" ] || return 0
    log "warning: capture $attempt of $CAPTURE_ATTEMPTS is not clean: ${CAPTURE_PROBLEMS%; }"
  done
  log "warning: keeping the last capture anyway"
}

# ---------------------------------------------------------------------------------------------------------------
# Ground truth

# Port collisions. tshark has no static port for NFS or MOUNT and finds them by a heuristic, which it tries only
# AFTER its port table: a client port that tshark assigns to another protocol makes it decode that connection as
# that protocol (libnfs, rpcinfo and showmount bind reserved ports 512-1023 as root: 705 AgentX, 639 MSDP, 564 9P,
# UDP 1001 ...). We keep the clients as root - reserved source ports are what real NFS clients use and what
# rpcsnoop must handle - and give tshark `-d tcp.port==N,rpc` / `-d udp.port==N,rpc` for exactly the ports of
# this capture that its own table (`tshark -G decodes`) assigns to another protocol. Every other connection is
# decoded as in the shared captures' ground truth, and the result does not depend on which ports the clients got.
decode_as_opts() { # IN: prints "tcp.port==N,rpc" / "udp.port==N,rpc", one per line
  local ports
  ports=$(tshark -r "$1" -T fields -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport 2>/dev/null |
    awk -F'\t' '$1 != "" { print "tcp.port " $1; print "tcp.port " $2 } $3 != "" { print "udp.port " $3; print "udp.port " $4 }' |
    sort -u)
  # first input: the ports of the capture; second: tshark's table, lines like "tcp.port<TAB>705<TAB>agentx"
  tshark -G decodes 2>/dev/null | awk -F'\t' '
    NR == FNR { seen[$0] = 1; next }
    ($1 == "tcp.port" || $1 == "udp.port") && (($1 " " $2) in seen) && $3 != "rpc" { print $1 "==" $2 ",rpc" }
  ' <(printf '%s\n' "$ports") - | sort -u
}

# tshark, without its warning about running as root
tshark_q() {
  tshark "$@" 2> >(grep -v 'could be dangerous' >&2)
}

cmd_truth() { # IN
  local in fields=() f decode=() line unclaimed
  [ $# -eq 1 ] || die "usage: lab.sh truth IN.pcap"
  command -v tshark >/dev/null || die "missing command tshark (apt-get install tshark)"
  in=$(readlink -f "$1")
  [ -s "$in" ] || die "no capture $in"
  # personal Wireshark preferences must not change the ground truth
  WIRESHARK_CONFIG_DIR=$(mktemp -d)
  export WIRESHARK_CONFIG_DIR
  CLEANUP_RM+=("$WIRESHARK_CONFIG_DIR")

  while IFS= read -r line; do decode+=(-d "$line"); done < <(decode_as_opts "$in")
  if [ "${#decode[@]}" -gt 0 ]; then log "client ports tshark gives to other protocols, decoded as RPC: ${decode[*]}"; fi
  for f in "${TSV_FIELDS[@]}"; do fields+=(-e "$f"); done

  tshark_q "${TSHARK_OPTS[@]}" "${decode[@]}" -r "$in" -Y rpc \
    -T fields -E header=y -E occurrence=a -E aggregator=, "${fields[@]}" >"$in.tsv"
  tshark_q "${TSHARK_OPTS[@]}" "${decode[@]}" -r "$in" -Y rpc >"$in.txt"
  tshark_q "${TSHARK_OPTS[@]}" "${decode[@]}" -r "$in" -q -z rpc,srt,100003,3 >"$in.srt"

  # Frames with payload that tshark took neither for RPC nor for a piece of a reassembled RPC record would be
  # missing from the ground truth without a trace: say so.
  unclaimed=$(tshark_q "${TSHARK_OPTS[@]}" "${decode[@]}" -r "$in" \
    -Y '((tcp.len > 0 && !tcp.reassembled_in) || udp) && !rpc' \
    -T fields -e frame.number -e _ws.col.Protocol -e _ws.col.Info | head -n 20)
  if [ -n "$unclaimed" ]; then
    log "warning: frames with payload that tshark did not decode as RPC:"
    printf '%s\n' "$unclaimed" >&2
  fi
  log "ground truth: $in.tsv ($(rpc_counts "$in.tsv")), $in.txt, $in.srt"
}

rpc_counts() { # TSV: prints "N calls / M replies"
  awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { n = split($col["rpc.msgtyp"], t, ","); for (i = 1; i <= n; i++) if (t[i] == "0") c++; else if (t[i] == "1") r++ }
    END { printf "%d calls / %d replies", c, r }' "$1"
}

# ---------------------------------------------------------------------------------------------------------------
# Everything

cmd_all() { # OUTDIR
  local outdir dir started=$SECONDS t0 pcap
  [ $# -eq 1 ] || die "usage: lab.sh all OUTDIR"
  require_prereqs
  mkdir -p "$1"
  outdir=$(readlink -f "$1")
  pcap="$outdir/$CAPTURE_NAME"
  dir=$(mktemp -d /tmp/rpcsnoop-lab.XXXXXX)
  chmod 755 "$dir"
  touch "$dir/.lab-all"
  if [ "${LAB_KEEP:-}" != 1 ]; then CLEANUP_RM+=("$dir"); fi
  CLEANUP_STOP_DIR=$dir
  # If this script is SIGKILLed (no trap runs), the watchdog, in a session of its own, stops what we started.
  LAB_WATCHDOG=1 setsid bash "$SELF" _watchdog "$$" "$dir" </dev/null >/dev/null 2>&1 &
  record_pid "$dir" watchdog bash "$!"

  t0=$SECONDS
  cmd_start "$dir"
  log "start took $((SECONDS - t0)) s"
  t0=$SECONDS
  cmd_capture "$dir" "$pcap"
  log "capture took $((SECONDS - t0)) s"
  t0=$SECONDS
  cmd_truth "$pcap"
  log "truth took $((SECONDS - t0)) s"
  t0=$SECONDS
  cmd_stop "$dir"
  CLEANUP_STOP_DIR=
  log "stop took $((SECONDS - t0)) s"
  if [ "${LAB_KEEP:-}" = 1 ]; then log "kept $dir"; fi
  log "done in $((SECONDS - started)) s: $pcap ($(rpc_counts "$pcap.tsv"))"
}

cmd_watchdog() { # PARENT_PID DIR
  trap '' INT HUP
  trap 'exit 0' TERM
  # `sleep & wait`, so that SIGTERM from `stop` ends the watchdog at once
  while kill -0 "$1" 2>/dev/null; do
    sleep 0.5 &
    CHILD_PID=$!
    wait "$CHILD_PID" || true
    CHILD_PID=
  done
  [ -d "$2" ] || exit 0
  log "watchdog: pid $1 is gone; stopping the lab of $2"
  cmd_stop "$2" || true
  if [ -f "$2/.lab-all" ] && [ "${LAB_KEEP:-}" != 1 ]; then rm -rf "$2"; fi
}

main() {
  local sub=${1:-}
  [ $# -gt 0 ] && shift
  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  case "$sub" in
    check) cmd_check "$@" ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    capture) cmd_capture "$@" ;;
    truth) cmd_truth "$@" ;;
    all) cmd_all "$@" ;;
    _watchdog) cmd_watchdog "$@" ;;
    *)
      sed -n '2,/^set -euo/p' "$SELF" | sed '$d; s/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
}

main "$@"
