#!/usr/bin/env bats
# sbx log: the denials the kernel recorded, one line each, in the words of
# sbx check. The parser from records written out (--from, any user); then,
# as root, the real thing: audit switched on by the test and put back.

load test_helper

teardown() {
	if [ -n "${AUDIT_WAS:-}" ]; then
		"$PY" "$BATS_TEST_DIRNAME/audit.py" "$([ "$AUDIT_WAS" = 1 ] && echo on || echo off)"
	fi
	if [ -n "${RATELIMIT_WAS:-}" ]; then
		echo "$RATELIMIT_WAS" >/proc/sys/kernel/printk_ratelimit
	fi
	stop_servers
	teardown_sealed
}

@test "records as the kernel log and auditd have them: one line each, repeats counted, control characters escaped, 20 a process" {
	now=$(date +%s) me=$(id -u)
	{
		# the kernel log (audit on, no audit daemon): a write, its domain
		# and system call records, then the same denial again
		echo "audit: type=1423 audit($now.100:7): domain=18c80a29b blockers=fs.make_reg path=\"/etc\" dev=\"vda\" ino=19"
		echo "audit: type=1424 audit($now.100:7): domain=18c80a29b status=allocated mode=enforcing pid=6709 uid=$me exe=\"/usr/bin/sbx\" comm=\"sh\""
		echo "audit: type=1300 audit($now.100:7): arch=c000003e syscall=257 success=no exit=-13 pid=6709 comm=\"sh\" exe=\"/usr/bin/dash\""
		echo "audit: type=1423 audit($now.101:8): domain=18c80a29b blockers=fs.make_reg path=\"/etc\" dev=\"vda\" ino=19"
		echo "audit: type=1300 audit($now.101:8): arch=c000003e syscall=257 success=no exit=-13 pid=6709 comm=\"sh\" exe=\"/usr/bin/dash\""
		# auditd's format; a name audit wrote in hex (a newline in it)
		echo "type=UNKNOWN[1423] msg=audit($now.200:9): domain=18c80a2aa blockers=fs.write_file path=2F746D702F610A62 dev=\"vda\" ino=5"
		echo "type=SYSCALL msg=audit($now.200:9): arch=c000003e syscall=257 success=no exit=-13 pid=77 comm=\"python3\" exe=\"/usr/bin/python3.11\""
		# the scopes: an abstract socket (a hex name with its NUL), a signal
		echo "audit: type=1423 audit($now.300:10): domain=18c80a2cc blockers=scope.abstract_unix_socket path=007362782D74"
		echo "audit: type=1424 audit($now.300:10): domain=18c80a2cc status=allocated mode=enforcing pid=88 uid=$me exe=\"/usr/bin/sbx\" comm=\"node\""
		echo "audit: type=1423 audit($now.400:11): domain=18c80a2cc blockers=scope.signal opid=1 ocomm=\"systemd\""
		# another user's tool (root reads everyone's): not shown
		echo "audit: type=1423 audit($now.450:30): domain=99 blockers=fs.write_file path=\"/theirs\""
		echo "audit: type=1300 audit($now.450:30): pid=5 uid=4242 comm=\"evil\""
		# a name with a terminal's controls (UTF-8 C1: CSI, OSC, ST)
		echo "audit: type=1423 audit($now.460:31): domain=98 blockers=fs.write_file path=2F7573722FC29B386D"
		echo "audit: type=1300 audit($now.460:31): pid=6 comm=C29B324AC29D303B70776E6564C29C"
		# TCP where Landlock filters it
		echo "audit: type=1423 audit($now.500:12): domain=18c80a2cc blockers=net.connect_tcp daddr=192.0.2.1 dest=443"
		# old records: before --since
		echo "audit: type=1423 audit(1000.000:1): domain=1 blockers=fs.make_reg path=\"/old\""
		# macOS's sandbox reports (log show --style syslog)
		echo "2026-11-28 01:00:00.000 localhost kernel[0]: (Sandbox) Sandbox: python3(1234) deny(1) file-write-create /Users/me/.ssh/x"
		echo "2026-11-28 01:00:01.000 localhost kernel[0]: (Sandbox) Sandbox: node(55) deny(1) network-outbound /private/var/run/docker.sock"
		# not audit, not Landlock
		echo "EXT4-fs (vda): mounted filesystem"
		echo "audit: type=1326 audit($now.600:13): pid=1 comm=\"x\" syscall=41"
	} >"$ROOT/records"
	run -0 "$SBX" log --since 1h --from "$ROOT/records"
	assert_line --regexp '^[0-9:]{8} sh \(pid 6709\): denied: create in /etc \[landlock: fs.make_reg\]; why, and how to allow it: sbx check sh --write /etc$'
	assert_line "  (and 1 more times)"
	assert_line --regexp '^[0-9:]{8} python3 \(pid 77\): denied: write /tmp/a\\x0ab \[landlock: fs.write_file\]; why, and how to allow it: sbx check python3 --write /tmp/a\\x0ab$'
	refute_output --partial /theirs
	assert_line --regexp '^[0-9:]{8} \\xc2\\x9b2J\\xc2\\x9d0;pwned\\xc2\\x9c \(pid 6\): denied: write /usr/\\xc2\\x9b8m '
	assert_line --regexp '^[0-9:]{8} node \(pid 88\): denied: connect to an abstract socket outside the sandbox: @sbx-t \[landlock: scope.abstract_unix_socket\]$'
	assert_line --regexp '^[0-9:]{8} node \(pid 88\): denied: signal a process outside the sandbox: pid 1 \(systemd\) \[landlock: scope.signal\]$'
	assert_line --regexp '^[0-9:]{8} node \(pid 88\): denied: connect to 192.0.2.1:443 \[landlock: net.connect_tcp\]; why, and how to allow it: sbx check node --connect 192.0.2.1:443$'
	assert_line "python3 (pid 1234): denied: file-write-create /Users/me/.ssh/x [seatbelt]"
	assert_line "node (pid 55): denied: network-outbound /private/var/run/docker.sock [seatbelt]"
	refute_output --partial /old
	assert_equal "${#lines[@]}" 9
	run -0 "$SBX" log --since 1h --from "$ROOT/records"
	[[ "$output" != *$'\xc2\x9b'* ]] || fail "a C1 control reached the output"
	# 10,000 denials of one process: 20 lines and a count, not 10,000
	for i in $(seq 100); do
		echo "audit: type=1423 audit($now.700:$((100 + i))): domain=5 blockers=fs.write_file path=\"/f$i\""
		echo "audit: type=1300 audit($now.700:$((100 + i))): pid=9 comm=\"make\""
	done >"$ROOT/many"
	run -0 "$SBX" log --from "$ROOT/many"
	assert_equal "${#lines[@]}" 21
	assert_line "  (more denials of pid 9 not shown)"
	run -2 "$SBX" log --since soon
	assert_output --partial 'bad --since "soon"'
	for d in 5x 5mm -1; do
		run -2 "$SBX" log --since "$d" --from /dev/null
	done
	# --since 0: everything, the old record too
	run -0 "$SBX" log --since 0 --from "$ROOT/records"
	assert_output --partial "create in /old"
	for d in 90 90s 15m 2h 1d; do
		run -0 "$SBX" log --since "$d" --from "$ROOT/records"
		assert_line --partial "sh (pid 6709)"
		refute_output --partial /old
	done
	run -125 "$SBX" log --from "$ROOT/none"
	assert_output --partial "$ROOT/none: No such file or directory"
	run -2 "$SBX" log --tail
	assert_output --partial "usage: sbx log"
}

