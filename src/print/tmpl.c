/* Reading document templates; see tmpl.h for the format. The parser is
 * strict on purpose: an unknown command, attribute or placeholder, a
 * number out of the page, or a missing footer is an error that names the
 * file and line, because a template mistake found at the counter means a
 * customer waiting while the form prints wrong. */
#include "config.h"
#include "print/tmpl.h"
#include "util/i18n.h"
#include "util/ini.h"
#include "util/str.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TMPL_MAX_TOKENS 24
#define TMPL_MAX_INCLUDE 4
#define TMPL_MAX_BYTES (1 << 20)

struct tmpl_token {
	char *name;      /* attribute name; NULL for a positional word or string */
	char *value;
	int quoted;
};

struct tmpl_parse_state {
	struct tmpl *t;
	const char *file;
	const char *dir;
	int line;
	int depth;
	tmpl_key_fn key_ok;
	int have_page;
};

static int tmpl_fail(struct tmpl_parse_state *ps, struct gt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int tmpl_fail(struct tmpl_parse_state *ps, struct gt_err *err, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return err_set(err, "%s:%d: %s", ps->file, ps->line, what);
}

/* Split one line (modified in place) into tokens. */
static int tmpl_tokenize(struct tmpl_parse_state *ps, char *s, struct tmpl_token *tok, size_t *n,
			 struct gt_err *err)
{
	*n = 0;
	for (;;) {
		char *start, *w;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			return 0;
		if (*n == TMPL_MAX_TOKENS)
			return tmpl_fail(ps, err, _("too many words on one line"));
		memset(&tok[*n], 0, sizeof(tok[*n]));
		start = s;
		/* A bare word, maybe name=value. */
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '=' && *s != '"')
			s++;
		if (*s == '=') {
			*s++ = '\0';
			if (start[0] == '\0')
				return tmpl_fail(ps, err, _("'=' without a name"));
			tok[*n].name = start;
			start = s;
		} else if (s != start && *s == '"') {
			return tmpl_fail(ps, err, _("a quote inside a word"));
		}
		if (*s == '"') {
			/* A quoted string: \" \\ and \n are the only escapes. */
			w = start = ++s;
			for (;;) {
				if (*s == '\0')
					return tmpl_fail(ps, err, _("unterminated string"));
				if (*s == '"')
					break;
				if (*s == '\\' && s[1] == 'n') {
					*w++ = '\n';
					s += 2;
					continue;
				}
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				*w++ = *s++;
			}
			*w = '\0';
			s++;
			if (*s != '\0' && *s != ' ' && *s != '\t')
				return tmpl_fail(ps, err, _("text right after a closing quote"));
			tok[*n].quoted = 1;
		} else {
			while (*s != '\0' && *s != ' ' && *s != '\t') {
				if (*s == '"' || *s == '=')
					return tmpl_fail(ps, err, _("unexpected '%c'"), *s);
				s++;
			}
			if (*s != '\0')
				*s++ = '\0';
		}
		tok[*n].value = start;
		if (tok[*n].name == NULL && !tok[*n].quoted && start[0] == '\0')
			return tmpl_fail(ps, err, _("empty value"));
		(*n)++;
		if (tok[*n - 1].quoted && *s != '\0')
			*s++ = '\0';
	}
}

static int tmpl_number(struct tmpl_parse_state *ps, const struct tmpl_token *tk, double min,
		       double max, double *out, struct gt_err *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(tk->value, &end);
	if (errno != 0 || end == tk->value || *end != '\0' || !(v >= min && v <= max))
		return tmpl_fail(ps, err, _("%s=%s: expected a number from %g to %g"), tk->name,
				 tk->value, min, max);
	*out = v;
	return 0;
}

/* Check every {key} of a text against the flow's keys. */
static int tmpl_check_keys(struct tmpl_parse_state *ps, const char *text, struct gt_err *err)
{
	for (const char *p = text; *p != '\0'; p++) {
		char key[96];
		const char *end;
		size_t n;

		if (p[0] == '{' && p[1] == '{') {
			p++;
			continue;
		}
		if (p[0] == '}' && p[1] == '}') {
			p++;
			continue;
		}
		if (*p == '}')
			return tmpl_fail(ps, err, _("'}' without '{' (write }} for a brace)"));
		if (*p != '{')
			continue;
		end = strchr(p, '}');
		if (end == NULL)
			return tmpl_fail(ps, err, _("'{' without '}' (write {{ for a brace)"));
		n = (size_t)(end - p - 1);
		if (n == 0 || n >= sizeof(key))
			return tmpl_fail(ps, err, _("bad placeholder"));
		memcpy(key, p + 1, n);
		key[n] = '\0';
		if (n > 5 && strcmp(key + n - 5, ":full") == 0)
			key[n - 5] = '\0';
		if (ps->key_ok != NULL && !ps->key_ok(key))
			return tmpl_fail(ps, err, _("unknown value {%s}"), key);
		p = end;
	}
	return 0;
}

