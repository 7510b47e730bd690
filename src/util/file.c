/* Whole-file reads with a size cap: configs, certificates, stdin. (Manifests go through bh_map_file.) */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "map.h"

int bh_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return -errno;
	int rc = bh_read_fd(fd, max, buf, len);
	if (fd != 0)
		close(fd);
	return rc;
}
