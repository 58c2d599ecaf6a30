/*
 * check.h: the few assertion macros of the C API tests (no test framework).
 *
 * Every failed check prints file:line, what was checked, the actual value and the
 * output last taken from the server (check_context), then exits with status 1.
 */
#ifndef PICOMCP_TEST_CHECK_H
#define PICOMCP_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "picomcp.h"

/* How many checks passed. */
static unsigned long check_count;
/* What the failure message shows as "output" (the test keeps it current). */
static const char *check_context = "";

static void check_fail(const char *file, int line, const char *what, const char *actual) {
    fprintf(stderr, "\nFAILED %s:%d: %s\n  actual: %s\n  output: %s\n", file, line, what, actual,
            check_context ? check_context : "(none)");
    fflush(stderr);
    exit(1);
}

#define TEST(name) printf("test %s\n", name), fflush(stdout)

#define CHECK(cond)                                                    \
    do {                                                               \
        if (!(cond)) check_fail(__FILE__, __LINE__, #cond, "false");   \
        check_count++;                                                 \
    } while (0)

/* `expr` gives picomcp status `want`. */
#define CHECK_STATUS(expr, want)                                                           \
    do {                                                                                   \
        picomcp_status got_ = (expr);                                                      \
        picomcp_status want_ = (want);                                                     \
        if (got_ != want_) {                                                               \
            char actual_[160];                                                             \
            snprintf(actual_, sizeof actual_, "%d (%s), wanted %d (%s)", (int)got_,        \
                     picomcp_status_str(got_), (int)want_, picomcp_status_str(want_));     \
            check_fail(__FILE__, __LINE__, #expr, actual_);                                \
        }                                                                                  \
        check_count++;                                                                     \
    } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, PICOMCP_STATUS_OK)

/* Integer equality. */
#define CHECK_EQ(a, b)                                                                     \
    do {                                                                                   \
        long long a_ = (long long)(a), b_ = (long long)(b);                                \
        if (a_ != b_) {                                                                    \
            char actual_[120];                                                             \
            snprintf(actual_, sizeof actual_, "%lld, wanted %lld", a_, b_);               \
            check_fail(__FILE__, __LINE__, #a " == " #b, actual_);                         \
        }                                                                                  \
        check_count++;                                                                     \
    } while (0)

/* NUL-terminated string equality. */
#define CHECK_STR(a, b)                                                                    \
    do {                                                                                   \
        const char *a_ = (a), *b_ = (b);                                                   \
        if (a_ == NULL || strcmp(a_, b_) != 0) check_fail(__FILE__, __LINE__, #a " == " #b, a_ ? a_ : "NULL"); \
        check_count++;                                                                     \
    } while (0)

/* `hay` contains `needle`. */
#define CHECK_HAS(hay, needle)                                                             \
    do {                                                                                   \
        const char *h_ = (hay);                                                            \
        if (h_ == NULL || strstr(h_, (needle)) == NULL)                                    \
            check_fail(__FILE__, __LINE__, "output has " #needle, needle);                 \
        check_count++;                                                                     \
    } while (0)

/* `hay` does not contain `needle`. */
#define CHECK_LACKS(hay, needle)                                                           \
    do {                                                                                   \
        const char *h_ = (hay);                                                            \
        if (h_ != NULL && strstr(h_, (needle)) != NULL)                                    \
            check_fail(__FILE__, __LINE__, "output lacks " #needle, needle);               \
        check_count++;                                                                     \
    } while (0)

#endif /* PICOMCP_TEST_CHECK_H */