static char *tmpl_strdup(struct tmpl_parse_state *ps, const char *s, struct gt_err *err)
{
	char *d = strdup(s);

	if (d == NULL)
		tmpl_fail(ps, err, _("out of memory"));
	return d;
}

static struct tmpl_elem *tmpl_add(struct tmpl *t)
{
	if (t->nelems == t->elems_cap) {
		size_t cap = t->elems_cap ? 2 * t->elems_cap : 64;
		struct tmpl_elem *e = realloc(t->elems, cap * sizeof(*e));

		if (e == NULL)
			return NULL;
		t->elems = e;
		t->elems_cap = cap;
	}
	memset(&t->elems[t->nelems], 0, sizeof(t->elems[0]));
	return &t->elems[t->nelems++];
}

static int tmpl_include(struct tmpl_parse_state *ps, const char *name, struct gt_err *err);
static int tmpl_parse_text(struct tmpl_parse_state *ps, char *text, size_t len,
			   struct gt_err *err);

static int tmpl_cmd_page(struct tmpl_parse_state *ps, struct tmpl_token *tok, size_t n,
			 struct gt_err *err)
{
	struct tmpl *t = ps->t;

	for (size_t i = 1; i < n; i++) {
		if (tok[i].name == NULL)
			return tmpl_fail(ps, err, _("page takes name=value only"));
		if (strcmp(tok[i].name, "size") == 0) {
			if (strcmp(tok[i].value, "A4") == 0) {
				t->page_w = 210;
				t->page_h = 297;
			} else if (strcmp(tok[i].value, "A5") == 0) {
				t->page_w = 148;
				t->page_h = 210;
			} else {
				return tmpl_fail(ps, err, _("size is A4 or A5"));
			}
		} else if (strcmp(tok[i].name, "margin") == 0) {
			if (tmpl_number(ps, &tok[i], 0, 40, &t->margin, err) != 0)
				return -1;
		} else if (strcmp(tok[i].name, "font") == 0) {
			if (str_copy(t->font, sizeof(t->font), tok[i].value))
				return tmpl_fail(ps, err, _("font name too long"));
		} else if (strcmp(tok[i].name, "fontsize") == 0) {
			if (tmpl_number(ps, &tok[i], 4, 72, &t->font_size, err) != 0)
				return -1;
		} else {
			return tmpl_fail(ps, err, _("page has no attribute \"%s\""), tok[i].name);
		}
	}
	ps->have_page = 1;
	return 0;
}

static int tmpl_cmd_map(struct tmpl_parse_state *ps, struct tmpl_token *tok, size_t n,
			struct gt_err *err)
{
	struct tmpl *t = ps->t;
	struct tmpl_map *m;

	if (n != 4 || tok[1].name || tok[2].name || tok[3].name || !tok[3].quoted)
		return tmpl_fail(ps, err, _("usage: map KEY VALUE \"text\""));
	if (ps->key_ok != NULL && !ps->key_ok(tok[1].value))
		return tmpl_fail(ps, err, _("unknown value {%s}"), tok[1].value);
	if (t->nmaps == t->maps_cap) {
		size_t cap = t->maps_cap ? 2 * t->maps_cap : 32;
		struct tmpl_map *nm = realloc(t->maps, cap * sizeof(*nm));

		if (nm == NULL)
			return tmpl_fail(ps, err, _("out of memory"));
		t->maps = nm;
		t->maps_cap = cap;
	}
	m = &t->maps[t->nmaps];
	memset(m, 0, sizeof(*m));
	m->key = tmpl_strdup(ps, tok[1].value, err);
	m->value = tmpl_strdup(ps, tok[2].value, err);
	m->text = tmpl_strdup(ps, tok[3].value, err);
	t->nmaps++;
	if (m->key == NULL || m->value == NULL || m->text == NULL)
		return -1;
	return 0;
}

