# unit tests for idcard: frames, card text and checks, the reader and the
# reading job against a scripted device on a pty.
check_PROGRAMS += tests/unit/test_idcard_frame
TESTS += tests/unit/test_idcard_frame
tests_unit_test_idcard_frame_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_idcard_frame_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_idcard_text
TESTS += tests/unit/test_idcard_text
tests_unit_test_idcard_text_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_idcard_text_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_idcard_reader
TESTS += tests/unit/test_idcard_reader
tests_unit_test_idcard_reader_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_idcard_reader_LDADD = $(UNIT_LDADD)
