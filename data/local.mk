# data: files are listed here as they are added.
dist_pkgdata_DATA += data/regions.tsv
EXTRA_DIST += data/regions-build.py data/REGIONS.md
dist_pkgdata_DATA += data/catalog.ini