/* Which attributes each drawing command takes ('s' = strings it needs). */
static const struct {
	const char *cmd;
	enum tmpl_kind kind;
	const char *attrs;     /* space-separated */
	int min_strings, max_strings;
	const char *required;  /* space-separated */
} tmpl_cmds[] = {
	{ "text", TK_TEXT, "x y w h size bold align", 1, 1, "x y" },
	{ "cell", TK_CELL, "x y w h lw size", 2, 2, "x y w h" },
	{ "box", TK_BOX, "x y w h size dash", 0, 1, "x y w h" },
	{ "line", TK_LINE, "x y x2 y2 width", 0, 0, "x y x2 y2" },
	{ "fill", TK_FILL, "x y w h gray", 0, 0, "x y w h" },
	{ "qr", TK_QR, "x y size", 1, 1, "x y size" },
	{ "reprint", TK_REPRINT, "x y size", 1, 1, "x y" },
	{ "footer", TK_FOOTER, "y size", 1, 1, "y" },
	{ "marks", TK_MARKS, "size", 0, 0, "" },
	{ "newpage", TK_NEWPAGE, "", 0, 0, "" },
	{ "flow", TK_FLOW, "y top bottom rowh", 0, 0, "y bottom" },
};

static int tmpl_word_in(const char *word, const char *list)
{
	size_t n = strlen(word);

	for (const char *p = list; *p != '\0';) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);

		if (len == n && strncmp(p, word, n) == 0)
			return 1;
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

