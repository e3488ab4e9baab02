# Shared by the key personalisation screen tests (tests/e2e/personalise*.sh):
# a blank SoftHSM2 key, a private cupsd with a cups-pdf queue "counter" as
# the configured printer, the built-in CA, the demo operator (typing a whole
# application into the wizard is enter_application in tests/e2e/tmux.sh). Source after tests/lib.sh
# and tests/e2e/tmux.sh.
. "$top_srcdir/tests/integration/token-lib.sh"
. "$top_srcdir/tests/integration/cups-lib.sh"
# The key and its certificate are read back with OpenSC's tool.
command -v pkcs11-tool > /dev/null || { echo "1..0 # SKIP pkcs11-tool (opensc) is not installed"; exit 0; }

# perso_setup [EXTRA INI]: everything above; sets conf.
perso_setup() {
	new_softhsm
	cups_start
	cups_add_queue counter
	conf=$(token_config "${1:-}
[print]
printer = counter
templates = $top_srcdir/data/templates")
	add_demo_operator "$conf" || return 1
	"$GUITAI" -c "$conf" ca init > /dev/null 2>&1
}

# wait_row TEXT1 TEXT2 [SECONDS]: until one screen row shows both.
wait_row() {
	local a=$1 b=$2 limit=${3:-20} i=0
	while [ "$i" -lt $((limit * 10)) ]; do
		screen | grep -F -- "$a" | grep -qF -- "$b" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	diag "timed out waiting for a row with: $a / $b" "screen was:"
	screen | sed 's/^/#   /'
	return 1
}

# type_secret TEXT: type into a hidden (PIN) field and wait until the
# cursor has moved past it, so the screen then shows whatever typing it
# showed — a check that it is not there cannot pass merely early.
type_secret() {
	local before i=0
	before=$(tm display -p -t ui '#{cursor_x}')
	type_text "$1"
	while [ "$(tm display -p -t ui '#{cursor_x}')" -ne $((before + ${#1})) ]; do
		[ "$i" -lt 50 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# not_on_screen TEXT: the screen does not show TEXT now.
not_on_screen() {
	! screen | grep -qF -- "$1"
}

# The certificate on the key labelled $1, as DER in $2 (no log-in needed).
key_cert() {
	pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$1" --read-object --type cert \
		--label "$1" -o "$2" > /dev/null 2>&1
}

# no_file_holds TEXT DIR...: no regular file under the DIRs contains TEXT.
no_file_holds() {
	local text=$1 hits
	shift
	hits=$(grep -rlaF -- "$text" "$@" 2>/dev/null)
	[ -z "$hits" ] || { diag "found in: $hits"; return 1; }
}
