/* The PDF buffer of render.h: writing it to a file and wiping it. In the
 * core, not in guitai-print.so, because they need no cairo and the flow
 * frees a buffer whether or not anything was rendered into it. */
#include "config.h"
#include "print/render.h"
#include "util/i18n.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int render_buf_write(const struct render_buf *b, const char *path, struct gt_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0)
		return err_set(err, _("cannot write %s: %s"), path, strerror(errno));
	while (off < b->len) {
		ssize_t n = write(fd, b->data + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(err, _("cannot write %s: %s"), path, strerror(errno));
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (close(fd) != 0)
		return err_set(err, _("cannot write %s: %s"), path, strerror(errno));
	return 0;
}

void render_buf_free(struct render_buf *b)
{
	if (b->data != NULL) {
		str_wipe(b->data, b->cap);
		free(b->data);
	}
	memset(b, 0, sizeof(*b));
}