static int tmpl_cmd_draw(struct tmpl_parse_state *ps, size_t ci, struct tmpl_token *tok,
			 size_t n, struct gt_err *err)
{
	struct tmpl *t = ps->t;
	const char *strings[2] = { NULL, NULL };
	int nstrings = 0, seen_size = 0;
	struct tmpl_elem *e;
	char seen[64] = " ";

	if (!ps->have_page)
		return tmpl_fail(ps, err, _("the first command must be page"));
	e = tmpl_add(t);
	if (e == NULL)
		return tmpl_fail(ps, err, _("out of memory"));
	e->kind = tmpl_cmds[ci].kind;
	e->line = ps->line;
	e->width = 0.6;
	e->gray = 0.9;
	for (size_t i = 1; i < n; i++) {
		const char *name = tok[i].name;
		double *num = NULL, max = 400;

		if (name == NULL && tok[i].quoted) {
			if (nstrings == tmpl_cmds[ci].max_strings)
				return tmpl_fail(ps, err, _("%s takes %d text(s)"), tmpl_cmds[ci].cmd,
						 tmpl_cmds[ci].max_strings);
			if (tmpl_check_keys(ps, tok[i].value, err) != 0)
				return -1;
			strings[nstrings++] = tok[i].value;
			continue;
		}
		/* Flags are bare words. */
		if (name == NULL) {
			if (!tmpl_word_in(tok[i].value, tmpl_cmds[ci].attrs) ||
			    (strcmp(tok[i].value, "bold") != 0 && strcmp(tok[i].value, "dash") != 0))
				return tmpl_fail(ps, err, _("%s has no flag \"%s\" (text goes in quotes)"),
						 tmpl_cmds[ci].cmd, tok[i].value);
			if (strcmp(tok[i].value, "bold") == 0)
				e->bold = 1;
			else
				e->dash = 1;
			continue;
		}
		if (!tmpl_word_in(name, tmpl_cmds[ci].attrs) || strcmp(name, "bold") == 0 ||
		    strcmp(name, "dash") == 0)
			return tmpl_fail(ps, err, _("%s has no attribute \"%s\""), tmpl_cmds[ci].cmd,
					 name);
		{
			size_t sl = strlen(seen);

			snprintf(seen + sl, sizeof(seen) - sl, "%s ", name);
		}
		if (strcmp(name, "align") == 0) {
			if (strcmp(tok[i].value, "left") == 0)
				e->align = TA_LEFT;
			else if (strcmp(tok[i].value, "center") == 0)
				e->align = TA_CENTER;
			else if (strcmp(tok[i].value, "right") == 0)
				e->align = TA_RIGHT;
			else
				return tmpl_fail(ps, err, _("align is left, center or right"));
			continue;
		}
		if (strcmp(name, "x") == 0)
			num = &e->x;
		else if (strcmp(name, "y") == 0)
			num = &e->y;
		else if (strcmp(name, "w") == 0)
			num = &e->w;
		else if (strcmp(name, "h") == 0)
			num = &e->h;
		else if (strcmp(name, "x2") == 0)
			num = &e->x2;
		else if (strcmp(name, "y2") == 0)
			num = &e->y2;
		else if (strcmp(name, "lw") == 0)
			num = &e->lw;
		else if (strcmp(name, "size") == 0) {
			num = &e->size;
			max = e->kind == TK_QR || e->kind == TK_MARKS ? 100 : 72;
			seen_size = 1;
		} else if (strcmp(name, "width") == 0) {
			num = &e->width;
			max = 10;
		} else if (strcmp(name, "gray") == 0) {
			num = &e->gray;
			max = 1;
		} else if (strcmp(name, "top") == 0) {
			num = &e->top;
		} else if (strcmp(name, "bottom") == 0) {
			num = &e->bottom;
		} else if (strcmp(name, "rowh") == 0) {
			num = &e->rowh;
			max = 50;
		}
		if (num == NULL || tmpl_number(ps, &tok[i], 0, max, num, err) != 0)
			return num == NULL ? tmpl_fail(ps, err, _("bad attribute \"%s\""), name) : -1;
	}
	/* Required attributes. */
	for (const char *p = tmpl_cmds[ci].required; *p != '\0';) {
		char want[8], pat[12];
		size_t len = strcspn(p, " ");

		snprintf(want, sizeof(want), "%.*s", (int)len, p);
		snprintf(pat, sizeof(pat), " %s ", want);
		if (strstr(seen, pat) == NULL)
			return tmpl_fail(ps, err, _("%s needs %s="), tmpl_cmds[ci].cmd, want);
		p += len;
		while (*p == ' ')
			p++;
	}
	if (nstrings < tmpl_cmds[ci].min_strings)
		return tmpl_fail(ps, err, _("%s needs its text in quotes"), tmpl_cmds[ci].cmd);
	if (e->kind == TK_QR && seen_size && e->size < 10)
		return tmpl_fail(ps, err, _("a QR code smaller than 10 mm does not scan"));
	/* Lengths must stay on the page's printable area. */
	{
		double aw = t->page_w - 2 * t->margin, ah = t->page_h - 2 * t->margin;
		double right = e->x + e->w, bottom = e->y + e->h;

		if (e->kind == TK_QR) {
			right = e->x + e->size;
			bottom = e->y + e->size;
		} else if (e->kind == TK_LINE) {
			right = e->x2 > e->x ? e->x2 : e->x;
			bottom = e->y2 > e->y ? e->y2 : e->y;
		}
		if (right > aw + 0.01 || bottom > ah + 0.01)
			return tmpl_fail(ps, err, _("outside the printable area (%.0f x %.0f mm)"), aw, ah);
	}
	if (e->kind == TK_CELL) {
		if (e->lw == 0)
			e->lw = 30;
		if (e->lw >= e->w)
			return tmpl_fail(ps, err, _("cell label width lw= must be less than w="));
		e->label = tmpl_strdup(ps, strings[0], err);
		e->text = tmpl_strdup(ps, strings[1], err);
		if (e->label == NULL || e->text == NULL)
			return -1;
	} else if (e->kind == TK_BOX) {
		if (strings[0] != NULL && (e->label = tmpl_strdup(ps, strings[0], err)) == NULL)
			return -1;
	} else if (strings[0] != NULL) {
		if ((e->text = tmpl_strdup(ps, strings[0], err)) == NULL)
			return -1;
	}
	if (e->kind == TK_FOOTER && strstr(e->text, "{app.no}") == NULL &&
	    strstr(e->text, "{report.no}") == NULL)
		return tmpl_fail(ps, err, _("the footer must carry the document's number: {app.no} "
					    "or {report.no}"));
	if (e->kind == TK_NEWPAGE)
		t->pages++;
	if (e->kind == TK_FLOW) {
		double ah = t->page_h - 2 * t->margin;

		if (t->flow >= 0)
			return tmpl_fail(ps, err, _("a template has one flow"));
		if (e->top == 0)
			e->top = e->y;
		if (e->rowh == 0)
			e->rowh = 5;
		if (e->bottom > ah + 0.01 || e->bottom < e->y + e->rowh || e->bottom < e->top + e->rowh)
			return tmpl_fail(ps, err, _("the flow's bottom= must be below y= and top= and "
						    "on the page"));
		t->flow = (long)(t->nelems - 1);
	}
	if (t->flow >= 0 && t->pages > 1)
		return tmpl_fail(ps, err, _("a template with a flow has no newpage: the flow "
					    "makes the pages"));
	return 0;
}

