#include "kver.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int read_uint(const char **p, unsigned *out)
{
	const char *s = *p;
	unsigned long v = 0;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 0xffffffUL)
			return -EINVAL;
		s++;
	}
	*out = (unsigned)v;
	*p = s;
	return 0;
}

int bh_ver_parse(const char *s, struct bh_ver *v, const char **end)
{
	memset(v, 0, sizeof(*v));
	if (!s)
		return -EINVAL;
	if (*s == 'v')
		s++;
	const char *p = s;
	if (read_uint(&p, &v->n[0]))
		return -EINVAL;
	for (int i = 1; i < 3 && *p == '.' && isdigit((unsigned char)p[1]); i++) {
		p++;
		read_uint(&p, &v->n[i]);
	}
	/* "-rc3", "-rc.3", "~rc3" (Debian spelling of a pre-release) */
	if ((*p == '-' || *p == '~') && !strncmp(p + 1, "rc", 2)) {
		const char *q = p + 3;
		if (*q == '.')
			q++;
		if (!read_uint(&q, &v->pre) && v->pre > 0)
			p = q;
		else
			v->pre = 0;
	} else if (*p == '-' && isdigit((unsigned char)p[1])) {
		/* distribution build / ABI number: "5.10.0-28-amd64", "4.18.0-513.el8", "6.2.0-26" */
		const char *q = p + 1;
		if (!read_uint(&q, &v->abi))
			p = q;
	}
	if (end)
		*end = p;
	return 0;
}

int bh_ver_cmp(const struct bh_ver *a, const struct bh_ver *b)
{
	for (int i = 0; i < 3; i++)
		if (a->n[i] != b->n[i])
			return a->n[i] < b->n[i] ? -1 : 1;
	if (a->pre == b->pre)
		return 0;
	if (!a->pre)
		return 1;  /* release after its candidates */
	if (!b->pre)
		return -1;
	return a->pre < b->pre ? -1 : 1;
}

int bh_ver_cmp_abi(const struct bh_ver *a, const struct bh_ver *b)
{
	int c = bh_ver_cmp(a, b);
	if (c)
		return c;
	return a->abi == b->abi ? 0 : a->abi < b->abi ? -1 : 1;
}

bool bh_ver_same_branch(const struct bh_ver *a, const struct bh_ver *b)
{
	return a->n[0] == b->n[0] && a->n[1] == b->n[1];
}

const char *bh_ver_str(const struct bh_ver *v, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%u.%u.%u", v->n[0], v->n[1], v->n[2]);
	if (n > 0 && (size_t)n < len && v->pre)
		n += snprintf(buf + n, len - (size_t)n, "-rc%u", v->pre);
	if (n > 0 && (size_t)n < len && v->abi)
		snprintf(buf + n, len - (size_t)n, "-%u", v->abi);
	return buf;
}

static const char *const distro_names[] = {
	[BH_DISTRO_UPSTREAM] = "upstream",   [BH_DISTRO_DEBIAN] = "debian", [BH_DISTRO_UBUNTU] = "ubuntu",
	[BH_DISTRO_RHEL] = "rhel",           [BH_DISTRO_ORACLE_UEK] = "oracle-uek",
	[BH_DISTRO_AMAZON] = "amazon-linux", [BH_DISTRO_SUSE] = "suse",     [BH_DISTRO_FEDORA] = "fedora",
	[BH_DISTRO_FLATCAR] = "flatcar",     [BH_DISTRO_COS] = "cos",
};

const char *bh_distro_name(enum bh_distro d)
{
	return (unsigned)d < sizeof(distro_names) / sizeof(distro_names[0]) ? distro_names[d] : "unknown";
}

