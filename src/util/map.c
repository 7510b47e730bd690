/* Inputs as bytes: map regular files, read everything else once.
 *
 * Why not simply read() every file: a large input is cut into slices that workers parse in parallel,
 * and the pages behind each parser are dropped (madvise), so a 200 MB stream costs the memory of its
 * largest document; a read copy would cost the whole file. The price of a mapping is SIGBUS when the
 * file shrinks while it is read (mmap(2): "Attempted access to a portion of the buffer that does not
 * correspond to the file"). A SIGBUS handler replaces the pages from the fault to the end of that
 * mapping with zero pages (mmap MAP_FIXED, a plain system call, safe in a handler) and marks the
 * mapping truncated: the decoder meets NUL bytes, reports them, and the caller says the file changed. */
#include "map.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Live mappings. Fixed slots, never freed, so the handler can read them without locks; a mapping that
 * finds no free slot is read instead. */
struct bh_map_guard {
	_Atomic uintptr_t start, end; /* start 0: slot not armed */
	atomic_int used, truncated;
};

#define NGUARDS 256
static struct bh_map_guard guards[NGUARDS];
static uintptr_t pagesize;
static struct sigaction old_bus;
static pthread_mutex_t install_mu = PTHREAD_MUTEX_INITIALIZER;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	for (int i = 0; si->si_code == BUS_ADRERR && i < NGUARDS; i++) {
		uintptr_t s = atomic_load(&guards[i].start), e = atomic_load(&guards[i].end);
		if (!s || a < s || a >= e)
			continue;
		uintptr_t page = a & ~(pagesize - 1);
		void *r = mmap((void *)page, e - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (r != MAP_FAILED) {
			atomic_store(&guards[i].truncated, 1);
			return; /* the faulting load runs again and reads 0 */
		}
	}
	/* not one of ours: back to the previous disposition; the fault repeats and takes it */
	sigaction(sig, &old_bus, NULL);
	(void)uc;
}

/* Installs the handler unless it is in place; checked for every mapping, because a handler installed
 * after ours (a test framework, a sanitizer) replaces it. */
static bool install(void)
{
	pthread_mutex_lock(&install_mu);
	if (!pagesize) {
		long pg = sysconf(_SC_PAGESIZE);
		pagesize = pg > 0 ? (uintptr_t)pg : 4096;
	}
	struct sigaction cur;
	bool ok = sigaction(SIGBUS, NULL, &cur) == 0;
	if (ok && !((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_sigbus)) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		sigemptyset(&sa.sa_mask);
		ok = sigaction(SIGBUS, &sa, &old_bus) == 0;
	}
	pthread_mutex_unlock(&install_mu);
	return ok;
}

static struct bh_map_guard *guard_get(void)
{
	if (!install())
		return NULL;
	for (int i = 0; i < NGUARDS; i++) {
		int zero = 0;
		if (atomic_compare_exchange_strong(&guards[i].used, &zero, 1)) {
			atomic_store(&guards[i].truncated, 0);
			return &guards[i];
		}
	}
	return NULL;
}

static void guard_put(struct bh_map_guard *g)
{
	if (!g)
		return;
	atomic_store(&g->start, 0);
	atomic_store(&g->end, 0);
	atomic_store(&g->used, 0);
}

int bh_read_fd(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	if (cap > max)
		cap = max;
	char *b = malloc(cap + 1);
	if (!b)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			char probe;
			ssize_t more = cap >= max ? read(fd, &probe, 1) : 1;
			if (more < 0 && errno == EINTR)
				continue;
			if (more == 0)
				break; /* exactly max bytes */
			if (more < 0 || cap >= max) {
				int rc = more < 0 ? -errno : -EFBIG;
				free(b);
				return rc;
			}
			cap = cap * 2 > max ? max : cap * 2;
			char *nb = realloc(b, cap + 1);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
		}
		ssize_t got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int rc = -errno;
			free(b);
			return rc;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

static int map_regular(int fd, size_t size, struct bh_map *m)
{
	struct bh_map_guard *g = guard_get();
	if (!g)
		return -EAGAIN;
	void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		guard_put(g);
		return -EAGAIN;
	}
	uintptr_t end = ((uintptr_t)p + size + pagesize - 1) & ~(pagesize - 1);
	atomic_store(&g->end, end);
	atomic_store(&g->start, (uintptr_t)p);
	m->p = p;
	m->len = size;
	m->mapped = true;
	m->guard = g;
	return 0;
}

int bh_map_fd(int fd, size_t max, struct bh_map *m)
{
	memset(m, 0, sizeof(*m));
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	m->regular = S_ISREG(st.st_mode);
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (m->regular && (uintmax_t)st.st_size > max)
		return -EFBIG;
	/* a descriptor not at offset 0 (stdin after a `read` in the shell) is read from where it stands */
	if (m->regular && st.st_size > 0 && lseek(fd, 0, SEEK_CUR) == 0 && map_regular(fd, (size_t)st.st_size, m) == 0)
		return 0;
	char *buf;
	size_t len;
	int rc = bh_read_fd(fd, max, &buf, &len);
	if (rc < 0)
		return rc;
	m->p = buf;
	m->len = len;
	return 0;
}

int bh_map_file(const char *path, size_t max, struct bh_map *m)
{
	if (!strcmp(path, "-"))
		return bh_map_fd(0, max, m);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		memset(m, 0, sizeof(*m));
		return -errno;
	}
	int rc = bh_map_fd(fd, max, m);
	close(fd);
	return rc;
}

bool bh_map_truncated(const struct bh_map *m)
{
	return m->guard && atomic_load(&m->guard->truncated);
}

void bh_map_release(struct bh_map *m)
{
	if (!m || !m->p)
		return;
	if (m->mapped) {
		guard_put(m->guard); /* disarm first: the zero pages, if any, go with the munmap */
		munmap((void *)m->p, m->len);
	} else
		free((void *)m->p);
	memset(m, 0, sizeof(*m));
}
