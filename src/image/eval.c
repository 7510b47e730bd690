/* The image rules (rules/image.def) over a read image: its config (User, Env PATH, ExposedPorts) and its
 * merged filesystem. Every finding names the layer that wrote the file it is about. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

enum {
#define BH_RULE(id, sym, ...) IMG_R_##sym = BH_RULE_##id - BH_RULES_IMAGE_FIRST,
#include "rules/image.def"
#undef BH_RULE
	IMG_R_N
};
static const struct bh_rule *const img_rules = &bh_rules[BH_RULES_IMAGE_FIRST];

static int emit(struct bh_findings *out, int rule, const char *field, const char *evidence, const char *msg)
{
	struct bh_finding *f = bh_emit(out, &img_rules[rule], img_rules[rule].sev, NULL, field, 0, 0, "%s", msg);
	if (!f)
		return out->oom ? -1 : 0;
	if (evidence && !(f->evidence = bh_arena_strndup(out->a, evidence, strlen(evidence))))
		return -1;
	return 0;
}

static void where(const struct bh_image *img, const struct bh_img_file *f, char *buf, size_t n)
{
	const struct bh_img_layer *l = &img->layers[f->layer];
	snprintf(buf, n, "layer %u/%u %s (%s), /%s, mode %04o, uid %u, gid %u", f->layer + 1, img->nlayers, l->digest,
		 l->where ? l->where : "?", f->path, f->mode & 07777, f->uid, f->gid);
}

/* uid of name in a passwd file's content, or -1 */
static long passwd_uid(const struct bh_img_file *pw, const char *name, size_t nlen)
{
	const char *s = pw && pw->content ? pw->content : NULL;
	while (s && *s) {
		const char *e = strchr(s, '\n');
		size_t ln = e ? (size_t)(e - s) : strlen(s);
		const char *c1 = memchr(s, ':', ln);
		const char *c2 = c1 ? memchr(c1 + 1, ':', ln - (size_t)(c1 + 1 - s)) : NULL;
		if (c1 && c2 && (size_t)(c1 - s) == nlen && !memcmp(s, name, nlen)) {
			char *end;
			long uid = strtol(c2 + 1, &end, 10);
			return end > c2 + 1 && *end == ':' ? uid : -1;
		}
		s = e ? e + 1 : NULL;
	}
	return -1;
}

static int user(const struct bh_image *img, struct bh_findings *out)
{
	char msg[512], ev[512];
	const char *u = img->user;
	size_t n = strcspn(u, ":");
	if (!n)
		return emit(out, IMG_R_ROOT_USER, "config.User", "config.User is empty",
			    "the image sets no user: its processes run as uid 0 unless the pod sets runAsUser");
	if (strspn(u, "0123456789") == n) {
		if (strtoul(u, NULL, 10) != 0)
			return 0;
		snprintf(msg, sizeof(msg), "the image runs as uid 0 (config.User \"%s\")", u);
		return emit(out, IMG_R_ROOT_USER, "config.User", u, msg);
	}
	const struct bh_img_file *pw = bh_img_lookup(img, "etc/passwd", true);
	long uid = passwd_uid(pw, u, n);
	if (uid >= 0)
		snprintf(ev, sizeof(ev), "config.User \"%s\"; /etc/passwd (layer %u/%u) maps \"%.*s\" to uid %ld", u,
			 pw->layer + 1, img->nlayers, (int)n, u, uid);
	else
		snprintf(ev, sizeof(ev), "config.User \"%s\"; %s", u,
			 pw ? "not in the image's /etc/passwd: the runtime cannot start it" : "the image has no /etc/passwd");
	if (uid == 0 || (uid < 0 && n == 4 && !memcmp(u, "root", 4))) {
		snprintf(msg, sizeof(msg), "the image runs as \"%.*s\", which is uid 0", (int)n, u);
		if (emit(out, IMG_R_ROOT_USER, "config.User", ev, msg))
			return -1;
	}
	snprintf(msg, sizeof(msg), "the image's user \"%s\" is a name: runAsNonRoot cannot verify it (%s)", u,
		 uid >= 0 ? (uid ? "non-root in this image" : "uid 0") : "unresolved");
	return emit(out, IMG_R_USER_NOT_NUMERIC, "config.User", ev, msg);
}

