# The key personalisation screens through tmux (issues 4 and 5): the whole
# screen after the wizard, random PINs with the PIN mailer, and resuming or
# rolling back from the home menu; included from tests/e2e/local.mk.
PERSO_E2E_TESTS = tests/e2e/personalise.sh tests/e2e/personalise-random.sh \
	tests/e2e/personalise-resume.sh
TESTS += $(PERSO_E2E_TESTS)
EXTRA_DIST += $(PERSO_E2E_TESTS) tests/e2e/perso-lib.sh
