# A private CUPS scheduler for the printing tests: everything (configuration,
# spool, cache, state, logs, the cups-pdf output) lives under the test's
# temporary directory, it listens on a domain socket there, CUPS_SERVER
# points guitai at it, and it is stopped by PID. Source after tests/lib.sh.
#
# How the private cupsd is made to work (root, cups-pdf's compiled-in
# configuration path, the lp user, pdftops) is told in scripts/cups-private.sh,
# which the demo uses too. What the tests add: a slow filter, and the
# tests read numbers back from cups-pdf's output and Chinese from the PDFs
# guitai writes itself (CID fonts lose their Unicode map on the way through
# PostScript).
#
#   cups_start                 start cupsd (skips the whole test when it cannot)
#   cups_add_queue NAME [SLOW] a cups-pdf queue; SLOW: its jobs wait in a filter
#                              for $(cat $CUPS_DIR/slow-seconds) seconds first
#   cups_stop / cups_kill      stop it (TERM) / kill it (KILL), by PID
#   cups_outputs               number of PDFs cups-pdf has written
#   cups_wait_outputs N [S]    until N PDFs exist (S seconds, default 20)

CUPS_DIR="$TEST_TMP/cups"
CUPSD_PID=
. "$top_srcdir/scripts/cups-private.sh"

cups_skip() {
	echo "1..0 # SKIP $*"
	exit 0
}

cups_start() {
	local why
	why=$(pcups_usable) || cups_skip "$why"
	for tool in pdftotext pdfinfo; do
		command -v "$tool" >/dev/null || cups_skip "$tool not installed (poppler-utils)"
	done
	chmod 711 "$TEST_TMP"
	pcups_configure "$CUPS_DIR"
	echo 0 > "$CUPS_DIR/slow-seconds"
	chmod 644 "$CUPS_DIR/slow-seconds"
	cat > "$CUPS_DIR/slowps" <<SCRIPT
#!/bin/sh
# Test filter: hold the job, then pass its PostScript on unchanged.
sleep "\$(cat '$CUPS_DIR/slow-seconds' 2>/dev/null || echo 0)"
if [ -n "\$6" ]; then exec cat "\$6"; else exec cat; fi
SCRIPT
	chmod 755 "$CUPS_DIR/slowps"
	cups_launch || cups_skip "cupsd did not start in a private mount namespace (see $CUPS_DIR/log)"
	export CUPS_SERVER="$CUPS_DIR/cups.sock"
	# libcups must not wander off to the machine's client.conf.
	export CUPS_USER=root
}

cups_launch() {
	local rc=0
	pcups_launch "$CUPS_DIR" || rc=1
	CUPSD_PID=$PCUPS_PID
	TEST_PIDS+=("$CUPSD_PID")
	[ "$rc" -eq 0 ] && return 0
	diag "cupsd did not start:" "$(cat "$CUPS_DIR/log/cupsd.out" "$CUPS_DIR/log/error_log" 2>/dev/null | tail -n 20)"
	return 1
}

cups_add_queue() {
	local name=$1 ppd=/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd
	if [ "${2:-}" = SLOW ]; then
		ppd="$CUPS_DIR/$name.ppd"
		sed -e "s|^\*% cupsFilter:.*|*cupsFilter2: \"application/vnd.cups-postscript application/vnd.cups-postscript 0 $CUPS_DIR/slowps\"|" \
			/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd > "$ppd"
	fi
	pcups_add_pdf_queue "$CUPS_DIR" "$name" "$ppd" 2>/dev/null
}

cups_stop() {
	[ -n "$CUPSD_PID" ] || return 0
	kill "$CUPSD_PID" 2>/dev/null
	wait "$CUPSD_PID" 2>/dev/null
	CUPSD_PID=
}

cups_kill() {
	[ -n "$CUPSD_PID" ] || return 0
	kill -9 "$CUPSD_PID" 2>/dev/null
	wait "$CUPSD_PID" 2>/dev/null
	CUPSD_PID=
}

cups_outputs() {
	find "$CUPS_DIR/out" -name '*.pdf' | wc -l
}

cups_wait_outputs() {
	local n=$1 limit=${2:-20} i=0
	while [ "$i" -lt $((limit * 10)) ]; do
		[ "$(cups_outputs)" -ge "$n" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	diag "cups-pdf wrote $(cups_outputs) PDFs, expected $n"
	return 1
}

# The newest cups-pdf output.
cups_last_output() {
	ls -t "$CUPS_DIR"/out/*.pdf 2>/dev/null | head -n 1
}
