/* Harmless versions of escape techniques, for the watch lab tests. Built statically by
 * tests/watch/watch_lab.test.sh into the lab's busybox root filesystem; never run on the host except
 * `serve` (the test's own socket) and `gen` (bench/watch.sh's event generator).
 *
 *   memfd              copy /bin/busybox into a memfd and execute it as `true` (fileless exec)
 *   memfd-ldso PROG LDSO  copy the dynamic program PROG into a memfd and run it as `LDSO /proc/self/fd/N
 *                      --version` (fileless execution without execve of the memfd)
 *   bpf                load a two-instruction socket filter (return 0) and close it
 *   connect PATH       connect to a Unix socket
 *   serve PATH [N]     listen on PATH, accept N connections (default 1; 120 s at most), exit
 *   userfaultfd        create and close a userfaultfd
 *   gen N PATH [RATE]  N connect() attempts to a Unix path, at most RATE per second (sensor benchmark)
 *   genopen N PATH [RATE]  N opens of PATH for writing (nothing written), at most RATE per second (bench:
 *                      events that reach the rules now that failed connects end in the kernel)
 *   sysloop N          N getppid() calls, prints ns per call (bench: the syscall tracing slow path)
 *   openloop N PATH    N open()+close() of PATH (benchmark workload: opens the sensor must look at)
 *   bpfstats CMD...    run CMD with BPF run-time statistics on (BPF_ENABLE_STATS: only while this process
 *                      holds the fd, no sysctl is written), for `bpftool prog show` run_time_ns/run_cnt
 *   uring-open PATH [async]  IORING_OP_OPENAT of PATH for writing (O_WRONLY|O_APPEND), nothing written;
 *                      async: IOSQE_ASYNC (the open runs in an io-wq worker thread)
 *   uring-read PATH    IORING_OP_OPENAT read-only, then IORING_OP_READ of 512 bytes (a raw block-device read)
 *   uring-connect PATH IORING_OP_CONNECT to a Unix socket
 *   fsconfig-cgroup NAME AGENT  fsopen("cgroup") + fsconfig(name=NAME, release_agent=AGENT) + fsmount, then
 *                      IORING_OP_OPENAT of release_agent for writing through the detached mount (nothing written)
 *   fsmount-dev FSTYPE DEV  fsopen(FSTYPE) + fsconfig(source=DEV, ro) + FSCONFIG_CMD_CREATE + fsmount
 *   vm-write           fork a child, write 8 bytes into it with process_vm_writev, reap it
 *   clone-userns       clone3(CLONE_NEWUSER) a child that exits at once
 *   mem-write          fork a child, open /proc/<child>/task/<child>/mem for writing, reap it
 *   keyring get|add    keyctl(KEYCTL_GET_KEYRING_ID, session keyring), or add_key of a "user" key to the
 *                      process keyring (gone when the process exits)
 *   tcp-connect ADDR PORT [FILE]  read FILE first (a token), then connect to IPv4 ADDR:PORT (refused is fine)
 *   uring-tcp ADDR PORT FILE  read FILE (a token), listen on ADDR:PORT itself (the container's own network
 *                      namespace), then IORING_OP_CONNECT to it
 *   splice FILE ro|rw [nowrite]  create FILE (0444 for ro), open it read-only (ro) or read-write, splice its
 *                      first byte into a pipe, write 4 bytes into the pipe (unless nowrite), drain the pipe
 *                      and check FILE is unchanged; the pipe stays open until exit, as in the public PoC
 *   uring-splice FILE  the same with IORING_OP_SPLICE (ro, then a write)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <sys/uio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int do_memfd(void)
{
	int in = open("/bin/busybox", O_RDONLY);
	int fd = memfd_create("payload", MFD_CLOEXEC);
	if (in < 0 || fd < 0)
		return perror("memfd"), 1;
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			return perror("write"), 1;
	char *argv[] = {"true", NULL};
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	return perror("execveat"), 1;
}

/* the dynamic loader runs a memfd copy of a dynamic program: `ld.so /proc/self/fd/N --version`, no execve of
 * the memfd itself (the loader opens it by path and maps it executable) */
static int do_memfd_ldso(const char *prog, const char *ldso)
{
	int in = open(prog, O_RDONLY);
	int fd = memfd_create("payload", 0); /* no CLOEXEC: the loader needs it after exec */
	if (in < 0 || fd < 0)
		return perror("memfd-ldso"), 1;
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			return perror("write"), 1;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	char *argv[] = {(char *)ldso, path, "--version", NULL};
	execve(ldso, argv, environ);
	return perror(ldso), 1;
}

