/* Thread placement (Linux): which CPUs a thread may run on. */
#include <stddef.h>
#include <stdint.h>

/* glibc's, declared here because <sched.h> exposes them only with _GNU_SOURCE, which the
   Swift importer's copy of it was not built with. */
extern int sched_getaffinity(int pid, size_t size, void *mask);
extern int sched_setaffinity(int pid, size_t size, const void *mask);
extern int sched_getcpu(void);

/* The CPU the calling thread runs on now (-1 when unknown). */
static inline int graphcam_current_cpu(void) { return sched_getcpu(); }

/* The calling thread's allowed CPUs, a bit mask of 1024 CPUs in 16 words; 0 on success. */
static inline int graphcam_allowed_cpus(uint64_t mask[16]) { return sched_getaffinity(0, 128, mask); }

/* Restricts the calling thread to the CPUs in `mask` (as above); 0 on success. */
static inline int graphcam_restrict_thread(const uint64_t mask[16]) { return sched_setaffinity(0, 128, mask); }
