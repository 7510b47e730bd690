/* bulkhead image — read images (OCI layouts, docker save archives), verify every blob's digest, and
 * report what they carry: root user, setuid files, file capabilities, shells, package managers,
 * world-writable PATH directories, exposed ports. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fnmatch.h>

#include "cmd.h"
#include "config/config.h"
#include "image/image.h"
#include "report/report.h"

static const char image_help[] =
	"usage: bulkhead image [OPTIONS] IMAGE...\n"
	"\n"
	"Reads container images from disk and reports what they carry that widens an escape: the user the image\n"
	"runs as (root? a name runAsNonRoot cannot verify? resolved through the image's own /etc/passwd),\n"
	"setuid/setgid files, file capabilities (security.capability), shells and package managers (not\n"
	"minimal), world-writable directories on PATH, exposed ports. Every finding names the layer (digest) and\n"
	"the path. Every blob (index, manifest, config, layers) is verified against its sha256 digest while it\n"
	"is read; layers are streamed through libarchive (gzip, zstd, xz, bzip2), never extracted, with the\n"
	"whiteouts and opaque directories of later layers applied.\n"
	"\n"
	"IMAGE is oci:DIR (an OCI image layout), docker-archive:FILE (a `docker save` tar),\n"
	"docker://HOST/REPOSITORY[:TAG|@DIGEST] (a registry, OCI distribution API over HTTPS: anonymous, Bearer\n"
	"token or Basic authentication with credentials from a docker config.json), or a PATH (a directory is\n"
	"read as an OCI layout, a file as a docker archive).\n"
	"\n"
	"options:\n"
	"  --format FORMAT         text (default), json, sarif, junit, policyreport\n"
	"  --platform OS/ARCH      the manifest to read from an index with several (default linux/amd64)\n"
	"  --registry-ca FILE      CA certificates (PEM) to verify registries with (default: the system's)\n"
	"  --docker-config FILE    registry credentials (default $DOCKER_CONFIG/config.json, ~/.docker/config.json)\n"
	"  --plain-http            talk to registries over http:// (a test registry on loopback; never in production)\n"
	"  --verify                verify cosign-style signatures of docker:// images against the keys the config's\n"
	"                          imageSignatures section lists for their repository (BH0308-BH0310)\n"
	"  --key FILE              a PEM public key (ECDSA P-256 or Ed25519) every docker:// image must be signed\n"
	"                          with (repeatable; implies --verify)\n"
	"  --config FILE           the config (default: $BULKHEAD_CONFIG, .bulkhead.yaml here or at the git root)\n"
	"  --max-unpacked BYTES    stop when the layers unpack to more than BYTES (default 32 GiB): a bound on\n"
	"                          decompression bombs, checked against each entry's size before it is read\n"
	"  --fail-on SEVERITY      exit 1 when a finding is at or above SEVERITY:\n"
	"                          critical, high (default), medium, low, info, none\n"
	"  -h, --help              this help\n"
	"\n"
	"Findings' object is {\"kind\": \"Image\", \"name\": IMAGE}; their \"evidence\" names the layer and path.\n"
	"An image that cannot be read (hostile paths, digest mismatch, truncated or oversized layers) is an error\n"
	"in \"errors\"; the other images are still reported.\n"
	"exit codes: 0 nothing at or above the fail level, 1 findings at or above it, 2 usage or input error\n";

struct image_args {
	int format, fail_on;
	struct bh_img_opts o;
	struct bh_img_limits lim;
	bool verify;
	const char *config;
	const char *keys[16];    /* --key: for every registry image */
	size_t nkeys;
	struct bh_config *cfg;
};

static int parse_args(int argc, char **argv, struct image_args *a)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'}, {"platform", required_argument, NULL, 'p'},
		{"fail-on", required_argument, NULL, 'F'}, {"max-unpacked", required_argument, NULL, 'U'},
		{"registry-ca", required_argument, NULL, 'C'}, {"docker-config", required_argument, NULL, 'D'},
		{"plain-http", no_argument, NULL, 'P'}, {"verify", no_argument, NULL, 'V'},
		{"key", required_argument, NULL, 'K'}, {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	bool json = bh_cli_json_asked(argc, argv);
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (bh_cli_format("image", optarg, BH_FMT_ALL, &a->format))
				return 2;
			break;
		case 'p': a->o.platform = optarg; break;
		case 'C': a->o.registry_ca = optarg; break;
		case 'D': a->o.docker_config = optarg; break;
		case 'P': a->o.plain_http = true; break;
		case 'V': a->verify = true; break;
		case 'c': a->config = optarg; break;
		case 'K':
			if (a->nkeys == 16)
				return bh_cli_error("image", json, "at most 16 --key options");
			a->keys[a->nkeys++] = optarg;
			a->verify = true;
			break;
		case 'U': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (end == optarg || *end || !v)
				return bh_cli_error("image", json, "--max-unpacked '%s': expected a number of bytes", optarg);
			a->lim.max_unpacked = v;
			break;
		}
		case 'F':
			if ((a->fail_on = bh_sev_parse(optarg)) < 0)
				return bh_cli_error("image", json, "unknown --fail-on '%s' (critical, high, medium, low, info, none)",
						    optarg);
			break;
		case 'h': fputs(image_help, stdout); return 0;
		default:
			return bh_cli_error("image", json, "unknown option '%s' (see bulkhead image --help)", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bh_cli_error("image", json, "no image given (see bulkhead image --help)");
	return -1;
}

