# validators (GB 32100, GB 11643, ...)
libguitai_a_SOURCES += src/model/val.c