const char *bh_distro_confirm(enum bh_distro d, const char *cve, char *buf, size_t len)
{
	switch (d) {
	case BH_DISTRO_DEBIAN:
		snprintf(buf, len, "https://security-tracker.debian.org/tracker/%s, or "
			 "zgrep %s /usr/share/doc/linux-image-$(uname -r)/changelog.Debian.gz on the node", cve, cve);
		break;
	case BH_DISTRO_UBUNTU:
		snprintf(buf, len, "https://ubuntu.com/security/%s, or "
			 "apt changelog linux-image-$(uname -r) | grep %s on the node", cve, cve);
		break;
	case BH_DISTRO_RHEL:
	case BH_DISTRO_ORACLE_UEK:
	case BH_DISTRO_FEDORA:
		snprintf(buf, len, "https://access.redhat.com/security/cve/%s (or the rebuild's errata), or "
			 "rpm -q --changelog kernel-$(uname -r) | grep %s on the node", cve, cve);
		break;
	case BH_DISTRO_AMAZON:
		snprintf(buf, len, "https://explore.alas.aws.amazon.com/%s.html", cve);
		break;
	case BH_DISTRO_SUSE:
		snprintf(buf, len, "https://www.suse.com/security/cve/%s.html, or "
			 "rpm -q --changelog kernel-default | grep %s on the node", cve, cve);
		break;
	default:
		snprintf(buf, len, "the kernel vendor's advisory for %s", cve);
		break;
	}
	return buf;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* Flavour suffixes of the two distributions that both spell releases "X.Y.0-ABI-FLAVOUR". */
static const char *const debian_flavours[] = {
	"amd64", "arm64", "armmp", "armmp-lpae", "686", "686-pae", "cloud-amd64", "cloud-arm64", "rt-amd64",
	"rt-arm64", "rt-686-pae", "powerpc64le", "s390x", "loong64", "riscv64", "marvell", "rpi", NULL,
};
static const char *const ubuntu_flavours[] = {
	"generic", "generic-64k", "generic-lpae", "lowlatency", "lowlatency-64k", "aws", "azure", "azure-fde",
	"gcp", "gke", "gkeop", "oracle", "kvm", "ibm", "raspi", "nvidia", "nvidia-64k", "intel-iotg", "oem",
	"realtime", "virtual", "xilinx-zynqmp", "fips", "aws-fips", "azure-cvm", NULL,
};

static bool has_el_tag(const char *s, const char **uek)
{
	for (const char *p = strstr(s, ".el"); p; p = strstr(p + 1, ".el"))
		if (isdigit((unsigned char)p[3])) {
			*uek = strstr(p, "uek");
			return true;
		}
	return false;
}

static bool has_fc_tag(const char *s)
{
	for (const char *p = strstr(s, ".fc"); p; p = strstr(p + 1, ".fc"))
		if (isdigit((unsigned char)p[3]))
			return true;
	return false;
}

/* "Linux version 5.10.0-28-amd64 (debian-kernel@lists.debian.org) … Debian 5.10.209-2 (2024-01-31)" */
static bool banner_debian_level(const char *pv, const struct bh_ver *rel, struct bh_ver *out)
{
	/* the compiler's version ("gcc-10 (Debian 10.2.1-6)") also follows "Debian ": take the kernel's branch */
	for (const char *p = strstr(pv, "Debian "); p; p = strstr(p + 1, "Debian ")) {
		const char *end;
		struct bh_ver v;
		if (!bh_ver_parse(p + 7, &v, &end) && v.n[2] && bh_ver_same_branch(&v, rel)) {
			*out = v;
			out->abi = 0;
			return true;
		}
	}
	return false;
}

/* /proc/version_signature: "Ubuntu 5.15.0-91.101-generic 5.15.131" — the last word is the upstream base. */
static bool signature_ubuntu_level(const char *sig, struct bh_ver *out)
{
	if (strncmp(sig, "Ubuntu ", 7))
		return false;
	const char *last = NULL;
	for (const char *p = sig; *p; p++)
		if (*p == ' ' && isdigit((unsigned char)p[1]))
			last = p + 1;
	struct bh_ver v;
	if (!last || bh_ver_parse(last, &v, NULL) || last == sig + 7)
		return false;
	*out = v;
	return true;
}

/* The distribution from the release's suffix ("rest": what follows the version, "fl": the flavour). */
static void detect_vendor(struct bh_kernel *k, const char *rest)
{
	const char *uek = NULL;
	if (has_el_tag(rest, &uek)) {
		k->distro = uek ? BH_DISTRO_ORACLE_UEK : BH_DISTRO_RHEL;
		/* RHEL freezes X.Y.0 and back-ports; UEK carries a real upstream level */
		k->exact = uek != NULL;
		k->backports = true;
	} else if (strstr(rest, "amzn")) {
		k->distro = BH_DISTRO_AMAZON;
		k->backports = true;
	} else if (has_fc_tag(rest)) {
		k->distro = BH_DISTRO_FEDORA;
	} else if (strstr(rest, "flatcar")) {
		k->distro = BH_DISTRO_FLATCAR;
	} else if (!strcmp(rest, "+") && !k->ver.pre) {
		k->distro = BH_DISTRO_COS;
	} else if (k->ver.abi >= 100000 || strstr(rest, "-default")) {
		/* SUSE: "5.14.21-150500.55.39-default" — the ABI number encodes the service pack */
		k->distro = BH_DISTRO_SUSE;
		k->exact = false;
		k->backports = true;
	}
}

/* "X.Y.0-ABI-FLAVOUR": Debian or Ubuntu; the flavour decides, then the banner */
static void detect_debian_ubuntu(struct bh_kernel *k, const char *rest, const char *fl, const char *proc_version,
				 const char *version_signature)
{
	if (k->distro != BH_DISTRO_UPSTREAM || !k->ver.abi || k->ver.n[2] != 0)
		return;
	bool deb = strstr(rest, "deb") != NULL || in_list(fl, debian_flavours);
	bool ubu = in_list(fl, ubuntu_flavours);
	if (!deb && !ubu && proc_version) {
		deb = strstr(proc_version, "Debian") != NULL;
		ubu = strstr(proc_version, "Ubuntu") != NULL;
	}
	if (version_signature && !strncmp(version_signature, "Ubuntu ", 7))
		ubu = true, deb = false;
	if (ubu || deb) {
		k->distro = ubu ? BH_DISTRO_UBUNTU : BH_DISTRO_DEBIAN;
		k->exact = false;
		k->backports = true;
	}
}

/* The real upstream level of Debian and Ubuntu kernels is in their banners. */
static void upstream_from_banner(struct bh_kernel *k, const char *proc_version, const char *version_signature)
{
	struct bh_ver up;
	if (k->distro == BH_DISTRO_DEBIAN && proc_version && banner_debian_level(proc_version, &k->ver, &up)) {
		k->ver.n[2] = up.n[2];
		k->exact = true;
		snprintf(k->upstream_from, sizeof(k->upstream_from), "/proc/version (Debian %u.%u.%u)", up.n[0],
			 up.n[1], up.n[2]);
	} else if (k->distro == BH_DISTRO_UBUNTU && version_signature &&
		   signature_ubuntu_level(version_signature, &up) && bh_ver_same_branch(&up, &k->ver)) {
		k->ver.n[2] = up.n[2];
		k->exact = true;
		snprintf(k->upstream_from, sizeof(k->upstream_from), "/proc/version_signature (base %u.%u.%u)",
			 up.n[0], up.n[1], up.n[2]);
	}
}

int bh_kernel_parse(struct bh_kernel *k, const char *release, const char *proc_version,
		    const char *version_signature, struct bh_err *err)
{
	memset(k, 0, sizeof(*k));
	if (!release)
		return bh_err_set(err, -EINVAL, 0, 0, "no kernel release");
	size_t rl = strcspn(release, "\r\n");
	if (rl == 0 || rl >= sizeof(k->release))
		return bh_err_set(err, -EINVAL, 0, 0, "kernel release is empty or too long");
	memcpy(k->release, release, rl);
	const char *rest;
	if (bh_ver_parse(k->release, &k->ver, &rest) || k->ver.n[0] < 2)
		return bh_err_set(err, -EINVAL, 0, 0, "kernel release '%s' does not start with a version",
				  k->release);
	const char *fl = rest;
	while (*fl == '-' || *fl == '.' || *fl == '+')
		fl++;
	snprintf(k->flavour, sizeof(k->flavour), "%s", fl);
	k->rel = k->ver;
	k->exact = true;
	detect_vendor(k, rest);
	detect_debian_ubuntu(k, rest, fl, proc_version, version_signature);
	upstream_from_banner(k, proc_version, version_signature);
	return 0;
}
