# Manual pages.
dist_man_MANS += man/guitai.1 man/guitai.conf.5