const struct tmpl_row *tmpl_row_find(const struct tmpl *t, const char *name)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i].name, name) == 0)
			return &t->rows[i];
	return NULL;
}

static int tmpl_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 32)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* columns NAME "X1-X2[lcr] ..." */
static int tmpl_cmd_columns(struct tmpl_parse_state *ps, struct tmpl_token *tok, size_t n,
			    struct gt_err *err)
{
	struct tmpl *t = ps->t;
	double aw = t->page_w - 2 * t->margin;
	struct tmpl_columns c, *grown;
	char spec[400], *save = NULL, *word;

	if (n != 3 || tok[1].name || tok[1].quoted || tok[2].name || !tok[2].quoted)
		return tmpl_fail(ps, err, _("usage: columns NAME \"X1-X2[l|c|r] ...\""));
	if (!tmpl_name_ok(tok[1].value))
		return tmpl_fail(ps, err, _("a name is a-z, 0-9, - and _ (at most 31)"));
	for (size_t i = 0; i < t->ncolumns; i++)
		if (strcmp(t->columns[i].name, tok[1].value) == 0)
			return tmpl_fail(ps, err, _("columns %s defined twice"), tok[1].value);
	memset(&c, 0, sizeof(c));
	str_copy(c.name, sizeof(c.name), tok[1].value);
	if (str_copy(spec, sizeof(spec), tok[2].value))
		return tmpl_fail(ps, err, _("columns: too long"));
	for (word = strtok_r(spec, " ", &save); word != NULL; word = strtok_r(NULL, " ", &save)) {
		char *end, *dash;
		double x1, x2;
		size_t len = strlen(word);
		enum tmpl_align a = TA_LEFT;

		if (c.n == TMPL_MAX_CELLS)
			return tmpl_fail(ps, err, _("columns: at most %d cells"), TMPL_MAX_CELLS);
		if (len > 0 && (word[len - 1] == 'l' || word[len - 1] == 'c' || word[len - 1] == 'r')) {
			a = word[len - 1] == 'r' ? TA_RIGHT : word[len - 1] == 'c' ? TA_CENTER : TA_LEFT;
			word[len - 1] = '\0';
		}
		dash = strchr(word, '-');
		if (dash == NULL)
			return tmpl_fail(ps, err, _("columns: \"%s\" is not X1-X2"), word);
		*dash = '\0';
		errno = 0;
		x1 = strtod(word, &end);
		if (errno != 0 || end == word || *end != '\0')
			return tmpl_fail(ps, err, _("columns: \"%s\" is not a number"), word);
		x2 = strtod(dash + 1, &end);
		if (errno != 0 || end == dash + 1 || *end != '\0')
			return tmpl_fail(ps, err, _("columns: \"%s\" is not a number"), dash + 1);
		if (!(x1 >= 0 && x2 > x1 && x2 <= aw + 0.01))
			return tmpl_fail(ps, err, _("columns: a cell runs from X1 to a larger X2 within "
						    "the printable width (%.0f mm)"), aw);
		c.x1[c.n] = x1;
		c.x2[c.n] = x2;
		c.align[c.n] = a;
		c.n++;
	}
	if (c.n == 0)
		return tmpl_fail(ps, err, _("columns: no cell"));
	grown = realloc(t->columns, (t->ncolumns + 1) * sizeof(*grown));
	if (grown == NULL)
		return tmpl_fail(ps, err, _("out of memory"));
	t->columns = grown;
	t->columns[t->ncolumns++] = c;
	return 0;
}

/* row NAME [cols=C] [size=] [h=] [gap=] [fill=G] [bold] [rule] [keep] [title] [repeat]
 * "cell"... */
static int tmpl_cmd_row(struct tmpl_parse_state *ps, struct tmpl_token *tok, size_t n,
			struct gt_err *err)
{
	struct tmpl *t = ps->t;
	struct tmpl_row r, *grown;

