/* Written from the specifications, not from dpkg's or rpm's code: Debian Policy §5.6.12 (the comparison
 * of non-digit and digit runs, with '~' lowest and letters before other characters) and the rpm
 * documentation of rpmvercmp (alternating alphabetic and numeric segments, numeric newer than alphabetic,
 * '~' lower than anything). */
#include "pkgver.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* the weight of one character in a non-digit run (Policy: '~' < end < letters < everything else) */
static int dpkg_order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	return c ? c + 256 : 0;
}

static int dpkg_part(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		int first = 0;
		while ((a < ae && !isdigit((unsigned char)*a)) || (b < be && !isdigit((unsigned char)*b))) {
			int ca = a < ae ? dpkg_order((unsigned char)*a) : 0;
			int cb = b < be ? dpkg_order((unsigned char)*b) : 0;
			if (ca != cb)
				return ca - cb;
			a += a < ae;
			b += b < be;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && isdigit((unsigned char)*a) && b < be && isdigit((unsigned char)*b)) {
			if (!first)
				first = *a - *b;
			a++;
			b++;
		}
		if (a < ae && isdigit((unsigned char)*a))
			return 1;
		if (b < be && isdigit((unsigned char)*b))
			return -1;
		if (first)
			return first;
	}
	return 0;
}

struct evr {
	unsigned long epoch;
	const char *v, *ve, *r, *re;
};

static void split(const char *s, struct evr *o)
{
	const char *colon = strchr(s, ':');
	o->epoch = 0;
	if (colon && colon > s && strspn(s, "0123456789") == (size_t)(colon - s)) {
		o->epoch = strtoul(s, NULL, 10);
		s = colon + 1;
	}
	const char *dash = strrchr(s, '-');
	o->v = s;
	o->ve = dash ? dash : s + strlen(s);
	o->r = dash ? dash + 1 : o->ve;
	o->re = dash ? s + strlen(s) : o->ve;
}

int bh_dpkg_vercmp(const char *a, const char *b)
{
	struct evr x, y;
	split(a, &x);
	split(b, &y);
	if (x.epoch != y.epoch)
		return x.epoch < y.epoch ? -1 : 1;
	int c = dpkg_part(x.v, x.ve, y.v, y.ve);
	return c ? c : dpkg_part(x.r, x.re, y.r, y.re);
}

static int rpm_segment(const char **pa, const char *ae, const char **pb, const char *be)
{
	const char *a = *pa, *b = *pb;
	bool num = isdigit((unsigned char)*a);
	const char *sa = a, *sb = b;
	while (a < ae && (num ? isdigit((unsigned char)*a) : isalpha((unsigned char)*a)))
		a++;
	while (b < be && (num ? isdigit((unsigned char)*b) : isalpha((unsigned char)*b)))
		b++;
	*pa = a;
	*pb = b;
	if (sb == b)
		return num ? 1 : -1; /* a numeric segment is newer than an alphabetic one */
	if (num) {
		while (*sa == '0' && sa + 1 < a)
			sa++;
		while (*sb == '0' && sb + 1 < b)
			sb++;
		if (a - sa != b - sb)
			return a - sa < b - sb ? -1 : 1;
	}
	size_t la = (size_t)(a - sa), lb = (size_t)(b - sb);
	int c = strncmp(sa, sb, la < lb ? la : lb);
	return c ? c : la == lb ? 0 : la < lb ? -1 : 1;
}

static int rpm_part(const char *a, const char *ae, const char *b, const char *be)
{
	for (;;) {
		while (a < ae && !isalnum((unsigned char)*a) && *a != '~')
			a++;
		while (b < be && !isalnum((unsigned char)*b) && *b != '~')
			b++;
		bool ta = a < ae && *a == '~', tb = b < be && *b == '~';
		if (ta || tb) {
			if (!(ta && tb))
				return ta ? -1 : 1;
			a++;
			b++;
			continue;
		}
		if (a >= ae || b >= be)
			return a < ae ? 1 : b < be ? -1 : 0;
		int c = rpm_segment(&a, ae, &b, be);
		if (c)
			return c;
	}
}

int bh_rpm_vercmp(const char *a, const char *b)
{
	struct evr x, y;
	split(a, &x);
	split(b, &y);
	if (x.epoch != y.epoch)
		return x.epoch < y.epoch ? -1 : 1;
	int c = rpm_part(x.v, x.ve, y.v, y.ve);
	return c ? c : rpm_part(x.r, x.re, y.r, y.re);
}

int bh_pkg_vercmp(const char *distro, const char *a, const char *b)
{
	if (distro && (!strcmp(distro, "debian") || !strcmp(distro, "ubuntu")))
		return bh_dpkg_vercmp(a, b);
	return bh_rpm_vercmp(a, b);
}
