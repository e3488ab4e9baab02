/* gettext shorthands. UI text is English in the source; zh_CN is the
 * language the counter runs in. N_() marks strings kept in tables and
 * translated where they are shown. */
#ifndef GUITAI_I18N_H
#define GUITAI_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

#endif
