/* Decoding and encoding of the 256-byte card text; see text.h. Each layout
 * is a table of (byte offset, byte width, destination field) so the four
 * card types share one loop, and the offsets can be read against FACTS.md
 * §3.6 line by line. */
#include "config.h"
#include "idcard/text.h"
#include "util/i18n.h"
#include "util/str.h"

#include <stddef.h>
#include <string.h>

struct idc_text_field {
	unsigned off;   /* byte offset in the block */
	unsigned width; /* bytes */
	size_t dst;     /* offsetof(struct idc_text, ...) */
	size_t dstsz;
};

#define F(o, w, m) { (o), (w), offsetof(struct idc_text, m), sizeof(((struct idc_text *)0)->m) }

static const struct idc_text_field idc_text_resident[] = {
	F(0, 30, name), F(30, 2, gender), F(32, 4, nation), F(36, 16, birth),
	F(52, 70, address), F(122, 36, number), F(158, 30, authority),
	F(188, 16, valid_from), F(204, 16, valid_to),
};

static const struct idc_text_field idc_text_hmt[] = {
	F(0, 30, name), F(30, 2, gender), F(36, 16, birth),
	F(52, 70, address), F(122, 36, number), F(158, 30, authority),
	F(188, 16, valid_from), F(204, 16, valid_to),
	F(220, 18, pass_number), F(238, 4, issue_count),
};

static const struct idc_text_field idc_text_f2017[] = {
	F(0, 120, name_en), F(120, 2, gender), F(122, 30, number),
	F(152, 6, nationality), F(158, 30, name), F(188, 16, valid_from),
	F(204, 16, valid_to), F(220, 16, birth), F(236, 4, card_version),
	F(240, 8, agency_code),
};

/* The Y card's English name is split over 52+70 and 220+22; it is handled
 * apart so a space at the seam survives the trimming. */
static const struct idc_text_field idc_text_f2023[] = {
	F(0, 30, name), F(30, 2, gender), F(32, 4, issue_count), F(36, 16, birth),
	F(122, 36, number), F(188, 16, valid_from), F(204, 16, valid_to),
	F(242, 6, nationality), F(250, 6, previous_link),
};

#undef F

#define IDC_TEXT_MARKER_OFF 248
#define IDC_TEXT_Y_EN1_OFF 52
#define IDC_TEXT_Y_EN1_LEN 70
#define IDC_TEXT_Y_EN2_OFF 220
#define IDC_TEXT_Y_EN2_LEN 22

static const char idc_text_long_term[] = "长期";

static const struct {
	enum idc_card_type type;
	const struct idc_text_field *fields;
	size_t n;
	uint16_t marker;
} idc_text_layouts[] = {
	{ IDC_CARD_RESIDENT, idc_text_resident,
	  sizeof(idc_text_resident) / sizeof(idc_text_resident[0]), ' ' },
	{ IDC_CARD_HMT, idc_text_hmt, sizeof(idc_text_hmt) / sizeof(idc_text_hmt[0]), 'J' },
	{ IDC_CARD_FOREIGN_2017, idc_text_f2017,
	  sizeof(idc_text_f2017) / sizeof(idc_text_f2017[0]), 'I' },
	{ IDC_CARD_FOREIGN_2023, idc_text_f2023,
	  sizeof(idc_text_f2023) / sizeof(idc_text_f2023[0]), 'Y' },
};

/* Code points that must not reach a terminal: C0/C1 controls, DEL, lone
 * surrogates, non-characters and the bidirectional overrides that could
 * make a field display as something else. */
static int idc_text_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0xD800 && cp <= 0xDFFF) ||
	       cp == 0xFFFE || cp == 0xFFFF || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F ||
	       cp == 0x2028 || cp == 0x2029;
}

/* Append cp as UTF-8 when it fits with room for the NUL; returns 0 when it
 * did not fit (the caller stops: a field is never cut mid-character). */
static int idc_text_put_utf8(char *out, size_t outsz, size_t *pos, uint32_t cp)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | (cp >> 18));
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (*pos + n + 1 > outsz)
		return 0;
	memcpy(out + *pos, b, n);
	*pos += n;
	return 1;
}

void idc_text_ucs2_to_utf8(const uint8_t *p, size_t n, char *out, size_t outsz)
{
	size_t pos = 0, keep = 0;

	if (outsz == 0)
		return;
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint32_t cp = (uint32_t)p[i] | ((uint32_t)p[i + 1] << 8);

		/* GB 13000 UCS-2 has no surrogates, but a pair is unambiguous
		 * and cheaper to honour than to explain. */
		if (cp >= 0xD800 && cp <= 0xDBFF && i + 3 < n) {
			uint32_t lo = (uint32_t)p[i + 2] | ((uint32_t)p[i + 3] << 8);

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			}
		}
		if (cp == 0)
			cp = ' '; /* padding some writers use instead of 20 00 */
		else if (idc_text_unsafe(cp))
			cp = 0xFFFD;
		if (!idc_text_put_utf8(out, outsz, &pos, cp))
			break;
		if (cp != ' ')
			keep = pos;
	}
	/* Trailing padding goes; leading and inner spaces are content. */
	out[keep] = '\0';
}

/* UTF-8 into a field of `width` bytes of UCS-2LE, space padded. */
static void idc_text_put_ucs2(uint8_t *dst, size_t width, const char *s)
{
	size_t i = 0;

	while (*s != '\0' && i + 1 < width) {
		uint32_t cp;
		size_t n = str_utf8_decode(s, &cp);

		if (n == 0) {
			n = 1;
			cp = '?';
		}
		if (cp > 0xFFFF)
			cp = '?';
		dst[i] = (uint8_t)(cp & 0xFF);
		dst[i + 1] = (uint8_t)(cp >> 8);
		i += 2;
		s += n;
	}
	for (; i + 1 < width; i += 2) {
		dst[i] = ' ';
		dst[i + 1] = 0;
	}
}

