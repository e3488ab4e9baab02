# A private CUPS scheduler with a cups-pdf queue, for the demo and the
# printing tests: configuration, spool, cache, state, logs and the PDF
# output all live under one directory, cupsd listens on a domain socket
# there (point CUPS_SERVER at it) and is stopped by PID. Source this file.
#
# What it takes on Debian 12, as root (found by trying):
# * cupsd runs a backend as root only when the backend file is mode 0700
#   and owned by root; Debian installs /usr/lib/cups/backend/cups-pdf that
#   way (cups-pdf needs root to write as the job's user).
# * cups-pdf reads its settings from /etc/cups/cups-pdf.conf (compiled in,
#   no environment variable), so cupsd runs in a private mount namespace
#   (unshare -m) where our cups-pdf.conf is bind-mounted over that path:
#   the output directory is ours and the machine's file is untouched.
# * Filters run as the user lp: the directory is made 0711 so lp can reach
#   the spool below it (nothing in it is readable by lp).
# * cups-pdf takes PostScript only and distils it back to PDF with
#   Ghostscript; with CUPS's default PDF-to-PS renderer every glyph turns
#   into outlines, so queues use poppler's pdftops.
#
#   pcups_usable                  0 when this system can run it, else prints why
#   pcups_configure DIR           write the configuration under DIR
#   pcups_launch DIR              start cupsd; PCUPS_PID is its PID
#   pcups_add_pdf_queue DIR NAME [PPD]
#                                 a cups-pdf queue (PDFs land in DIR/out)

pcups_usable() {
	local tool backend=/usr/lib/cups/backend/cups-pdf
	if [ "$(id -u)" -ne 0 ]; then
		echo "the private cupsd with cups-pdf needs root"
		return 1
	fi
	for tool in cupsd lpadmin lpstat unshare; do
		if ! command -v "$tool" >/dev/null && ! PATH="$PATH:/usr/sbin" command -v "$tool" >/dev/null; then
			echo "$tool is not installed (cups, printer-driver-cups-pdf)"
			return 1
		fi
	done
	if [ ! -x "$backend" ]; then
		echo "the cups-pdf backend is not installed (printer-driver-cups-pdf)"
		return 1
	fi
	if [ "$(stat -c '%a %U' "$backend")" != "700 root" ]; then
		echo "$backend must be mode 0700 owned by root for cupsd to run it as root"
		return 1
	fi
}

pcups_configure() {
	local dir=$1
	mkdir -p "$dir"/{conf,spool/tmp,cache,state,log,out,pdfspool}
	chmod 711 "$dir"
	# The settings that keep no personal data on disk after printing
	# (README "Printing"): documents deleted as soon as a job ends, job
	# history (titles only: number and document, no names) kept five
	# minutes so a job's end can still be read, stuck jobs cancelled
	# after ten minutes.
	cat > "$dir/conf/cupsd.conf" <<CONF
Listen $dir/cups.sock
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
	cat > "$dir/conf/cups-files.conf" <<CONF
ServerRoot $dir/conf
ServerBin /usr/lib/cups
DataDir /usr/share/cups
RequestRoot $dir/spool
TempDir $dir/spool/tmp
CacheDir $dir/cache
StateDir $dir/state
AccessLog $dir/log/access_log
ErrorLog $dir/log/error_log
PageLog $dir/log/page_log
CONF
	cat > "$dir/cups-pdf.conf" <<CONF
Out $dir/out
AnonDirName $dir/out
Spool $dir/pdfspool
Log $dir/log
LogType 1
Grp root
CONF
}

pcups_launch() {
	local dir=$1 i
	rm -f "$dir/cups.sock"
	PATH="$PATH:/usr/sbin" unshare -m --propagation private sh -c \
		"mount --bind '$dir/cups-pdf.conf' /etc/cups/cups-pdf.conf && \
		 exec cupsd -f -c '$dir/conf/cupsd.conf' -s '$dir/conf/cups-files.conf'" \
		>> "$dir/log/cupsd.out" 2>&1 &
	PCUPS_PID=$!
	for i in $(seq 1 100); do
		if [ -S "$dir/cups.sock" ] &&
			CUPS_SERVER="$dir/cups.sock" lpstat -r 2>/dev/null | grep -q 'is running'; then
			return 0
		fi
		kill -0 "$PCUPS_PID" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

pcups_add_pdf_queue() {
	local dir=$1 name=$2 ppd=${3:-/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd}
	CUPS_SERVER="$dir/cups.sock" PATH="$PATH:/usr/sbin" \
		lpadmin -p "$name" -v cups-pdf:/ -P "$ppd" -o pdftops-renderer-default=pdftops -E
}