static int do_bpf(void)
{
	struct bpf_insn insns[2] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	long fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0)
		fprintf(stderr, "bpf: %s\n", strerror(errno));
	else
		close((int)fd);
	return 0;
}

static int unix_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

static int do_connect(const char *path, int quiet)
{
	struct sockaddr_un a;
	if (unix_addr(path, &a) < 0)
		return 1;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0)
		return perror("socket"), 1;
	int rc = connect(s, (struct sockaddr *)&a, sizeof(a));
	if (rc < 0 && !quiet)
		perror("connect");
	close(s);
	return rc < 0;
}

static int do_serve(const char *path, int count)
{
	struct sockaddr_un a;
	if (unix_addr(path, &a) < 0)
		return 1;
	unlink(path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 4) < 0)
		return perror("serve"), 1;
	alarm(120);
	for (int i = 0; i < count; i++) {
		int c = accept(s, NULL, NULL);
		if (c >= 0)
			close(c);
	}
	close(s);
	unlink(path);
	return 0;
}

static int do_userfaultfd(void)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (fd >= 0)
		close((int)fd);
	return 0;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int do_gen(long n, const char *path, double rate)
{
	struct sockaddr_un a;
	if (unix_addr(path, &a) < 0)
		return 1;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0)
		return perror("socket"), 1;
	double t0 = now_s();
	for (long i = 0; i < n; i++) {
		(void)connect(s, (struct sockaddr *)&a, sizeof(a)); /* ENOENT: cheap, still one sensor event */
		if (rate > 0 && (i & 255) == 255) {
			double ahead = (double)(i + 1) / rate - (now_s() - t0);
			if (ahead > 0)
				usleep((useconds_t)(ahead * 1e6));
		}
	}
	double dt = now_s() - t0;
	close(s);
	printf("%ld %.6f %.0f\n", n, dt, (double)n / dt);
	return 0;
}

/* N opens for writing (nothing written) of PATH, at most RATE per second: each one a sensor event that reaches
 * the rules (bench: a sysctl file of the generator's own network namespace) */
static int do_genopen(long n, const char *path, double rate)
{
	double t0 = now_s();
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_WRONLY | O_APPEND);
		if (fd < 0)
			return perror(path), 1;
		close(fd);
		if (rate > 0 && (i & 255) == 255) {
			double ahead = (double)(i + 1) / rate - (now_s() - t0);
			if (ahead > 0)
				usleep((useconds_t)(ahead * 1e6));
		}
	}
	double dt = now_s() - t0;
	printf("%ld %.6f %.0f\n", n, dt, (double)n / dt);
	return 0;
}

/* N getppid() calls: the fixed cost every syscall pays once any syscall tracepoint is attached (the
 * tracing slow path), in ns per call */
static int do_sysloop(long n)
{
	double t0 = now_s();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("%.1f\n", (now_s() - t0) * 1e9 / (double)n);
	return 0;
}

static int do_openloop(long n, const char *path)
{
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			return perror("open"), 1;
		close(fd);
	}
	return 0;
}

