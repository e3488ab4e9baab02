# screens/: the TUI (ncursesw + formw/menuw/panelw), linked into guitai only.
guitai_SOURCES += \
	screens/ui.c screens/ui.h \
	screens/dialog.c \
	screens/fieldform.c screens/fieldform.h \
	screens/login.c \
	screens/reader.c \
	screens/home.c \
	screens/wizard.c
