/* Reading an image: the spec names the source, the source fills the image, the layers' whiteouts are
 * applied at the end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image.h"

int bh_image_read(struct bh_image *img, const char *spec, const struct bh_img_opts *o, struct bh_err *err)
{
	static const struct bh_img_opts none = {0};
	o = o ? o : &none;
	memset(img, 0, sizeof(*img));
	img->lim = o->lim ? o->lim : &bh_img_default_limits;
	img->spec = spec;
	bh_arena_init(&img->arena, img->lim->max_memory);
	int rc;
	struct stat st;
	if (!strncmp(spec, "oci:", 4))
		rc = bh_img_read_oci(img, spec + 4, o, err);
	else if (!strncmp(spec, "docker://", 9))
		rc = bh_img_read_registry(img, spec + 9, o, err);
	else if (!strncmp(spec, "docker-archive:", 15))
		rc = bh_img_read_docker(img, spec + 15, o, err);
	else if (stat(spec, &st))
		rc = bh_err_set(err, -errno, 0, 0, "%s: %s", spec, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		rc = bh_img_read_oci(img, spec, o, err);
	else
		rc = bh_img_read_docker(img, spec, o, err);
	if (rc) {
		bh_image_release(img);
		return -1;
	}
	bh_img_fs_finish(img);
	return 0;
}

void bh_image_release(struct bh_image *img)
{
	if (!img)
		return;
	free(img->tab);
	free(img->wh);
	img->tab = img->wh = NULL;
	img->tabcap = img->whcap = 0;
	bh_arena_release(&img->arena);
}
