/* The screens of issue 6, shared with the rest of the TUI: a supervisor's
 * approval typed at the operator's terminal (approve.c), the daily
 * settlement (settle.c) and the look-up of applications (query.c). */
#ifndef GUITAI_SCREENS_ACCOUNTS_H
#define GUITAI_SCREENS_ACCOUNTS_H

#include <stddef.h>
#include <wchar.h>
#include "flow/ctx.h"

/* A dialog where a supervisor types their name and password to approve
 * `action` (a SESSION_APPROVE_* of flow/session.h) on application app_no
 * ("" for none); `why` says what is being approved. Checked by
 * session_approve (audited, counts towards the supervisor's lock-out); a
 * refusal is shown in the dialog and may be retried. Returns 1 approved
 * (supervisor filled), 0 cancelled, -1 quit requested. */
int ui_approve(struct gt_ctx *ctx, const char *action, const char *app_no, const char *why,
	       char *supervisor, size_t size);

/* Void (how 0) or refund (how 1) payment `id` from a screen: says at once
 * when it cannot be done, else asks the reason and a supervisor's
 * approval, then records it and says what happened in `msg`. Returns 1
 * done, 0 not done, -1 quit requested. */
int ui_reverse_payment(struct gt_ctx *ctx, long long id, int refund, char *msg, size_t msgsz);

/* Text lines for the scrolled screens (lines.c). */
#define UI_LINE_MAX 300
struct ui_lines {
	char (*text)[UI_LINE_MAX];
	int *attr;
	size_t n, cap;
};
void ui_lines_add(struct ui_lines *l, int attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ui_lines_clear(struct ui_lines *l);
void ui_lines_free(struct ui_lines *l);
/* Draw from line `top` in the body area. */
void ui_lines_draw(const struct ui_lines *l, int top);
/* Up, Down, PgUp, PgDn, Home, End move *top; 1 when the key was one. */
int ui_lines_scroll(const struct ui_lines *l, int *top, int is_key, wint_t ch);

/* 日结: the day's settlement, other days, CSV export, voids and closing. */
int ui_settle(struct gt_ctx *ctx);      /* 0 back, -1 quit */
/* 查询: find applications, see one (masked), its payments; void or refund. */
int ui_lookup(struct gt_ctx *ctx);      /* 0 back, -1 quit */

#endif
