// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU keymap files. The format and its meaning are QEMU 7.2's ui/keymaps.c
 * (parse_keyboard_layout, keysym2scancode, keycode_is_keypad,
 * keysym_is_numlock) and ui/vnc.c key_event; this is a separate
 * implementation of them:
 *   - '#' lines are comments; "map 0x..." (a Windows layout id) is ignored;
 *     "include" is refused, as QEMU 7.2 refuses it;
 *   - otherwise "KEYSYM NUMBER [WORD...]": NUMBER is the qnum (strtol base 0,
 *     so 0x1e, 30 or 036); of the WORDs, "shift", "altgr" and "ctrl" say which
 *     modifiers type the keysym on that key, "addupper" also maps the
 *     upper-cased name with Shift added; "numlock", "inhibit" and "localstate"
 *     (rdesktop's, written by qemu-keymap) change nothing in QEMU 7.2;
 *   - a keysym keeps at most four qnums, in file order.
 * QEMU finds WORDs with strstr() and ignores anything else on a line; here a
 * word outside that list, a missing or non-numeric or >0xff qnum, a NUL byte
 * or an overlong line is an error naming the file and line.
 */
#include "keymap.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xkbcommon/xkbcommon.h>

struct keymap_entry {
	uint32_t keysym;
	uint8_t count;
	uint16_t codes[KEYMAP_MAX_CODES]; /* qnum | KEYMAP_MOD_* << 8 */
};

/* One mapping as read; seq keeps file order through the sort. */
struct mapping {
	uint32_t keysym;
	uint32_t seq;
	uint16_t code;
};

struct parser {
	const char *path;
	unsigned int line;
	struct mapping *maps;
	size_t nr_maps, cap_maps;
	unsigned int unknown_names;
	char *err;
	size_t errlen;
};

#define QNUM(code) ((code) & 0xff)
#define MODS(code) ((unsigned int)(code) >> 8)

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error naming the file and line; returns -1. */
static int fail(struct parser *p, const char *fmt, ...)
{
	int at = snprintf(p->err, p->errlen, "%s:%u: ", p->path, p->line);
	va_list ap;

	if (at >= 0 && (size_t)at < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + at, p->errlen - (size_t)at, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int add_mapping(struct parser *p, uint32_t keysym, uint16_t code)
{
	if (p->nr_maps == p->cap_maps) {
		size_t cap = p->cap_maps ? p->cap_maps * 2 : 1024;
		struct mapping *maps;

		if (cap > KEYMAP_MAX_MAPPINGS)
			cap = KEYMAP_MAX_MAPPINGS;
		if (p->nr_maps >= cap)
			return fail(p, "more than %u key mappings", KEYMAP_MAX_MAPPINGS);
		maps = realloc(p->maps, cap * sizeof(*maps));
		if (!maps)
			return fail(p, "out of memory");
		p->maps = maps;
		p->cap_maps = cap;
	}
	p->maps[p->nr_maps].keysym = keysym;
	p->maps[p->nr_maps].seq = (uint32_t)p->nr_maps;
	p->maps[p->nr_maps].code = code;
	p->nr_maps++;
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* The next blank-separated word of *s, NUL-terminated in place; NULL at the end. */
static char *next_word(char **s)
{
	char *w = *s;

	while (is_space(*w))
		w++;
	if (!*w)
		return NULL;
	*s = w;
	while (**s && !is_space(**s))
		(*s)++;
	if (**s)
		*(*s)++ = '\0';
	return w;
}

static uint32_t keysym_from_name(const char *name)
{
	return xkb_keysym_from_name(name, XKB_KEYSYM_NO_FLAGS);
}

static int parse_line(struct parser *p, char *line)
{
	char *rest = line, *name, *num, *word, *end;
	char upper[KEYMAP_NAME_MAX + 1];
	unsigned int mods = 0;
	bool addupper = false;
	uint32_t keysym;
	long qnum;

	name = next_word(&rest);
	if (!name || name[0] == '#')
		return 0;
	if (!strcmp(name, "map"))
		return 0;
	if (!strcmp(name, "include"))
		return fail(p, "keymap include files are not supported (nor by QEMU 7.2)");
	if (strlen(name) > KEYMAP_NAME_MAX)
		return fail(p, "keysym name longer than %u bytes", KEYMAP_NAME_MAX);
	num = next_word(&rest);
	if (!num)
		return fail(p, "\"%s\" has no scancode: not a keymap line", name);
	errno = 0;
	qnum = strtol(num, &end, 0);
	if (errno || end == num || *end || qnum < 0 || qnum > 0xff)
		return fail(p, "scancode \"%s\" is not a number from 0 to 0xff", num);
	while ((word = next_word(&rest))) {
		if (word[0] == '#')
			break;
		if (!strcmp(word, "shift"))
			mods |= KEYMAP_MOD_SHIFT;
		else if (!strcmp(word, "altgr"))
			mods |= KEYMAP_MOD_ALTGR;
		else if (!strcmp(word, "ctrl"))
			mods |= KEYMAP_MOD_CTRL;
		else if (!strcmp(word, "addupper"))
			addupper = true;
		else if (strcmp(word, "numlock") && strcmp(word, "inhibit") &&
			 strcmp(word, "localstate"))
			return fail(p, "unknown modifier word \"%s\"", word);
	}

	keysym = keysym_from_name(name);
	if (keysym == XKB_KEY_NoSymbol) {
		p->unknown_names++;
		return 0;
	}
	if (add_mapping(p, keysym, (uint16_t)(qnum | mods << 8)))
		return -1;
	if (addupper) {
		/* QEMU upper-cases the name byte by byte (a -> A); a name that does not exist is skipped. */
		size_t i;

		for (i = 0; name[i]; i++)
			upper[i] = (char)toupper((unsigned char)name[i]);
		upper[i] = '\0';
		keysym = keysym_from_name(upper);
		if (keysym != XKB_KEY_NoSymbol &&
		    add_mapping(p, keysym, (uint16_t)(qnum | (mods | KEYMAP_MOD_SHIFT) << 8)))
			return -1;
	}
	return 0;
}

/* Reads one line into buf; 1 with a line, 0 at the end, -1 on error. */
static int read_line(struct parser *p, FILE *f, char *buf)
{
	size_t len = 0;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (c == '\0')
			return fail(p, "NUL byte: not a text file");
		if (len == KEYMAP_LINE_MAX)
			return fail(p, "line longer than %u bytes", KEYMAP_LINE_MAX);
		buf[len++] = (char)c;
	}
	if (ferror(f))
		return fail(p, "read error: %s", strerror(errno));
	if (c == EOF && len == 0)
		return 0;
	if (len && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	return 1;
}

static int cmp_mapping(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;

	if (x->keysym != y->keysym)
		return x->keysym < y->keysym ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Group the mappings by keysym, at most KEYMAP_MAX_CODES each, in file order. */
static int build(struct keymap *km, struct parser *p)
{
	size_t n = 0;

	qsort(p->maps, p->nr_maps, sizeof(*p->maps), cmp_mapping);
	km->entries = calloc(p->nr_maps, sizeof(*km->entries));
	if (!km->entries) {
		snprintf(p->err, p->errlen, "%s: out of memory", p->path);
		return -1;
	}
	for (size_t i = 0; i < p->nr_maps; i++) {
		struct keymap_entry *e = &km->entries[n ? n - 1 : 0];

		if (!n || e->keysym != p->maps[i].keysym) {
			e = &km->entries[n++];
			e->keysym = p->maps[i].keysym;
		}
		if (e->count < KEYMAP_MAX_CODES)
			e->codes[e->count++] = p->maps[i].code;
		else
			km->dropped++;
	}
	km->nr_entries = n;
	return 0;
}

static FILE *open_keymap(const char *path, char *err, size_t errlen)
{
	struct stat sb;
	FILE *f;
	int fd;

	/* O_NONBLOCK: a FIFO must not hang the caller; it is refused below anyway. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

int keymap_load(struct keymap *km, const char *name, char *err, size_t errlen)
{
	char path[4096], buf[KEYMAP_LINE_MAX + 1];
	struct parser p = { .path = path, .err = err, .errlen = errlen };
	FILE *f;
	int rc = -1, got;

	memset(km, 0, sizeof(*km));
	if (!name || !*name) {
		snprintf(err, errlen, "empty keymap name");
		return -1;
	}
	/* Names come from configuration; none may climb out of the keymap directory. */
	if (strstr(name, "..")) {
		snprintf(err, errlen, "keymap \"%s\": names with \"..\" are refused", name);
		return -1;
	}
	got = strchr(name, '/') ? snprintf(path, sizeof(path), "%s", name)
				: snprintf(path, sizeof(path), "%s/%s", KEYMAP_DIR, name);
	if (got < 0 || (size_t)got >= sizeof(path)) {
		snprintf(err, errlen, "keymap name too long");
		return -1;
	}
	f = open_keymap(path, err, errlen);
	if (!f)
		return -1;
	for (;;) {
		if (p.line == KEYMAP_MAX_LINES) {
			fail(&p, "more than %u lines", KEYMAP_MAX_LINES);
			goto out;
		}
		p.line++;
		got = read_line(&p, f, buf);
		if (got < 0)
			goto out;
		if (!got)
			break;
		if (parse_line(&p, buf))
			goto out;
	}
	km->lines = p.line - 1;
	if (!p.nr_maps) {
		snprintf(err, errlen, "%s: no key mappings: not a keymap", path);
		goto out;
	}
	km->unknown_names = p.unknown_names;
	rc = build(km, &p);
out:
	fclose(f);
	free(p.maps);
	if (rc)
		keymap_free(km);
	return rc;
}

void keymap_free(struct keymap *km)
{
	free(km->entries);
	memset(km, 0, sizeof(*km));
}

static const struct keymap_entry *find(const struct keymap *km, uint32_t keysym)
{
	size_t lo = 0, hi = km->nr_entries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (km->entries[mid].keysym == keysym)
			return &km->entries[mid];
		if (km->entries[mid].keysym < keysym)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint16_t keymap_lookup(const struct keymap *km, uint32_t keysym, unsigned int mods, bool down,
		       const struct keymap_held *held)
{
	const struct keymap_entry *e;

	/* vnc.c key_event: upper-case letters map as lower-case (the client sends Shift). */
	if (keysym >= 'A' && keysym <= 'Z')
		keysym += 'a' - 'A';
	if (keysym == XKB_KEY_ISO_Left_Tab)
		keysym = XKB_KEY_Tab;
	e = find(km, keysym);
	/*
	 * QEMU looks up every keysym's low 16 bits; that lets a Unicode keysym
	 * (0x01000000 + code point) find the legacy keysym of the same value.
	 */
	if (!e && (keysym & 0xff000000) == 0x01000000)
		e = find(km, keysym & 0xffff);
	if (!e)
		return 0;
	if (e->count == 1)
		return QNUM(e->codes[0]);
	mods &= KEYMAP_MOD_SHIFT | KEYMAP_MOD_ALTGR | KEYMAP_MOD_CTRL;
	for (unsigned int i = 0; i < e->count; i++) {
		if (down ? MODS(e->codes[i]) == mods
			 : held && keymap_held_test(held, QNUM(e->codes[i])))
			return QNUM(e->codes[i]);
	}
	return QNUM(e->codes[0]);
}

void keymap_held_set(struct keymap_held *h, uint16_t qnum, bool down)
{
	if (qnum >= 256)
		return;
	if (down)
		h->bits[qnum / 8] |= (uint8_t)(1u << (qnum % 8));
	else
		h->bits[qnum / 8] &= (uint8_t)~(1u << (qnum % 8));
}

bool keymap_held_test(const struct keymap_held *h, uint16_t qnum)
{
	return qnum < 256 && (h->bits[qnum / 8] >> (qnum % 8) & 1);
}

unsigned int keymap_held_mods(const struct keymap_held *h)
{
	unsigned int mods = 0;

	if (keymap_held_test(h, 0x2a) || keymap_held_test(h, 0x36))
		mods |= KEYMAP_MOD_SHIFT;
	if (keymap_held_test(h, 0xb8))
		mods |= KEYMAP_MOD_ALTGR;
	if (keymap_held_test(h, 0x1d) || keymap_held_test(h, 0x9d))
		mods |= KEYMAP_MOD_CTRL;
	return mods;
}

bool keymap_qnum_is_keypad(uint16_t qnum)
{
	return qnum >= 0x47 && qnum <= 0x53;
}

bool keymap_keysym_is_numlock(uint32_t keysym)
{
	return (keysym >= XKB_KEY_KP_0 && keysym <= XKB_KEY_KP_9) || keysym == XKB_KEY_KP_Separator ||
	       keysym == XKB_KEY_KP_Decimal;
}