	if (!ps->have_page)
		return tmpl_fail(ps, err, _("the first command must be page"));
	if (n < 2 || tok[1].name || tok[1].quoted || !tmpl_name_ok(tok[1].value))
		return tmpl_fail(ps, err, _("usage: row NAME [cols=COLUMNS] [size=] [h=] [gap=] "
					    "[fill=GRAY] [bold] [rule] [keep] [title] [repeat] \"cell\" ..."));
	if (tmpl_row_find(t, tok[1].value) != NULL)
		return tmpl_fail(ps, err, _("row %s defined twice"), tok[1].value);
	memset(&r, 0, sizeof(r));
	str_copy(r.name, sizeof(r.name), tok[1].value);
	r.line = ps->line;
	r.cols = -1;
	r.gray = 0.9;
	for (size_t i = 2; i < n; i++) {
		double *num = NULL, max = 72;

		if (tok[i].quoted && tok[i].name == NULL) {
			if (r.ncells == TMPL_MAX_CELLS) {
				tmpl_fail(ps, err, _("row: at most %d cells"), TMPL_MAX_CELLS);
				goto fail;
			}
			if (tmpl_check_keys(ps, tok[i].value, err) != 0)
				goto fail;
			r.cells[r.ncells] = tmpl_strdup(ps, tok[i].value, err);
			if (r.cells[r.ncells] == NULL)
				goto fail;
			r.ncells++;
			continue;
		}
		if (tok[i].name == NULL) {
			if (strcmp(tok[i].value, "bold") == 0)
				r.bold = 1;
			else if (strcmp(tok[i].value, "rule") == 0)
				r.rule = 1;
			else if (strcmp(tok[i].value, "keep") == 0)
				r.keep = 1;
			else if (strcmp(tok[i].value, "title") == 0)
				r.title = 1;
			else if (strcmp(tok[i].value, "repeat") == 0)
				r.repeat = 1;
			else {
				tmpl_fail(ps, err, _("row has no flag \"%s\" (text goes in quotes)"),
					  tok[i].value);
				goto fail;
			}
			continue;
		}
		if (strcmp(tok[i].name, "cols") == 0) {
			r.cols = -1;
			for (size_t c = 0; c < t->ncolumns; c++)
				if (strcmp(t->columns[c].name, tok[i].value) == 0)
					r.cols = (int)c;
			if (r.cols < 0) {
				tmpl_fail(ps, err, _("no columns %s (define them above)"), tok[i].value);
				goto fail;
			}
			continue;
		}
		if (strcmp(tok[i].name, "size") == 0)
			num = &r.size;
		else if (strcmp(tok[i].name, "h") == 0)
			num = &r.h;
		else if (strcmp(tok[i].name, "gap") == 0)
			num = &r.gap;
		else if (strcmp(tok[i].name, "fill") == 0) {
			num = &r.gray;
			max = 1;
			r.fill = 1;
		}
		if (num == NULL) {
			tmpl_fail(ps, err, _("row has no attribute \"%s\""), tok[i].name);
			goto fail;
		}
		if (tmpl_number(ps, &tok[i], 0, max, num, err) != 0)
			goto fail;
	}
	if (r.ncells == 0 || (r.cols < 0 && r.ncells != 1) ||
	    (r.cols >= 0 && r.ncells > t->columns[r.cols].n)) {
		tmpl_fail(ps, err, r.cols < 0 ? _("a row without cols= has one cell")
				       : _("more cells than its columns have"));
		goto fail;
	}
	grown = realloc(t->rows, (t->nrows + 1) * sizeof(*grown));
	if (grown == NULL) {
		tmpl_fail(ps, err, _("out of memory"));
		goto fail;
	}
	t->rows = grown;
	t->rows[t->nrows++] = r;
	return 0;
fail:
	for (size_t i = 0; i < r.ncells; i++)
		free(r.cells[i]);
	return -1;
}

