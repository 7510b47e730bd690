/* Distribution package version ordering, so that a distribution's own fixed version can be compared with
 * the installed package: dpkg's (Debian Policy §5.6.12, "Version") and rpm's (rpmvercmp, EVR). */
#ifndef BH_PKGVER_H
#define BH_PKGVER_H

/* dpkg order of "[epoch:]upstream[-revision]": <0, 0, >0. '~' sorts before everything, even the end. */
int bh_dpkg_vercmp(const char *a, const char *b);
/* rpm order of "[epoch:]version[-release]" (segments of digits or letters; '~' sorts first). */
int bh_rpm_vercmp(const char *a, const char *b);
/* Dispatch on the package format of a distribution name ("debian", "ubuntu" → dpkg; else rpm). */
int bh_pkg_vercmp(const char *distro, const char *a, const char *b);

#endif