/* The keys for a registry image: --key, else the config's imageSignatures entries matching HOST/REPOSITORY. */
static size_t keys_for(const struct image_args *a, const char *ref, const char **out, size_t max)
{
	if (a->nkeys) {
		memcpy(out, a->keys, a->nkeys * sizeof(*out));
		return a->nkeys;
	}
	char repo[600];
	snprintf(repo, sizeof(repo), "%s", ref);
	repo[strcspn(repo, "@")] = 0;
	char *slash = strrchr(repo, '/'), *colon = slash ? strchr(slash, ':') : NULL;
	if (colon)
		*colon = 0;
	size_t n = 0;
	for (size_t i = 0; a->cfg && i < a->cfg->nimage_keys; i++)
		if (!fnmatch(a->cfg->image_keys[i].repository, repo, 0))
			for (size_t k = 0; k < a->cfg->image_keys[i].nkeys && n < max; k++)
				out[n++] = a->cfg->image_keys[i].keys[k];
	return n;
}

/* Verifies a registry image's signature and appends its finding; an error message, or NULL. */
static const char *verify(const struct image_args *a, const char *spec, const struct bh_image *img,
			  struct bh_findings *fs)
{
	const char *keys[64];
	if (strncmp(spec, "docker://", 9))
		return "signatures are verified for docker:// images only";
	size_t n = keys_for(a, spec + 9, keys, 64);
	if (!n)
		return NULL; /* no key configured for this repository: no opinion */
	struct bh_img_sigres res;
	struct bh_err err = {0};
	if (bh_img_cosign(spec + 9, img->manifest_digest, keys, n, &a->o, &res, &err))
		return bh_arena_strndup(fs->a, err.msg, strlen(err.msg));
	return bh_image_sig_finding(&res, img->manifest_digest, fs) ? "out of memory" : NULL;
}

static void summary(const struct bh_image *img)
{
	fprintf(stderr, "bulkhead image: %s: %s, %u layers, %u files, %.1f MB stored, %.1f MB unpacked, config %s\n",
		img->spec, img->kind, img->nlayers, img->entries, img->bytes_stored / 1e6, img->bytes_unpacked / 1e6,
		img->config_digest);
}

int cmd_image(int argc, char **argv)
{
	struct image_args a = {.format = BH_FMT_TEXT, .fail_on = BH_SEV_HIGH, .lim = bh_img_default_limits};
	a.o.lim = &a.lim;
	int rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	int n = argc - optind;
	if (a.verify && !a.nkeys && (rc = bh_cli_config("image", a.format == BH_FMT_JSON, a.config, &a.cfg)))
		return rc;
	struct bh_arena arena;
	bh_arena_init(&arena, 256u << 20);
	struct bh_findings fs;
	bh_findings_init(&fs, &arena);
	fs.max = 100000;
	struct bh_input_error *errs = calloc((size_t)n, sizeof(*errs));
	struct bh_objref *objs = calloc((size_t)n, sizeof(*objs));
	size_t nerr = 0, nobj = 0;
	for (int i = 0; errs && objs && i < n; i++) {
		const char *spec = argv[optind + i];
		struct bh_image img;
		struct bh_err err = {0};
		objs[nobj] = (struct bh_objref){.kind = "Image", .name = spec, .file = spec};
		if (bh_image_read(&img, spec, &a.o, &err)) {
			errs[nerr++] = (struct bh_input_error){.file = spec, .message = bh_arena_strndup(&arena, err.msg, strlen(err.msg))};
			continue;
		}
		if (a.format == BH_FMT_TEXT)
			summary(&img);
		fs.cur = objs[nobj++];
		const char *verr = NULL;
		if (bh_image_evaluate(&img, &fs))
			errs[nerr++] = (struct bh_input_error){.file = spec, .message = "out of memory while evaluating"};
		else if (a.verify && (verr = verify(&a, spec, &img, &fs)))
			errs[nerr++] = (struct bh_input_error){.file = spec, .message = verr};
		bh_image_release(&img);
	}
	int exit_code;
	if (!errs || !objs) {
		exit_code = bh_cli_error("image", a.format == BH_FMT_JSON, "out of memory");
	} else {
		struct bh_report r = {.command = "image", .findings = &fs, .errors = errs, .nerrors = nerr,
				      .files = (size_t)n, .objects = nobj, .objlist = objs, .nobjlist = nobj};
		r.color = a.format == BH_FMT_TEXT && isatty(1) && !getenv("NO_COLOR");
		bh_report_write(stdout, a.format, &r);
		exit_code = nerr ? 2 : 0;
		for (size_t i = 0; !exit_code && a.fail_on != BH_SEV_NONE && i < fs.n; i++)
			if ((int)fs.v[i].sev >= a.fail_on)
				exit_code = 1;
		if (fflush(stdout))
			exit_code = 2;
	}
	free(errs);
	free(objs);
	bh_config_free(a.cfg);
	bh_findings_release(&fs);
	bh_arena_release(&arena);
	return exit_code;
}
