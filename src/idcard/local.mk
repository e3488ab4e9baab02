# src/idcard: GA 467 ID-card reader — frames, card text, checks, serial
# line, commands, and the job the UI runs off its thread.
libguitai_a_SOURCES += \
	src/idcard/frame.c src/idcard/frame.h \
	src/idcard/text.c src/idcard/text.h \
	src/idcard/verify.c src/idcard/verify.h \
	src/idcard/serial.c src/idcard/serial.h \
	src/idcard/reader.c src/idcard/reader.h \
	src/idcard/async.c src/idcard/async.h

guitai_SOURCES += src/cmd_idcard.c src/cmd_idcard.h