static int tmpl_parse_line(struct tmpl_parse_state *ps, char *line, struct gt_err *err)
{
	struct tmpl_token tok[TMPL_MAX_TOKENS];
	size_t n;

	if (tmpl_tokenize(ps, line, tok, &n, err) != 0)
		return -1;
	if (n == 0)
		return 0;
	if (tok[0].name != NULL || tok[0].quoted)
		return tmpl_fail(ps, err, _("a line starts with a command"));
	if (strcmp(tok[0].value, "page") == 0)
		return tmpl_cmd_page(ps, tok, n, err);
	if (strcmp(tok[0].value, "map") == 0)
		return tmpl_cmd_map(ps, tok, n, err);
	if (strcmp(tok[0].value, "columns") == 0)
		return tmpl_cmd_columns(ps, tok, n, err);
	if (strcmp(tok[0].value, "row") == 0)
		return tmpl_cmd_row(ps, tok, n, err);
	if (strcmp(tok[0].value, "include") == 0) {
		if (n != 2 || !tok[1].quoted)
			return tmpl_fail(ps, err, _("usage: include \"FILE\""));
		return tmpl_include(ps, tok[1].value, err);
	}
	for (size_t i = 0; i < sizeof(tmpl_cmds) / sizeof(tmpl_cmds[0]); i++)
		if (strcmp(tok[0].value, tmpl_cmds[i].cmd) == 0)
			return tmpl_cmd_draw(ps, i, tok, n, err);
	return tmpl_fail(ps, err, _("unknown command \"%s\""), tok[0].value);
}

static int tmpl_parse_text(struct tmpl_parse_state *ps, char *text, size_t len,
			   struct gt_err *err)
{
	char *p = text, *end = text + len;

	if (!str_utf8_valid(text))
		return err_set(err, _("%s: not UTF-8 text"), ps->file);
	ps->line = 0;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl != NULL)
			*nl = '\0';
		ps->line++;
		if (nl != NULL && nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (tmpl_parse_line(ps, p, err) != 0)
			return -1;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

static int tmpl_include(struct tmpl_parse_state *ps, const char *name, struct gt_err *err)
{
	struct tmpl_parse_state sub = *ps;
	char path[PATH_MAX];
	char *text = NULL;
	size_t len;
	int rc;

	if (ps->dir == NULL)
		return tmpl_fail(ps, err, _("include is not allowed here"));
	if (ps->depth >= TMPL_MAX_INCLUDE)
		return tmpl_fail(ps, err, _("includes nested too deep"));
	if (strchr(name, '/') != NULL || name[0] == '.' || name[0] == '\0')
		return tmpl_fail(ps, err, _("include takes a file name in the template directory"));
	if (snprintf(path, sizeof(path), "%s/%s", ps->dir, name) >= (int)sizeof(path))
		return tmpl_fail(ps, err, _("path too long"));
	if (ini_read_file(path, TMPL_MAX_BYTES, &text, &len, err) != 0)
		return err_prefix(err, "%s:%d", ps->file, ps->line);
	sub.file = name;
	sub.depth = ps->depth + 1;
	rc = tmpl_parse_text(&sub, text, len, err);
	ps->have_page = sub.have_page;
	free(text);
	return rc;
}

static int tmpl_finish(struct tmpl_parse_state *ps, struct gt_err *err)
{
	int have_qr = 0, have_footer = 0;

	for (size_t i = 0; i < ps->t->nelems; i++) {
		have_qr |= ps->t->elems[i].kind == TK_QR;
		have_footer |= ps->t->elems[i].kind == TK_FOOTER;
	}
	if (!ps->have_page)
		return err_set(err, _("%s: no page line"), ps->file);
	if (!have_qr)
		return err_set(err, _("%s: no qr line (every page carries the application number as a QR code)"),
			       ps->file);
	if (!have_footer)
		return err_set(err, _("%s: no footer line (every page carries the application number, terminal and time)"),
			       ps->file);
	if (ps->t->nrows > 0 && ps->t->flow < 0)
		return err_set(err, _("%s: row styles but no flow line to draw them"), ps->file);
	return 0;
}

int tmpl_parse(const char *text, size_t len, const char *file, const char *dir,
	       tmpl_key_fn key_ok, struct tmpl **out, struct gt_err *err)
{
	struct tmpl_parse_state ps = { 0 };
	struct tmpl *t = calloc(1, sizeof(*t));
	char *copy = malloc(len + 1);
	const char *base = strrchr(file, '/');

	*out = NULL;
	if (t == NULL || copy == NULL) {
		free(t);
		free(copy);
		return err_set(err, _("out of memory"));
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	t->page_w = 210;
	t->page_h = 297;
	t->margin = 15;
	t->font_size = 10;
	t->pages = 1;
	t->flow = -1;
	str_copy(t->font, sizeof(t->font), "DejaVu Sans, WenQuanYi Micro Hei, Noto Sans CJK SC");
	base = base ? base + 1 : file;
	snprintf(t->name, sizeof(t->name), "%.*s", (int)strcspn(base, "."), base);
	ps.t = t;
	ps.file = file;
	ps.dir = dir;
	ps.key_ok = key_ok;
	if (strlen(text) != len) {
		free(copy);
		tmpl_free(t);
		return err_set(err, _("%s: holds a NUL byte"), file);
	}
	if (tmpl_parse_text(&ps, copy, len, err) != 0 || tmpl_finish(&ps, err) != 0) {
		free(copy);
		tmpl_free(t);
		return -1;
	}
	free(copy);
	*out = t;
	return 0;
}

int tmpl_load(const char *dir, const char *name, tmpl_key_fn key_ok, struct tmpl **out,
	      struct gt_err *err)
{
	char path[PATH_MAX];
	char *text = NULL;
	size_t len;
	int rc;

	*out = NULL;
	if (snprintf(path, sizeof(path), "%s/%s.tmpl", dir, name) >= (int)sizeof(path))
		return err_set(err, _("path too long: %s"), dir);
	if (ini_read_file(path, TMPL_MAX_BYTES, &text, &len, err) != 0)
		return err_prefix(err, _("template %s"), name);
	rc = tmpl_parse(text, len, path, dir, key_ok, out, err);
	free(text);
	return rc;
}

void tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nelems; i++) {
		free(t->elems[i].label);
		free(t->elems[i].text);
	}
	for (size_t i = 0; i < t->nmaps; i++) {
		free(t->maps[i].key);
		free(t->maps[i].value);
		free(t->maps[i].text);
	}
	for (size_t i = 0; i < t->nrows; i++)
		for (size_t c = 0; c < t->rows[i].ncells; c++)
			free(t->rows[i].cells[c]);
	free(t->elems);
	free(t->maps);
	free(t->columns);
	free(t->rows);
	free(t);
}