@test "as root, audit on: a write outside, a signal and a socket outside give three sbx log lines" {
	[ "$(id -u)" = 0 ] || skip "root only: switches the kernel's audit on and off"
	require_abi 7
	AUDIT_WAS=$("$PY" "$BATS_TEST_DIRNAME/audit.py" get)
	"$PY" "$BATS_TEST_DIRNAME/audit.py" on
	# the kernel prints 10 lines in 5 s at most, and one denial is 3 or 4
	RATELIMIT_WAS=$(cat /proc/sys/kernel/printk_ratelimit)
	echo 0 >/proc/sys/kernel/printk_ratelimit
	start_server abstract "sbx-log-$$"
	mark=$(date +%s)
	# with the namespace a write outside fails at the read-only mount
	# (EROFS: no record); Landlock alone records it
	mkdir -p "$ROOT/outside-$$"
	SBX_PROTECT=off run sh -c "echo x >$ROOT/outside-$$/f"
	assert_failure
	SBX_NETWORK=on run sh -c 'kill -0 1'
	assert_failure
	SBX_NETWORK=on run python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect("\0" + sys.argv[1])' "sbx-log-$$"
	assert_failure
	sleep 0.3
	run -0 "$SBX" log --since $(( $(date +%s) - mark + 60 ))s
	assert_line --regexp "^[0-9:]{8} sh \(pid [0-9]+\): denied: create in $ROOT/outside-$$ \[landlock: fs.make_reg\]; why, and how to allow it: sbx check sh --write $ROOT/outside-$$\$"
	assert_line --regexp '^[0-9:]{8} sh \(pid [0-9]+\): denied: signal a process outside the sandbox: pid 1 .*\[landlock: scope.signal\]$'
	assert_line --regexp "^[0-9:]{8} python3 \(pid [0-9]+\): denied: connect to an abstract socket outside the sandbox: @sbx-log-$$ \[landlock: scope.abstract_unix_socket\]\$"
	# sbx session --log=FILE: the same lines while the agent runs, from a
	# follower that ends with it
	SBX_PROTECT=off run -0 "$SBX" session --no-check --log="$ROOT/denials" -- \
		bash -c "sh -c 'echo x >$ROOT/outside-$$/g' 2>/dev/null; sleep 1; echo done"
	assert_output --partial done
	run -0 cat "$ROOT/denials"
	assert_line --regexp "^[0-9:]{8} sh \(pid [0-9]+\): denied: create in $ROOT/outside-$$ \[landlock: fs.make_reg\]"
	# the follower (a fork of the session, its command line) is gone
	sleep 0.5
	run pgrep -f -- "--log=$ROOT/denials"
	assert_failure
}

@test "no record: sbx log says why (audit off, or a read-only mount's refusal)" {
	run -0 "$SBX" log --since 1s --from /dev/null
	assert_output ""
	if [ "$(id -u)" = 0 ]; then
		# (a second with no record: what the test before made is older)
		for _ in 1 2 3 4 5; do
			sleep 1.1
			run -0 --separate-stderr "$SBX" log --since 1s
			[ -z "$output" ] && break
		done
		[[ "$stderr" == *"only with audit on"* ]] || fail "out: $output err: $stderr"
		[[ "$stderr" == *"sbx check TOOL --write PATH"* ]]
	else
		run --separate-stderr "$SBX" log --since 1s
		[[ "$stderr" == *"kernel.dmesg_restrict=0"* || "$stderr" == *"only with audit on"* ]]
	fi
}
