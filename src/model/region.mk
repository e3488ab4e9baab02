# GB/T 2260 divisions
libguitai_a_SOURCES += src/model/region.c
