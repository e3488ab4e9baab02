# bench: files are listed here as they are added.
include bench/idcard.mk
include bench/core.mk
include bench/audit.mk
include bench/scale.mk
