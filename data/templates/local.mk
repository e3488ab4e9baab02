# Document templates (issue 5): one per document plus shared includes,
# installed to $(pkgdatadir)/templates ([print] templates in guitai.conf).
templatesdir = $(pkgdatadir)/templates
dist_templates_DATA = \
	data/templates/common.inc \
	data/templates/application-form.tmpl \
	data/templates/seal-sheet.tmpl \
	data/templates/receipt.tmpl \
	data/templates/handover.tmpl \
	data/templates/pin-mailer.tmpl \
	data/templates/settlement.tmpl
