/*
 * alloc-count: an LD_PRELOAD shim that counts heap allocations, the same way
 * for every server whatever its language.
 *
 * Counted: every call of malloc, calloc, realloc, posix_memalign,
 * aligned_alloc, memalign and valloc that reaches the C library (free is not
 * counted). Allocators that never call these (a runtime's own arenas on top of
 * mmap) are invisible to it.
 *
 * The count is written as one line "allocs <count>\n":
 *   - when the process receives the signal ALLOC_COUNT_SIGNAL (a number,
 *     default 12 = SIGUSR2; SIGUSR1 is avoided because Node uses it), and
 *   - at exit.
 * It goes to the file "$ALLOC_COUNT_FILE.<pid>" (truncated each time) if that
 * variable is set, else to stderr. The pid in the name keeps the counts of
 * child processes (which inherit LD_PRELOAD) apart from the server's.
 *
 * Build: cc -shared -fPIC -O2 -o alloc-count.so alloc-count.c -ldl
 * Use:   LD_PRELOAD=./alloc-count.so ALLOC_COUNT_FILE=allocs some-server &
 *        kill -USR2 $!; cat allocs.$!
 *
 * The usual LD_PRELOAD pitfalls, and how they are avoided:
 *   - dlsym may itself allocate (calloc in dlerror bookkeeping): while the
 *     real functions are being looked up, allocations are served from a small
 *     static bootstrap arena, and free/realloc recognise its pointers;
 *   - threads: the counter is an atomic, updated with relaxed ordering;
 *   - the signal handler only uses async-signal-safe calls (open, write,
 *     close) and formats the number itself.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_ulong alloc_count;

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);

/* Bootstrap arena for allocations made while dlsym runs; never freed. */
static _Alignas(16) char bootstrap[16384];
static size_t bootstrap_used;
static int resolving;

/* The dump target's prefix, copied at load time (getenv is not async-signal-safe). */
static char count_file[4096];
static size_t count_file_len;

static void *bootstrap_alloc(size_t size) {
    size = (size + 15) & ~(size_t)15;
    if (bootstrap_used + size > sizeof bootstrap) {
        return NULL;
    }
    void *p = bootstrap + bootstrap_used;
    bootstrap_used += size;
    return p;
}

static int is_bootstrap(const void *p) {
    return (const char *)p >= bootstrap && (const char *)p < bootstrap + sizeof bootstrap;
}

/* Looks the real functions up; runs before main, once. */
static void resolve(void) {
    if (real_malloc || resolving) {
        return;
    }
    resolving = 1;
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_free = dlsym(RTLD_NEXT, "free");
    real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = dlsym(RTLD_NEXT, "memalign");
    real_valloc = dlsym(RTLD_NEXT, "valloc");
    real_malloc = dlsym(RTLD_NEXT, "malloc"); /* last: it marks the end */
    resolving = 0;
}

static void count(void) {
    atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
}

void *malloc(size_t size) {
    if (!real_malloc) {
        resolve();
        if (!real_malloc) {
            return bootstrap_alloc(size);
        }
    }
    count();
    return real_malloc(size);
}

void *calloc(size_t n, size_t size) {
    if (!real_malloc) {
        resolve();
        if (!real_malloc) {
            /* The arena is static, hence already zeroed. */
            if (size && n > (size_t)-1 / size) {
                return NULL;
            }
            return bootstrap_alloc(n * size);
        }
    }
    count();
    return real_calloc(n, size);
}

void *realloc(void *p, size_t size) {
    if (!real_malloc) {
        resolve();
    }
    if (p && is_bootstrap(p)) {
        /* Move out of the arena; the old size is unknown but bounded by it. */
        void *q = malloc(size);
        if (q) {
            size_t room = (size_t)(bootstrap + sizeof bootstrap - (char *)p);
            memcpy(q, p, size < room ? size : room);
        }
        return q;
    }
    if (!real_realloc) {
        return bootstrap_alloc(size);
    }
    count();
    return real_realloc(p, size);
}

void free(void *p) {
    if (!p || is_bootstrap(p)) {
        return;
    }
    if (!real_free) {
        resolve();
    }
    if (real_free) {
        real_free(p);
    }
}

int posix_memalign(void **out, size_t align, size_t size) {
    resolve();
    if (!real_posix_memalign) {
        return ENOMEM;
    }
    count();
    return real_posix_memalign(out, align, size);
}

void *aligned_alloc(size_t align, size_t size) {
    resolve();
    if (!real_aligned_alloc) {
        return NULL;
    }
    count();
    return real_aligned_alloc(align, size);
}

void *memalign(size_t align, size_t size) {
    resolve();
    if (!real_memalign) {
        return NULL;
    }
    count();
    return real_memalign(align, size);
}

void *valloc(size_t size) {
    resolve();
    if (!real_valloc) {
        return NULL;
    }
    count();
    return real_valloc(size);
}

/* Writes n in decimal at out; returns the length. Async-signal-safe. */
static size_t put_decimal(char *out, unsigned long n) {
    char digits[24];
    size_t len = 0;
    do {
        digits[len++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    for (size_t i = 0; i < len; i++) {
        out[i] = digits[len - 1 - i];
    }
    return len;
}

/* Writes "allocs <count>\n" to the dump target; async-signal-safe. */
static void dump(void) {
    char line[40] = "allocs ";
    size_t pos = 7;
    pos += put_decimal(line + pos, atomic_load_explicit(&alloc_count, memory_order_relaxed));
    line[pos++] = '\n';

    int saved_errno = errno;
    int fd = 2;
    if (count_file_len) {
        char path[sizeof count_file + 32];
        memcpy(path, count_file, count_file_len);
        size_t end = count_file_len;
        path[end++] = '.';
        end += put_decimal(path + end, (unsigned long)getpid());
        path[end] = '\0';
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    }
    if (fd >= 0) {
        ssize_t unused = write(fd, line, pos);
        (void)unused;
        if (fd != 2) {
            close(fd);
        }
    }
    errno = saved_errno;
}

static void on_signal(int sig) {
    (void)sig;
    dump();
}

__attribute__((constructor)) static void alloc_count_init(void) {
    resolve();
    const char *file = getenv("ALLOC_COUNT_FILE");
    if (file && strlen(file) < sizeof count_file) {
        count_file_len = strlen(file);
        memcpy(count_file, file, count_file_len);
    }
    const char *sig = getenv("ALLOC_COUNT_SIGNAL");
    int signo = sig ? atoi(sig) : SIGUSR2;
    if (signo > 0) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_signal;
        action.sa_flags = SA_RESTART;
        sigemptyset(&action.sa_mask);
        sigaction(signo, &action, NULL);
    }
}

__attribute__((destructor)) static void alloc_count_fini(void) {
    dump();
}