/* A minimal io_uring (no liburing in the static lab binary): one SQE, wait for its CQE. */
struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_init(struct ring *r)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	r->fd = (int)syscall(SYS_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return perror("io_uring_setup"), -1;
	size_t sql = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cql = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	char *sq = mmap(NULL, sql, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	char *cq = mmap(NULL, cql, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return perror("mmap ring"), -1;
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* submits one prepared SQE, returns its result */
static int ring_run(struct ring *r, const struct io_uring_sqe *sqe)
{
	unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask;
	r->sqes[idx] = *sqe;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	unsigned head = *r->cq_head;
	int res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

static int uring_openat(struct ring *r, int dirfd, const char *path, int flags, int async)
{
	struct io_uring_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_OPENAT;
	sqe.fd = dirfd;
	sqe.addr = (unsigned long)path;
	sqe.open_flags = (unsigned)flags;
	sqe.flags = async ? IOSQE_ASYNC : 0;
	return ring_run(r, &sqe);
}

static int do_uring_open(const char *path, int async)
{
	struct ring r;
	if (ring_init(&r) < 0)
		return 1;
	int fd = uring_openat(&r, AT_FDCWD, path, O_WRONLY | O_APPEND, async);
	if (fd < 0)
		return fprintf(stderr, "uring openat %s: %s\n", path, strerror(-fd)), 1;
	close(fd);
	return 0;
}

static int do_uring_read(const char *path)
{
	struct ring r;
	if (ring_init(&r) < 0)
		return 1;
	int fd = uring_openat(&r, AT_FDCWD, path, O_RDONLY, 0);
	if (fd < 0)
		return fprintf(stderr, "uring openat %s: %s\n", path, strerror(-fd)), 1;
	static char buf[512];
	struct io_uring_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_READ;
	sqe.fd = fd;
	sqe.addr = (unsigned long)buf;
	sqe.len = sizeof(buf);
	int n = ring_run(&r, &sqe);
	close(fd);
	return n < 0 ? (fprintf(stderr, "uring read: %s\n", strerror(-n)), 1) : 0;
}

static int uring_connect(struct ring *r, int s, const void *addr, size_t len)
{
	struct io_uring_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_CONNECT;
	sqe.fd = s;
	sqe.addr = (unsigned long)addr;
	sqe.off = len;
	return ring_run(r, &sqe);
}

static int do_uring_connect(const char *path)
{
	struct sockaddr_un a;
	struct ring r;
	if (unix_addr(path, &a) < 0 || ring_init(&r) < 0)
		return 1;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	int rc = uring_connect(&r, s, &a, sizeof(a));
	close(s);
	return rc < 0 ? (fprintf(stderr, "uring connect: %s\n", strerror(-rc)), 1) : 0;
}

#ifndef FSCONFIG_SET_STRING
#define FSCONFIG_SET_FLAG 0
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#endif

static int fs_new(const char *type)
{
	int fs = (int)syscall(SYS_fsopen, type, 1 /* FSOPEN_CLOEXEC */);
	if (fs < 0)
		perror("fsopen");
	return fs;
}

static int fs_set(int fs, const char *key, const char *val)
{
	long rc = syscall(SYS_fsconfig, fs, val ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, key, val, 0);
	if (rc < 0)
		fprintf(stderr, "fsconfig %s: %s\n", key, strerror(errno));
	return (int)rc;
}

static int fs_mount(int fs)
{
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return perror("fsconfig create"), -1;
	int m = (int)syscall(SYS_fsmount, fs, 1 /* FSMOUNT_CLOEXEC */, 0);
	if (m < 0)
		perror("fsmount");
	return m;
}

static int do_fsconfig_cgroup(const char *name, const char *agent)
{
	int fs = fs_new("cgroup");
	if (fs < 0 || fs_set(fs, "none", NULL) < 0 || fs_set(fs, "name", name) < 0 ||
	    fs_set(fs, "release_agent", agent) < 0)
		return 1;
	int m = fs_mount(fs);
	if (m < 0)
		return 1;
	struct ring r;
	if (ring_init(&r) < 0)
		return 1;
	int fd = uring_openat(&r, m, "release_agent", O_WRONLY | O_APPEND, 0);
	if (fd < 0)
		return fprintf(stderr, "uring openat release_agent: %s\n", strerror(-fd)), 1;
	close(fd);
	return 0;
}

static int do_fsmount_dev(const char *type, const char *dev)
{
	int fs = fs_new(type);
	if (fs < 0 || fs_set(fs, "source", dev) < 0 || fs_set(fs, "ro", NULL) < 0)
		return 1;
	return fs_mount(fs) < 0;
}

static int child_target(pid_t *pid)
{
	*pid = fork();
	if (*pid == 0) {
		pause();
		_exit(0);
	}
	return *pid < 0 ? -1 : 0;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static volatile unsigned long vm_target = 1;

static int do_vm_write(void)
{
	pid_t pid;
	if (child_target(&pid) < 0)
		return perror("fork"), 1;
	unsigned long v = 2;
	struct iovec l = {&v, sizeof(v)}, rmt = {(void *)&vm_target, sizeof(v)};
	ssize_t n = process_vm_writev(pid, &l, 1, &rmt, 1, 0);
	if (n < 0)
		perror("process_vm_writev");
	reap(pid);
	return n < 0;
}

static int do_mem_write(void)
{
	pid_t pid;
	if (child_target(&pid) < 0)
		return perror("fork"), 1;
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/task/%d/mem", pid, pid);
	int fd = open(p, O_WRONLY);
	if (fd < 0)
		perror(p);
	else
		close(fd);
	reap(pid);
	return fd < 0;
}

static int do_clone_userns(void)
{
	struct { unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; } ca;
	memset(&ca, 0, sizeof(ca));
	ca.flags = 0x10000000; /* CLONE_NEWUSER */
	ca.exit_signal = SIGCHLD;
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return perror("clone3"), 1;
	waitpid((pid_t)pid, NULL, 0);
	return 0;
}

static int do_keyring(const char *how)
{
	long r;
	if (!strcmp(how, "add")) /* add_key("user", "bh-lab", "x", 1, KEY_SPEC_PROCESS_KEYRING) */
		r = syscall(SYS_add_key, "user", "bh-lab", "x", 1, -2);
	else /* keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) */
		r = syscall(SYS_keyctl, 0, -3, 0);
	printf("keyring %s: %ld (%s)\n", how, r, r < 0 ? strerror(errno) : "ok");
	return 0;
}

static int do_tcp_connect(const char *addr, int port, const char *file)
{
	char buf[256];
	if (file) {
		int fd = open(file, O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
			return perror(file), 1;
		close(fd);
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1)
		return fprintf(stderr, "bad address %s\n", addr), 1;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int r = connect(s, (struct sockaddr *)&a, sizeof(a));
	printf("connect %s:%d: %s\n", addr, port, r < 0 ? strerror(errno) : "ok");
	close(s);
	return 0;
}

static int do_uring_tcp(const char *addr, int port, const char *file)
{
	char buf[256];
	int fd = open(file, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
		return perror(file), 1;
	close(fd);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1)
		return fprintf(stderr, "bad address %s\n", addr), 1;
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0)
		return perror("listen"), 1;
	struct ring r;
	if (ring_init(&r) < 0)
		return 1;
	int res = uring_connect(&r, socket(AF_INET, SOCK_STREAM, 0), &a, sizeof(a));
	printf("uring connect %s:%d: %s\n", addr, port, res < 0 ? strerror(-res) : "ok");
	return res < 0;
}

/* the test's own file: "bulkhead" in FILE, made read-only for ro */
static int splice_file(const char *file, int rw)
{
	unlink(file);
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, rw ? 0644 : 0444);
	if (fd < 0 || write(fd, "bulkhead\n", 9) != 9)
		return perror(file), -1;
	close(fd);
	return open(file, rw ? O_RDWR : O_RDONLY);
}

static int splice_after(const char *file, int p[2], int dowrite)
{
	char buf[64];
	if (dowrite && write(p[1], "XXXX", 4) != 4)
		return perror("write pipe"), 1;
	if (read(p[0], buf, sizeof(buf)) < 0)
		return perror("read pipe"), 1;
	int fd = open(file, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	printf("%s after the splice: %.*s", file, n > 0 ? (int)n : 0, buf);
	return n == 9 && !memcmp(buf, "bulkhead\n", 9) ? 0 : 1; /* a vulnerable kernel would show XXXX */
}

static int do_splice(const char *file, const char *mode, int dowrite)
{
	int p[2], fd = splice_file(file, !strcmp(mode, "rw"));
	if (fd < 0 || pipe(p) < 0)
		return perror("splice setup"), 1;
	loff_t off = 0;
	if (splice(fd, &off, p[1], NULL, 1, 0) != 1)
		return perror("splice"), 1;
	return splice_after(file, p, dowrite); /* the pipe stays open until exit */
}

static int do_uring_splice(const char *file)
{
	struct ring r;
	int p[2], fd = splice_file(file, 0);
	if (fd < 0 || pipe(p) < 0 || ring_init(&r) < 0)
		return perror("uring-splice setup"), 1;
	struct io_uring_sqe sqe;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_SPLICE;
	sqe.fd = p[1];
	sqe.splice_fd_in = fd;
	sqe.splice_off_in = 0;
	sqe.off = (__u64)-1; /* no offset on the pipe */
	sqe.len = 1;
	int res = ring_run(&r, &sqe);
	if (res != 1)
		return fprintf(stderr, "uring splice: %s\n", strerror(-res)), 1;
	return splice_after(file, p, 1);
}

static int do_bpfstats(char **cmd)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.enable_stats.type = BPF_STATS_RUN_TIME;
	long fd = syscall(SYS_bpf, BPF_ENABLE_STATS, &attr, sizeof(attr));
	if (fd < 0)
		return fprintf(stderr, "BPF_ENABLE_STATS: %s\n", strerror(errno)), 2;
	pid_t p = fork();
	if (p == 0) {
		close((int)fd);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	int st = 0;
	if (p < 0 || waitpid(p, &st, 0) < 0)
		return perror("bpfstats"), 2;
	close((int)fd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* name, argument count range (after the name), function of argv + 2 */
struct tech {
	const char *name;
	int min, max;
	int (*fn)(int argc, char **argv);
};

static int t_memfd(int c, char **a) { (void)c, (void)a; return do_memfd(); }
static int t_bpf(int c, char **a) { (void)c, (void)a; return do_bpf(); }
static int t_memfd_ldso(int c, char **a) { (void)c; return do_memfd_ldso(a[0], a[1]); }
static int t_connect(int c, char **a) { (void)c; return do_connect(a[0], 0); }
static int t_serve(int c, char **a) { return do_serve(a[0], c == 2 ? atoi(a[1]) : 1); }
static int t_uffd(int c, char **a) { (void)c, (void)a; return do_userfaultfd(); }
static int t_gen(int c, char **a) { return do_gen(atol(a[0]), a[1], c == 3 ? atof(a[2]) : 0); }
static int t_genopen(int c, char **a) { return do_genopen(atol(a[0]), a[1], c == 3 ? atof(a[2]) : 0); }
static int t_sysloop(int c, char **a) { (void)c; return do_sysloop(atol(a[0])); }
static int t_openloop(int c, char **a) { (void)c; return do_openloop(atol(a[0]), a[1]); }
static int t_bpfstats(int c, char **a) { (void)c; return do_bpfstats(a); }
static int t_uring_open(int c, char **a) { return do_uring_open(a[0], c == 2); }
static int t_uring_read(int c, char **a) { (void)c; return do_uring_read(a[0]); }
static int t_uring_connect(int c, char **a) { (void)c; return do_uring_connect(a[0]); }
static int t_fs_cgroup(int c, char **a) { (void)c; return do_fsconfig_cgroup(a[0], a[1]); }
static int t_fs_dev(int c, char **a) { (void)c; return do_fsmount_dev(a[0], a[1]); }
static int t_vm_write(int c, char **a) { (void)c, (void)a; return do_vm_write(); }
static int t_mem_write(int c, char **a) { (void)c, (void)a; return do_mem_write(); }
static int t_clone_userns(int c, char **a) { (void)c, (void)a; return do_clone_userns(); }
static int t_keyring(int c, char **a) { (void)c; return do_keyring(a[0]); }
static int t_tcp(int c, char **a) { return do_tcp_connect(a[0], atoi(a[1]), c == 3 ? a[2] : NULL); }
static int t_uring_tcp(int c, char **a) { (void)c; return do_uring_tcp(a[0], atoi(a[1]), a[2]); }
static int t_splice(int c, char **a) { return do_splice(a[0], a[1], !(c == 3 && !strcmp(a[2], "nowrite"))); }
static int t_uring_splice(int c, char **a) { (void)c; return do_uring_splice(a[0]); }

static const struct tech techs[] = {
	{"memfd", 0, 0, t_memfd},           {"bpf", 0, 0, t_bpf},
	{"memfd-ldso", 2, 2, t_memfd_ldso},
	{"connect", 1, 1, t_connect},       {"serve", 1, 2, t_serve},
	{"userfaultfd", 0, 0, t_uffd},      {"gen", 2, 3, t_gen},
	{"genopen", 2, 3, t_genopen},       {"sysloop", 1, 1, t_sysloop},
	{"openloop", 2, 2, t_openloop},     {"bpfstats", 1, 64, t_bpfstats},
	{"uring-open", 1, 2, t_uring_open}, {"uring-read", 1, 1, t_uring_read},
	{"uring-connect", 1, 1, t_uring_connect}, {"fsconfig-cgroup", 2, 2, t_fs_cgroup},
	{"fsmount-dev", 2, 2, t_fs_dev},    {"vm-write", 0, 0, t_vm_write},
	{"mem-write", 0, 0, t_mem_write},   {"clone-userns", 0, 0, t_clone_userns},
	{"keyring", 1, 1, t_keyring},       {"tcp-connect", 2, 3, t_tcp},
	{"uring-tcp", 3, 3, t_uring_tcp},   {"splice", 2, 3, t_splice},         {"uring-splice", 1, 1, t_uring_splice},
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc >= 2 && i < sizeof(techs) / sizeof(techs[0]); i++)
		if (!strcmp(argv[1], techs[i].name) && argc - 2 >= techs[i].min && argc - 2 <= techs[i].max)
			return techs[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "usage: technique memfd|memfd-ldso PROG LDSO|bpf|connect PATH|serve PATH [N]|userfaultfd|gen N PATH [RATE]|"
		"genopen N PATH [RATE]|sysloop N|openloop N PATH|bpfstats CMD...|uring-open PATH [async]|"
		"uring-read PATH|uring-connect PATH|fsconfig-cgroup NAME AGENT|fsmount-dev TYPE DEV|vm-write|"
		"mem-write|clone-userns\n");
	return 2;
}
