/* `guitai search`; see cmd_search.h. Only masked personal numbers are
 * printed; `guitai show APPNO --full` (itself audited) is the way to see
 * one in full. */
#include "config.h"
#include "cmd_search.h"
#include "flow/search.h"
#include "model/catalog.h"
#include "util/i18n.h"
#include "util/log.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD_SEARCH_EXIT_FAIL 1
#define CMD_SEARCH_EXIT_USAGE 2

static int cmd_search_usage(void)
{
	fprintf(stderr, "%s", _("usage: guitai search QUERY [--kind app|uscc|name|id|mobile|account] "
				"[--limit N]\n"));
	return CMD_SEARCH_EXIT_USAGE;
}

int cmd_search_main(struct gt_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct search_hit *hits;
	enum search_kind kind = SEARCH_AUTO;
	struct gt_err err;
	long limit = 20;
	size_t n;
	int c, k;

	optind = 0;
	while ((c = getopt_long(argc, argv, "k:l:", opts, NULL)) != -1) {
		if (c == 'k') {
			k = search_kind_parse(optarg);
			if (k < 0)
				return cmd_search_usage();
			kind = (enum search_kind)k;
		} else if (c == 'l') {
			limit = strtol(optarg, NULL, 10);
			if (limit < 1 || limit > SEARCH_MAX_HITS) {
				fprintf(stderr, _("guitai: --limit takes 1 to %d\n"), SEARCH_MAX_HITS);
				return CMD_SEARCH_EXIT_USAGE;
			}
		} else {
			return cmd_search_usage();
		}
	}
	if (optind + 1 != argc || argv[optind][0] == '\0')
		return cmd_search_usage();
	hits = calloc((size_t)limit, sizeof(*hits));
	if (hits == NULL)
		return CMD_SEARCH_EXIT_FAIL;
	if (search_run(ctx, argv[optind], kind, hits, (size_t)limit, &n, &err) != 0) {
		fprintf(stderr, "guitai: %s\n", err.msg);
		free(hits);
		return CMD_SEARCH_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct search_hit *h = &hits[i];
		char when[32], paid[32];
		time_t t = (time_t)h->app.updated_at;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		catalog_format_fen((long)h->paid_fen, paid, sizeof(paid));
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h->app.app_no, h->app.status,
		       when, h->app.uscc[0] ? h->app.uscc : "-",
		       h->app.org_name[0] ? h->app.org_name : "-",
		       h->handler_name[0] ? h->handler_name : "-",
		       h->handler_id[0] ? h->handler_id : "-", h->mobile[0] ? h->mobile : "-", paid,
		       h->account[0] ? h->account : "-");
	}
	log_msg("search: %s, %zu found", search_kind_label(kind), n);
	memset(hits, 0, (size_t)limit * sizeof(*hits));
	free(hits);
	return EXIT_SUCCESS;
}