static void tmpl_append(char *out, size_t size, size_t *at, const char *s, size_t n, int *cut)
{
	if (*at + n + 1 > size) {
		/* Cut on a character boundary. */
		n = size - 1 - *at;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		*cut = 1;
	}
	memcpy(out + *at, s, n);
	*at += n;
	out[*at] = '\0';
}

int tmpl_expand(const struct tmpl *t, const char *text, tmpl_lookup_fn lookup, void *arg,
		char *out, size_t size)
{
	size_t at = 0;
	int cut = 0;

	if (size == 0)
		return 1;
	out[0] = '\0';
	for (const char *p = text; *p != '\0' && !cut;) {
		char key[96];
		const char *end, *v;
		size_t n;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			tmpl_append(out, size, &at, p, 1, &cut);
			p += 2;
			continue;
		}
		if (*p != '{' || (end = strchr(p, '}')) == NULL) {
			const char *q = p + 1;

			while (*q != '\0' && *q != '{' && *q != '}')
				q++;
			tmpl_append(out, size, &at, p, (size_t)(q - p), &cut);
			p = q;
			continue;
		}
		n = (size_t)(end - p - 1);
		if (n >= sizeof(key))
			n = sizeof(key) - 1;
		memcpy(key, p + 1, n);
		key[n] = '\0';
		v = lookup(arg, key);
		if (v != NULL && v[0] != '\0') {
			/* A map says how a raw value reads on paper ("org" -> 机构证书). */
			char base[96];

			str_copy(base, sizeof(base), key);
			base[strcspn(base, ":")] = '\0';
			for (size_t i = 0; i < t->nmaps; i++)
				if (strcmp(t->maps[i].key, base) == 0 &&
				    strcmp(t->maps[i].value, v) == 0) {
					v = t->maps[i].text;
					break;
				}
			tmpl_append(out, size, &at, v, strlen(v), &cut);
		} else {
			/* Nothing known yet: the map's "-" entry when there is one
			 * (an empty pair of check boxes), else blank. */
			for (size_t i = 0; i < t->nmaps; i++)
				if (strcmp(t->maps[i].key, key) == 0 && strcmp(t->maps[i].value, "-") == 0) {
					tmpl_append(out, size, &at, t->maps[i].text,
						    strlen(t->maps[i].text), &cut);
					break;
				}
		}
		p = end + 1;
	}
	return cut;
}