static int by_path(const void *a, const void *b)
{
	return strcmp((*(const struct bh_img_file *const *)a)->path, (*(const struct bh_img_file *const *)b)->path);
}

static const char *const capnames[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
	"LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
	"MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
	"CHECKPOINT_RESTORE",
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* vfs_cap_data (linux/capability.h): magic_etc, then {permitted, inheritable} per 32-bit word; v1 has one
 * word (12 bytes), v2 two (20), v3 two and a root uid (24). */
static void capstr(const struct bh_img_file *f, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	if (f->caplen < 12) {
		snprintf(buf, n, "malformed security.capability (%u bytes)", f->caplen);
		return;
	}
	uint32_t magic = le32(f->cap);
	uint64_t perm = le32(f->cap + 4);
	if (f->caplen >= 20 && (magic & 0xff000000u) >= 0x02000000u)
		perm |= (uint64_t)le32(f->cap + 12) << 32;
	for (unsigned i = 0; i < 64 && o + 32 < n; i++)
		if (perm & (1ull << i)) {
			if (i < sizeof(capnames) / sizeof(capnames[0]))
				o += (size_t)snprintf(buf + o, n - o, "%sCAP_%s", o ? "," : "", capnames[i]);
			else
				o += (size_t)snprintf(buf + o, n - o, "%scap_%u", o ? "," : "", i);
		}
	snprintf(buf + o, n - o, "%s%s", o ? "" : "(none)", (magic & 1) ? " (effective)" : "");
}

static int file_rules(const struct bh_image *img, struct bh_findings *out)
{
	const struct bh_img_file **v = malloc((img->nfiles + 1) * sizeof(*v));
	uint32_t n = 0;
	if (!v)
		return -1;
	for (uint32_t i = 0; i < img->tabcap; i++) {
		const struct bh_img_file *f = img->tab[i];
		if (f && !f->hidden && (f->type == 'f' || f->type == 'h') && ((f->mode & 06000) || f->cap))
			v[n++] = f;
	}
	qsort(v, n, sizeof(*v), by_path);
	int rc = 0;
	for (uint32_t i = 0; i < n && !rc; i++) {
		char ev[512], msg[1024], caps[400], field[4200];
		where(img, v[i], ev, sizeof(ev));
		snprintf(field, sizeof(field), "/%s", v[i]->path);
		if (v[i]->mode & 06000) {
			snprintf(msg, sizeof(msg), "/%s is %s%s%s (owner uid %u)", v[i]->path, v[i]->mode & 04000 ? "setuid" : "",
				 (v[i]->mode & 06000) == 06000 ? " and " : "", v[i]->mode & 02000 ? "setgid" : "", v[i]->uid);
			rc = emit(out, IMG_R_SETUID, field, ev, msg);
		}
		if (!rc && v[i]->cap) {
			capstr(v[i], caps, sizeof(caps));
			snprintf(msg, sizeof(msg), "/%s has file capabilities %s", v[i]->path, caps);
			rc = emit(out, IMG_R_FILE_CAPS, field, ev, msg);
		}
	}
	free(v);
	return rc;
}

static const char *const bindirs[] = {"bin", "usr/bin", "sbin", "usr/sbin", "usr/local/bin", "usr/local/sbin"};
static const char *const shells[] = {"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"};
static const char *const pkgmgrs[] = {"apt", "apt-get", "dpkg", "apk", "yum", "dnf", "microdnf", "rpm", "zypper", "pip", "pip3"};

static int programs(const struct bh_image *img, struct bh_findings *out, const char *const *names, size_t nn,
		    int rule, const char *what)
{
	const struct bh_img_file *seen[64];
	size_t ns = 0;
	for (size_t d = 0; d < sizeof(bindirs) / sizeof(bindirs[0]); d++)
		for (size_t i = 0; i < nn; i++) {
			char p[128], ev[600], msg[300];
			snprintf(p, sizeof(p), "%s/%s", bindirs[d], names[i]);
			const struct bh_img_file *f = bh_img_lookup(img, p, true);
			bool dup = false;
			for (size_t k = 0; k < ns; k++)
				dup |= seen[k] == f;
			if (!f || dup || (f->type != 'f' && f->type != 'h') || ns == 64)
				continue;
			seen[ns++] = f;
			where(img, f, ev, sizeof(ev));
			snprintf(msg, sizeof(msg), "%s /%s is present (%s)", what, p, names[i]);
			snprintf(p, sizeof(p), "/%s/%s", bindirs[d], names[i]);
			if (emit(out, rule, p, ev, msg))
				return -1;
		}
	return 0;
}

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int path_dirs(const struct bh_image *img, struct bh_findings *out)
{
	const char *s = img->path_env ? img->path_env : DEFAULT_PATH;
	const struct bh_img_file *seen[64];
	size_t ns = 0;
	while (*s && ns < 64) {
		size_t n = strcspn(s, ":");
		char dir[1024], ev[600], msg[1200];
		snprintf(dir, sizeof(dir), "%.*s", (int)(n < 1000 ? n : 1000), s);
		s += n + (s[n] == ':');
		const struct bh_img_file *f = bh_img_lookup(img, dir, true);
		bool dup = false;
		for (size_t k = 0; k < ns; k++)
			dup |= seen[k] == f;
		if (!f || dup || f->type != 'd' || !(f->mode & 0002))
			continue;
		seen[ns++] = f;
		where(img, f, ev, sizeof(ev));
		snprintf(msg, sizeof(msg), "PATH directory %s is world-writable (mode %04o%s)", dir, f->mode & 07777,
			 f->mode & 01000 ? ", sticky: others cannot replace files, anyone can add them" : "");
		if (emit(out, IMG_R_WRITABLE_PATH, "config.Env.PATH", ev, msg))
			return -1;
	}
	return 0;
}

static int ports(const struct bh_image *img, struct bh_findings *out)
{
	for (uint32_t i = 0; i < img->nports; i++) {
		char msg[300];
		snprintf(msg, sizeof(msg), "the image exposes port %.200s", img->ports[i]);
		if (emit(out, IMG_R_EXPOSED_PORT, "config.ExposedPorts", img->ports[i], msg))
			return -1;
	}
	return 0;
}

int bh_image_evaluate(const struct bh_image *img, struct bh_findings *out)
{
	if (user(img, out) || file_rules(img, out) ||
	    programs(img, out, shells, sizeof(shells) / sizeof(shells[0]), IMG_R_SHELL, "shell") ||
	    programs(img, out, pkgmgrs, sizeof(pkgmgrs) / sizeof(pkgmgrs[0]), IMG_R_PKG_MANAGER, "package manager") ||
	    path_dirs(img, out) || ports(img, out))
		return errno = ENOMEM, -1;
	return 0;
}

int bh_image_sig_finding(const struct bh_img_sigres *res, const char *digest, struct bh_findings *out)
{
	char msg[700], ev[900];
	int rule = res->v == BH_SIG_VALID ? IMG_R_SIG_VALID : res->v == BH_SIG_UNSIGNED ? IMG_R_UNSIGNED : IMG_R_SIG_INVALID;
	static const char *const verdict[] = {"valid", "unsigned", "invalid", "digest mismatch"};
	if (res->v == BH_SIG_VALID)
		snprintf(msg, sizeof(msg), "the signature of %s verifies with %s", digest, res->key);
	else
		snprintf(msg, sizeof(msg), "signature of %s: %s: %s", digest, verdict[res->v], res->why);
	snprintf(ev, sizeof(ev), "verdict %s; signature tag %s; payload identity %s", verdict[res->v], res->tag,
		 res->identity[0] ? res->identity : "-");
	return emit(out, rule, "signature", ev, msg);
}
