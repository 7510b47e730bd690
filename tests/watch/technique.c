/* Harmless versions of escape techniques, for the watch lab tests. Built statically by
 * tests/watch/watch_lab.test.sh into the lab's busybox root filesystem; never run on the host except
 * `serve` (the test's own socket) and `gen` (bench/watch.sh's event generator).
 *
 *   memfd              copy /bin/busybox into a memfd and execute it as `true` (fileless exec)
 *   bpf                load a two-instruction socket filter (return 0) and close it
 *   connect PATH       connect to a Unix socket
 *   serve PATH         listen on PATH, accept one connection (20 s at most), exit
 *   userfaultfd        create and close a userfaultfd
 *   gen N PATH [RATE]  N connect() attempts to a Unix path, at most RATE per second (sensor benchmark)
 *   openloop N PATH    N open()+close() of PATH (benchmark workload: opens the sensor must look at)
 *   bpfstats CMD...    run CMD with BPF run-time statistics on (BPF_ENABLE_STATS: only while this process
 *                      holds the fd, no sysctl is written), for `bpftool prog show` run_time_ns/run_cnt
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
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

static int do_serve(const char *path)
{
	struct sockaddr_un a;
	if (unix_addr(path, &a) < 0)
		return 1;
	unlink(path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 4) < 0)
		return perror("serve"), 1;
	alarm(20);
	int c = accept(s, NULL, NULL);
	if (c >= 0)
		close(c);
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

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "memfd"))
		return do_memfd();
	if (!strcmp(argv[1], "bpf"))
		return do_bpf();
	if (!strcmp(argv[1], "connect") && argc == 3)
		return do_connect(argv[2], 0);
	if (!strcmp(argv[1], "serve") && argc == 3)
		return do_serve(argv[2]);
	if (!strcmp(argv[1], "userfaultfd"))
		return do_userfaultfd();
	if (!strcmp(argv[1], "gen") && (argc == 4 || argc == 5))
		return do_gen(atol(argv[2]), argv[3], argc == 5 ? atof(argv[4]) : 0);
	if (!strcmp(argv[1], "openloop") && argc == 4)
		return do_openloop(atol(argv[2]), argv[3]);
	if (!strcmp(argv[1], "bpfstats") && argc >= 3)
		return do_bpfstats(argv + 2);
usage:
	fprintf(stderr, "usage: technique memfd|bpf|connect PATH|serve PATH|userfaultfd|gen N PATH [RATE]|openloop N PATH|bpfstats CMD...\n");
	return 2;
}
