/* A 64-bit x86 process making a 32-bit (compat) system call through int $0x80, for tests/watch/profile.test.sh:
 * i386 syscall 7 is waitpid, which the x86_64 ABI does not have. With no child it fails with ECHILD.
 * Exit 0 when the kernel ran it (IA32 emulation on), 3 otherwise. */
int main(void)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(7L), "b"(-1L), "c"(0L), "d"(1L) : "memory");
	return r == -10 ? 0 : 3; /* -ECHILD */
}