int idc_text_decode(const uint8_t *block, size_t len, struct idc_text *t,
		    struct gt_err *err)
{
	uint16_t marker;
	size_t li;

	memset(t, 0, sizeof(*t));
	if (len < IDC_TEXT_LEN)
		return err_set(err, _("The card text is too short (%zu bytes, expected %d)."),
			       len, IDC_TEXT_LEN);
	marker = (uint16_t)(block[IDC_TEXT_MARKER_OFF] | (block[IDC_TEXT_MARKER_OFF + 1] << 8));
	if (marker == 0)
		marker = ' ';
	for (li = 0; li < sizeof(idc_text_layouts) / sizeof(idc_text_layouts[0]); li++)
		if (idc_text_layouts[li].marker == marker)
			break;
	if (li == sizeof(idc_text_layouts) / sizeof(idc_text_layouts[0]))
		return err_set(err, _("Unknown card type (type marker U+%04X): the card "
				      "cannot be read by this program."), (unsigned)marker);

	t->type = idc_text_layouts[li].type;
	for (size_t i = 0; i < idc_text_layouts[li].n; i++) {
		const struct idc_text_field *f = &idc_text_layouts[li].fields[i];

		idc_text_ucs2_to_utf8(block + f->off, f->width, (char *)t + f->dst, f->dstsz);
	}
	if (t->type == IDC_CARD_FOREIGN_2023) {
		uint8_t en[IDC_TEXT_Y_EN1_LEN + IDC_TEXT_Y_EN2_LEN];

		memcpy(en, block + IDC_TEXT_Y_EN1_OFF, IDC_TEXT_Y_EN1_LEN);
		memcpy(en + IDC_TEXT_Y_EN1_LEN, block + IDC_TEXT_Y_EN2_OFF, IDC_TEXT_Y_EN2_LEN);
		idc_text_ucs2_to_utf8(en, sizeof(en), t->name_en, sizeof(t->name_en));
	}
	t->long_term = strcmp(t->valid_to, idc_text_long_term) == 0;
	return 0;
}

void idc_text_encode(const struct idc_text *t, uint8_t block[IDC_TEXT_LEN])
{
	size_t li;

	idc_text_put_ucs2(block, IDC_TEXT_LEN, "");
	for (li = 0; li < sizeof(idc_text_layouts) / sizeof(idc_text_layouts[0]); li++)
		if (idc_text_layouts[li].type == t->type)
			break;
	if (li == sizeof(idc_text_layouts) / sizeof(idc_text_layouts[0]))
		li = 0;
	for (size_t i = 0; i < idc_text_layouts[li].n; i++) {
		const struct idc_text_field *f = &idc_text_layouts[li].fields[i];
		const char *v = (const char *)t + f->dst;

		if (f->dst == offsetof(struct idc_text, valid_to) && t->long_term)
			v = idc_text_long_term;
		idc_text_put_ucs2(block + f->off, f->width, v);
	}
	if (t->type == IDC_CARD_FOREIGN_2023) {
		uint8_t en[IDC_TEXT_Y_EN1_LEN + IDC_TEXT_Y_EN2_LEN];

		idc_text_put_ucs2(en, sizeof(en), t->name_en);
		memcpy(block + IDC_TEXT_Y_EN1_OFF, en, IDC_TEXT_Y_EN1_LEN);
		memcpy(block + IDC_TEXT_Y_EN2_OFF, en + IDC_TEXT_Y_EN1_LEN, IDC_TEXT_Y_EN2_LEN);
	}
	block[IDC_TEXT_MARKER_OFF] = (uint8_t)idc_text_layouts[li].marker;
	block[IDC_TEXT_MARKER_OFF + 1] = 0;
}

/* GB 3304-1991; the card prints the short form (汉, not 汉族). */
static const char *const idc_text_nations[] = {
	NULL, "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
	"满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
	"佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
	"达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
	"塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
	"独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
};

const char *idc_text_nation_name(const char *code)
{
	int n;

	if (strlen(code) != 2 || !str_is_digits(code, 2))
		return NULL;
	n = (code[0] - '0') * 10 + (code[1] - '0');
	if (n >= 1 && n <= 56)
		return idc_text_nations[n];
	if (n == 97)
		return "其他";
	if (n == 98)
		return "外国血统中国籍人士";
	return NULL;
}

/* GB/T 2261.1-2003. */
const char *idc_text_gender_name(const char *code)
{
	if (strcmp(code, "1") == 0)
		return "男";
	if (strcmp(code, "2") == 0)
		return "女";
	if (strcmp(code, "0") == 0)
		return "未知的性别";
	if (strcmp(code, "9") == 0)
		return "未说明的性别";
	return NULL;
}

const char *idc_text_type_id(enum idc_card_type type)
{
	switch (type) {
	case IDC_CARD_HMT:
		return "hmt_permit";
	case IDC_CARD_FOREIGN_2017:
		return "foreign_2017";
	case IDC_CARD_FOREIGN_2023:
		return "foreign_2023";
	case IDC_CARD_RESIDENT:
		break;
	}
	return "resident";
}

const char *idc_text_type_label(enum idc_card_type type)
{
	switch (type) {
	case IDC_CARD_HMT:
		return _("HK/Macao/Taiwan residence permit");
	case IDC_CARD_FOREIGN_2017:
		return _("Foreign permanent resident ID card (2017)");
	case IDC_CARD_FOREIGN_2023:
		return _("Foreign permanent resident ID card (2023)");
	case IDC_CARD_RESIDENT:
		break;
	}
	return _("Resident ID card");
}
