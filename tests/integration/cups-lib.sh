# A private CUPS scheduler for the printing tests: everything (configuration,
# spool, cache, state, logs, the cups-pdf output) lives under the test's
# temporary directory, it listens on a domain socket there, CUPS_SERVER
# points guitai at it, and it is stopped by PID. Source after tests/lib.sh.
#
# What it takes on this system (Debian 12, as root), found by trying:
# * cupsd runs a backend as root only when the backend file is mode 0700
#   and owned by root; Debian installs /usr/lib/cups/backend/cups-pdf that
#   way (cups-pdf needs root to write as the job's user). Anything else
#   and cups-pdf would run as lp and fail, so the helper checks it.
# * cups-pdf reads its settings from /etc/cups/cups-pdf.conf (compiled
#   in; no environment variable). The helper starts cupsd in a private
#   mount namespace (unshare -m) where a cups-pdf.conf of the test is
#   bind-mounted over that path, so the output directory (Out), spool and
#   log are in the test's directory and the machine's file is untouched.
# * Filters run as the user lp: the test's directory is made 0711 so lp
#   can reach the spool below it (nothing in it is readable by lp).
# * cups-pdf takes PostScript only (a PDF given to it comes out blank) and
#   distils it back to PDF with Ghostscript. CUPS's default PDF-to-PS
#   renderer (Ghostscript) turns every glyph into outlines, so the queue
#   uses poppler's pdftops (pdftops-renderer-default=pdftops): then the
#   runs guitai draws with DejaVu (numbers, the application number, dates,
#   amounts) stay text in cups-pdf's output. Chinese does not (CID fonts
#   lose their Unicode map on the way); the tests read numbers back from
#   cups-pdf's output and Chinese from the PDFs guitai writes itself.
#
#   cups_start                 start cupsd (skips the whole test when it cannot)
#   cups_add_queue NAME [SLOW] a cups-pdf queue; SLOW: its jobs wait in a filter
#                              for $(cat $CUPS_DIR/slow-seconds) seconds first
#   cups_stop / cups_kill      stop it (TERM) / kill it (KILL), by PID
#   cups_outputs               number of PDFs cups-pdf has written
#   cups_wait_outputs N [S]    until N PDFs exist (S seconds, default 20)

CUPS_DIR="$TEST_TMP/cups"
CUPSD_PID=

cups_skip() {
	echo "1..0 # SKIP $*"
	exit 0
}

cups_start() {
	local i
	[ "$(id -u)" -eq 0 ] || cups_skip "the private cupsd with cups-pdf needs root"
	for tool in cupsd lpadmin unshare pdftotext pdfinfo; do
		command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin" command -v "$tool" >/dev/null ||
			cups_skip "$tool not installed (cups, printer-driver-cups-pdf, poppler-utils)"
	done
	local backend=/usr/lib/cups/backend/cups-pdf
	[ -x "$backend" ] || cups_skip "cups-pdf backend not installed (printer-driver-cups-pdf)"
	[ "$(stat -c '%a %U' "$backend")" = "700 root" ] ||
		cups_skip "$backend must be mode 0700 owned by root for cupsd to run it as root"
	mkdir -p "$CUPS_DIR"/{conf,spool/tmp,cache,state,log,out,pdfspool}
	chmod 711 "$TEST_TMP" "$CUPS_DIR"
	echo 0 > "$CUPS_DIR/slow-seconds"
	chmod 644 "$CUPS_DIR/slow-seconds"
	# The settings that keep no personal data on disk after printing
	# (README "Printing"): documents deleted as soon as a job ends,
	# job history (titles only: number and document, no names) kept
	# five minutes so a job's end can still be read, stuck jobs
	# cancelled after ten minutes.
	cat > "$CUPS_DIR/conf/cupsd.conf" <<CONF
Listen $CUPS_DIR/cups.sock
LogLevel info
Browsing No
WebInterface No
DefaultAuthType None
PreserveJobFiles No
PreserveJobHistory 300
MaxJobTime 600
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess default
  JobPrivateValues default
  SubscriptionPrivateAccess default
  SubscriptionPrivateValues default
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
CONF
	cat > "$CUPS_DIR/conf/cups-files.conf" <<CONF
ServerRoot $CUPS_DIR/conf
ServerBin /usr/lib/cups
DataDir /usr/share/cups
RequestRoot $CUPS_DIR/spool
TempDir $CUPS_DIR/spool/tmp
CacheDir $CUPS_DIR/cache
StateDir $CUPS_DIR/state
AccessLog $CUPS_DIR/log/access_log
ErrorLog $CUPS_DIR/log/error_log
PageLog $CUPS_DIR/log/page_log
CONF
	cat > "$CUPS_DIR/cups-pdf.conf" <<CONF
Out $CUPS_DIR/out
AnonDirName $CUPS_DIR/out
Spool $CUPS_DIR/pdfspool
Log $CUPS_DIR/log
LogType 1
Grp root
CONF
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
	rm -f "$CUPS_DIR/cups.sock"
	unshare -m --propagation private sh -c \
		"mount --bind '$CUPS_DIR/cups-pdf.conf' /etc/cups/cups-pdf.conf && \
		 exec cupsd -f -c '$CUPS_DIR/conf/cupsd.conf' -s '$CUPS_DIR/conf/cups-files.conf'" \
		>> "$CUPS_DIR/log/cupsd.out" 2>&1 &
	CUPSD_PID=$!
	TEST_PIDS+=("$CUPSD_PID")
	for i in $(seq 1 100); do
		if [ -S "$CUPS_DIR/cups.sock" ] &&
			CUPS_SERVER="$CUPS_DIR/cups.sock" lpstat -r 2>/dev/null | grep -q 'is running'; then
			return 0
		fi
		kill -0 "$CUPSD_PID" 2>/dev/null || break
		sleep 0.1
	done
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
	lpadmin -p "$name" -v cups-pdf:/ -P "$ppd" -o pdftops-renderer-default=pdftops -E 2>/dev/null
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
