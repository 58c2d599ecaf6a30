/*
 * picomcp-c-demo: the demo MCP server of docs/demo-contract.md, written in C against
 * include/picomcp.h. It serves exactly what the Rust demo (examples/rust-demo, with the
 * descriptors of examples/contract) serves, so the same client tests check both:
 *
 *   picomcp-c-demo                    MCP on stdin/stdout
 *   picomcp-c-demo --http HOST:PORT   MCP on Streamable HTTP at http://HOST:PORT/mcp
 *   picomcp-c-demo --version
 *
 * Build it with examples/c/build.sh (or see the cc line there). C11, one thread.
 *
 * How it works: every tool, the resources, the prompt and completion are answered by
 * callbacks (one callback type, picomcp_handler). `slow` is the interesting one: its
 * callback defers the answer and puts the call in a fixed table of waits; the poll
 * callback, which the driver runs after input and when the delay it asked for has
 * passed, reports progress and answers the waits that are due; the cancel callback
 * drops a wait. Nothing here calls malloc after start-up (picomcp_server_new allocates
 * the server's one block; see make_server for the variant without malloc at all).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "picomcp.h"

#define DEMO_NAME "picomcp-c-demo"
#define DEMO_VERSION PICOMCP_VERSION

/* Requests in flight at once, and so `slow` calls that can wait at once (the Rust demo's
 * IN_FLIGHT; tests/python/test_robustness.py expects 64 unless PICOMCP_INFLIGHT says). */
#define MAX_REQUESTS 64

/* How often `slow` reports progress, in milliseconds. */
#define PROGRESS_EVERY_MS 50

/* The JSON-RPC "internal error" code. */
#define INTERNAL_ERROR (-32603)

/* ------------------------------------------------------------------ the descriptors */

/* Copied from examples/contract/src/lib.rs: names, titles, schemas and annotations must
 * match the contract byte for byte. */

#define READ_ONLY_IDEMPOTENT                                                                  \
    {                                                                                         \
        .read_only = PICOMCP_HINT_TRUE, .idempotent = PICOMCP_HINT_TRUE,                      \
        .open_world = PICOMCP_HINT_FALSE                                                      \
    }
#define READ_ONLY {.read_only = PICOMCP_HINT_TRUE, .open_world = PICOMCP_HINT_FALSE}

static const picomcp_tool ECHO_TOOL = {
    .name = "echo",
    .title = "Echo",
    .description = "Returns its text unchanged, as one text block.",
    .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\","
                    "\"description\":\"The text to echo\"}},\"required\":[\"text\"]}",
    .annotations = READ_ONLY_IDEMPOTENT,
};

static const picomcp_tool ADD_TOOL = {
    .name = "add",
    .title = "Add two numbers",
    .description = "Adds two numbers; the sum comes as structured content {\"sum\": a + b}.",
    .input_schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\","
                    "\"description\":\"First addend\"},\"b\":{\"type\":\"number\","
                    "\"description\":\"Second addend\"}},\"required\":[\"a\",\"b\"]}",
    .output_schema = "{\"type\":\"object\",\"properties\":{\"sum\":{\"type\":\"number\"}},"
                     "\"required\":[\"sum\"]}",
    .annotations = READ_ONLY_IDEMPOTENT,
};

static const picomcp_tool FAIL_TOOL = {
    .name = "fail",
    .title = "Always fails",
    .description = "Always returns a tool error (isError), to show what one looks like.",
    .input_schema = "{\"type\":\"object\",\"properties\":{},\"required\":[]}",
    .annotations = READ_ONLY,
};

static const picomcp_tool SLOW_TOOL = {
    .name = "slow",
    .title = "Wait a while",
    .description = "Waits the given number of milliseconds without blocking the server, "
                   "reporting progress every 50 ms.",
    .input_schema = "{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":\"integer\","
                    "\"minimum\":0,\"maximum\":600000,\"description\":\"How long to wait, in "
                    "milliseconds\"}},\"required\":[\"ms\"]}",
    .annotations = READ_ONLY,
};

static const picomcp_resource README_RESOURCE = {
    .uri = "demo://readme",
    .name = "readme",
    .description = "What this demo server is",
    .mime_type = "text/plain",
};

static const picomcp_template ITEM_TEMPLATE = {
    .uri_template = "demo://items/{id}",
    .name = "item",
    .description = "An item, by id",
    .mime_type = "text/plain",
};

static const picomcp_prompt_argument GREET_ARGUMENTS[] = {
    {.name = "name", .description = "Who to greet", .required = true},
};

static const picomcp_prompt GREET_PROMPT = {
    .name = "greet",
    .title = "Greet",
    .description = "A greeting for someone",
    .arguments = GREET_ARGUMENTS,
    .argument_count = sizeof GREET_ARGUMENTS / sizeof GREET_ARGUMENTS[0],
};

static const char INSTRUCTIONS[] =
    "A demo server: echo, add, fail and slow tools, a readme, items by id, and a greeting prompt.";

static const char README[] = "picomcp demo server.\n\nTools: echo(text), add(a, b), fail(), slow(ms).\n"
                             "Resources: demo://readme (this text) and demo://items/{id}.\n"
                             "Prompt: greet(name).\n";

/* ------------------------------------------------------------------ scratch text */

/* One scratch buffer for building answers: callbacks run one at a time on one thread.
 * An answer is at most the config's result_bytes (64 KiB by default) anyway. */
static char scratch[64 * 1024];

/* A text being assembled in `scratch`: lengths, not NULs (texts may contain U+0000). */
typedef struct {
    size_t len;
    bool overflow;
} text_builder;

static void put(text_builder *t, const char *s, size_t n) {
    if (t->overflow || n > sizeof scratch - t->len) {
        t->overflow = true;
        return;
    }
    memcpy(scratch + t->len, s, n);
    t->len += n;
}

static void put_str(text_builder *t, const char *s) {
    put(t, s, strlen(s));
}

/* ------------------------------------------------------------------ the clock */

/* Milliseconds on the monotonic clock. */
static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ------------------------------------------------------------------ slow's waits */

/* A `slow` call in progress. */
typedef struct {
    bool used;            /* false: a free entry */
    uint64_t ticket;      /* names the deferred call (picomcp_server_reply, cancellation) */
    uint64_t start;       /* now_ms() when it started */
    uint32_t ms;          /* how long it waits */
    uint32_t next_report; /* milliseconds waited at the next progress report */
} wait_entry;

/* The demo's state: the server (for the poll work) and the waits, a fixed table. */
typedef struct {
    picomcp_server *server;
    wait_entry waits[MAX_REQUESTS];
} demo_state;

static wait_entry *free_wait(demo_state *demo) {
    for (size_t i = 0; i < MAX_REQUESTS; i++) {
        if (!demo->waits[i].used) return &demo->waits[i];
    }
    return NULL;
}

/* Report progress on a wait; false when its call is gone (cancelled). Progress is sent
 * only when the client asked for it: picomcp checks that. */
static bool report(demo_state *demo, const wait_entry *w, uint32_t progress) {
    picomcp_status s = picomcp_server_progress(demo->server, w->ticket, progress, w->ms, NULL);
    return s != PICOMCP_STATUS_STALE_TICKET;
}

/* Send the answer of a finished wait: one text block "waited <ms> ms". False when the
 * answer buffer is busy (try again later); true when the wait is over (answered, or its
 * call is gone). */
static bool finish_wait(demo_state *demo, const wait_entry *w) {
    picomcp_call *reply;
    picomcp_status s = picomcp_server_reply(demo->server, w->ticket, &reply);
    if (s == PICOMCP_STATUS_BUSY) return false;
    if (s != PICOMCP_STATUS_OK) return true;
    char text[32];
    int n = snprintf(text, sizeof text, "waited %" PRIu32 " ms", w->ms);
    if (picomcp_call_text(reply, text, (size_t)n) == PICOMCP_STATUS_OK) {
        picomcp_call_send(reply);
    } else {
        picomcp_call_discard(reply);
        picomcp_server_reply_error(demo->server, w->ticket, INTERNAL_ERROR, "could not write the answer");
    }
    return true;
}

/* Bring one wait up to date at `now`: progress for every 50 ms passed, and the answer
 * when it is due. Returns the milliseconds until it needs attention again, or -1 when it
 * is done (answered or cancelled) and its entry was freed. */
static int64_t advance_wait(demo_state *demo, wait_entry *w, uint64_t now) {
    uint64_t elapsed = now - w->start;
    bool live = true;
    while (live && w->next_report < w->ms && w->next_report <= elapsed) {
        live = report(demo, w, w->next_report);
        w->next_report += PROGRESS_EVERY_MS;
    }
    if (live && elapsed >= w->ms) {
        /* The last report says "all of it", just before the result (picomcp sends a
         * progress value once: a retry after BUSY does not repeat it). */
        if (report(demo, w, w->ms) && !finish_wait(demo, w)) return 1;
        live = false;
    }
    if (!live) {
        w->used = false;
        return -1;
    }
    uint32_t due = w->next_report < w->ms ? w->next_report : w->ms;
    return (int64_t)due - (int64_t)elapsed;
}

/* Bring every wait up to date; the milliseconds until the next one needs attention,
 * or -1 when nothing waits. */
static int64_t advance_all(demo_state *demo) {
    uint64_t now = now_ms();
    int64_t next = -1;
    for (size_t i = 0; i < MAX_REQUESTS; i++) {
        if (!demo->waits[i].used) continue;
        int64_t due = advance_wait(demo, &demo->waits[i], now);
        if (due >= 0 && (next < 0 || due < next)) next = due;
    }
    return next;
}

/* The poll callback: the drivers run it after each batch of input and when the delay it
 * returned has passed. */
static int64_t on_poll(picomcp_server *server, void *userdata) {
    (void)server;
    return advance_all(userdata);
}

/* The cancel callback: the client cancelled a call, so its ticket is void already;
 * forget the wait (nothing more is sent for it). */
static void on_cancel(uint64_t ticket, void *userdata) {
    demo_state *demo = userdata;
    for (size_t i = 0; i < MAX_REQUESTS; i++) {
        if (demo->waits[i].used && demo->waits[i].ticket == ticket) demo->waits[i].used = false;
    }
}

/* ------------------------------------------------------------------ the tools */

/* Arguments were checked against each tool's inputSchema before its callback runs, so
 * a required parameter is there and of the right type: an accessor failing here is a
 * bug, and returning its status gives the client a tool error naming it. */

/* echo(text): the text back, as one text block. */
static picomcp_status tool_echo(picomcp_call *call, void *userdata) {
    (void)userdata;
    size_t len;
    picomcp_status s = picomcp_call_arg_string(call, "text", scratch, sizeof scratch, &len);
    if (s != PICOMCP_STATUS_OK) return s;
    return picomcp_call_text(call, scratch, len);
}

/* The shortest "%.*g" form of `x` that reads back as `x` (JSON has no NaN/Infinity;
 * the caller checks). The C locale is in effect (no setlocale), so '.' is the point. */
static int format_number(char *buf, size_t cap, double x) {
    int n = 0;
    for (int digits = 15; digits <= 17; digits++) {
        n = snprintf(buf, cap, "%.*g", digits, x);
        if (strtod(buf, NULL) == x) break;
    }
    return n;
}

/* add(a, b): structuredContent {"sum": a + b}, and a text block with that JSON. */
static picomcp_status tool_add(picomcp_call *call, void *userdata) {
    (void)userdata;
    double a = 0, b = 0;
    picomcp_status s = picomcp_call_arg_number(call, "a", &a);
    if (s == PICOMCP_STATUS_OK) s = picomcp_call_arg_number(call, "b", &b);
    if (s != PICOMCP_STATUS_OK) return s;
    double sum = a + b;
    if (!isfinite(sum)) {
        picomcp_call_text(call, "the sum is too large to represent", PICOMCP_STRLEN);
        return picomcp_call_set_error(call, true);
    }
    char number[40], json[64];
    format_number(number, sizeof number, sum);
    int n = snprintf(json, sizeof json, "{\"sum\":%s}", number);
    s = picomcp_call_text(call, json, (size_t)n); /* for clients that ignore structured content */
    if (s == PICOMCP_STATUS_OK) s = picomcp_call_structured(call, json, (size_t)n);
    return s;
}

/* fail(): always a tool error (isError) with one text block saying why. */
static picomcp_status tool_fail(picomcp_call *call, void *userdata) {
    (void)userdata;
    picomcp_status s = picomcp_call_text(
        call, "fail always fails: it exists to show what a tool error looks like", PICOMCP_STRLEN);
    if (s != PICOMCP_STATUS_OK) return s;
    return picomcp_call_set_error(call, true);
}

/* slow(ms): defer the answer and wait without blocking; on_poll does the rest. */
static picomcp_status tool_slow(picomcp_call *call, void *userdata) {
    demo_state *demo = userdata;
    int64_t ms = 0;
    picomcp_status s = picomcp_call_arg_integer(call, "ms", &ms); /* 0..600000: checked */
    if (s != PICOMCP_STATUS_OK) return s;
    wait_entry *w = free_wait(demo);
    if (w == NULL) return picomcp_call_fail(call, INTERNAL_ERROR, "too many slow calls at once");
    /* Read everything needed from the call first: after deferring only the ticket is left. */
    s = picomcp_call_defer(call, &w->ticket);
    if (s != PICOMCP_STATUS_OK) return s;
    w->used = true;
    w->start = now_ms();
    w->ms = (uint32_t)ms;
    w->next_report = PROGRESS_EVERY_MS;
    /* Deferred: our answer buffer is free again, so a wait of 0 ms is answered at once. */
    advance_wait(demo, w, w->start);
    return PICOMCP_STATUS_OK;
}

/* ------------------------------------------------------------------ resources */

/* demo://readme: one text content. */
static picomcp_status read_readme(picomcp_call *call, void *userdata) {
    (void)userdata;
    /* uri NULL: the URI that was read. */
    return picomcp_call_contents_text(call, NULL, "text/plain", README, sizeof README - 1);
}

/* demo://items/{id}: "Item <id>". picomcp matched the template (a non-empty id without
 * '/'); anything else never reaches us and gets "resource not found". */
static picomcp_status read_item(picomcp_call *call, void *userdata) {
    (void)userdata;
    static const char prefix[] = "Item ";
    size_t id_len;
    memcpy(scratch, prefix, sizeof prefix - 1);
    picomcp_status s = picomcp_call_variable(call, "id", scratch + sizeof prefix - 1,
                                             sizeof scratch - (sizeof prefix - 1), &id_len);
    if (s != PICOMCP_STATUS_OK) return s;
    return picomcp_call_contents_text(call, NULL, "text/plain", scratch, sizeof prefix - 1 + id_len);
}

/* ------------------------------------------------------------------ the prompt */

/* greet(name): one user message "Hello, <name>! Please greet <name> warmly." picomcp
 * checked that the required `name` is there. */
static picomcp_status prompt_greet(picomcp_call *call, void *userdata) {
    (void)userdata;
    static char name[16 * 1024];
    size_t name_len;
    picomcp_status s = picomcp_call_arg_string(call, "name", name, sizeof name, &name_len);
    if (s != PICOMCP_STATUS_OK) return s;
    text_builder t = {0};
    put_str(&t, "Hello, ");
    put(&t, name, name_len);
    put_str(&t, "! Please greet ");
    put(&t, name, name_len);
    put_str(&t, " warmly.");
    if (t.overflow) return PICOMCP_STATUS_NO_ROOM;
    s = picomcp_call_describe(call, "A greeting", PICOMCP_STRLEN);
    if (s != PICOMCP_STATUS_OK) return s;
    return picomcp_call_message(call, PICOMCP_ROLE_USER, scratch, t.len);
}

/* ------------------------------------------------------------------ completion */

/* Copy a call field; false when it is absent (or too long to be one we know). */
static bool field(picomcp_call *call, picomcp_field which, char *buf, size_t cap) {
    return picomcp_call_field(call, which, buf, cap, NULL) == PICOMCP_STATUS_OK;
}

/* completion/complete: the contract's values for greet/name and items/id that start
 * with the typed text, in order; anything else completes to nothing. */
static picomcp_status complete(picomcp_call *call, void *userdata) {
    (void)userdata;
    static const char *const NAMES[] = {"Ada", "Alan", "Grace", "Linus", NULL};
    static const char *const IDS[] = {"1", "2", "3", NULL};
    char ref[64], argument[64], typed[256];
    const char *const *candidates = NULL;
    if (!field(call, PICOMCP_FIELD_ARGUMENT, argument, sizeof argument)) return PICOMCP_STATUS_OK;
    if (field(call, PICOMCP_FIELD_NAME, ref, sizeof ref)) { /* ref/prompt */
        if (strcmp(ref, "greet") == 0 && strcmp(argument, "name") == 0) candidates = NAMES;
    } else if (field(call, PICOMCP_FIELD_URI, ref, sizeof ref)) { /* ref/resource */
        if (strcmp(ref, "demo://items/{id}") == 0 && strcmp(argument, "id") == 0) candidates = IDS;
    }
    size_t typed_len;
    if (candidates == NULL || picomcp_call_field(call, PICOMCP_FIELD_VALUE, typed, sizeof typed, &typed_len) !=
                                  PICOMCP_STATUS_OK) {
        return PICOMCP_STATUS_OK; /* an empty list */
    }
    for (; *candidates != NULL; candidates++) {
        if (strlen(*candidates) >= typed_len && memcmp(*candidates, typed, typed_len) == 0) {
            picomcp_status s = picomcp_call_suggest(call, *candidates, PICOMCP_STRLEN);
            if (s != PICOMCP_STATUS_OK) return s;
        }
    }
    return PICOMCP_STATUS_OK;
}

/* ------------------------------------------------------------------ setting up */

/* Say what failed and give the status back (for chaining with ||). */
static bool failed(const char *what, picomcp_status s) {
    if (s == PICOMCP_STATUS_OK) return false;
    fprintf(stderr, DEMO_NAME ": %s: %s\n", what, picomcp_status_str(s));
    return true;
}

/* A server with the contract's capacities, in memory from malloc.
 *
 * Without malloc, give it memory of your own instead (the defaults need about 640 KiB,
 * mostly the input and output buffers; shrink them in `config` for a small device):
 *
 *     static unsigned char memory[700 * 1024];   // >= picomcp_storage_size(&config)
 *     picomcp_server_init(memory, sizeof memory, &config, DEMO_NAME, DEMO_VERSION, &server);
 *
 * There is nothing to free then. Without std (firmware) there are no drivers either:
 * feed input with picomcp_server_receive, send picomcp_server_take_output's bytes, and
 * call picomcp_server_poll when the delay it returns has passed. */
static picomcp_server *make_server(void) {
    picomcp_config config = picomcp_config_default();
    config.max_requests = MAX_REQUESTS; /* the waits table has as many entries */
    picomcp_server *server = NULL;
    if (failed("creating the server", picomcp_server_new(&config, DEMO_NAME, DEMO_VERSION, &server))) return NULL;
    return server;
}

/* Register the contract and the callbacks; false (after saying why) on failure. */
static bool register_demo(picomcp_server *server, demo_state *demo) {
    return !(failed("instructions", picomcp_server_set_instructions(server, INSTRUCTIONS)) ||
             failed("tool echo", picomcp_server_add_tool(server, &ECHO_TOOL, tool_echo, NULL)) ||
             failed("tool add", picomcp_server_add_tool(server, &ADD_TOOL, tool_add, NULL)) ||
             failed("tool fail", picomcp_server_add_tool(server, &FAIL_TOOL, tool_fail, NULL)) ||
             failed("tool slow", picomcp_server_add_tool(server, &SLOW_TOOL, tool_slow, demo)) ||
             failed("resource", picomcp_server_add_resource(server, &README_RESOURCE, read_readme, NULL)) ||
             failed("template", picomcp_server_add_template(server, &ITEM_TEMPLATE, read_item, NULL)) ||
             failed("prompt", picomcp_server_add_prompt(server, &GREET_PROMPT, prompt_greet, NULL)) ||
             failed("completion", picomcp_server_on_complete(server, complete, NULL)) ||
             failed("poll callback", picomcp_server_on_poll(server, on_poll, demo)) ||
             failed("cancel callback", picomcp_server_on_cancel(server, on_cancel, demo)));
}

/* ------------------------------------------------------------------ the command line */

/* This program's path, for the connect instructions. */
static const char *own_path(const char *argv0) {
    static char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return argv0;
    path[n] = '\0';
    return path;
}

/* Write `s` as the inside of a JSON string. */
static void put_json_string(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
}

/* Tell a human on stderr how to connect a client (stdout carries only MCP). */
static void banner_stdio(const char *exe) {
    fprintf(stderr,
            DEMO_NAME " " DEMO_VERSION ": an MCP server on stdin/stdout (protocol revisions "
                      "2024-11-05 to 2026-07-28).\n"
                      "Connect a client:\n"
                      "  MCP Inspector:  npx @modelcontextprotocol/inspector %s\n"
                      "  Claude Desktop: add to claude_desktop_config.json\n"
                      "    {\"mcpServers\": {\"" DEMO_NAME "\": {\"command\": \"",
            exe);
    put_json_string(stderr, exe);
    fputs("\"}}}\n", stderr);
}

static void banner_http(const char *host, unsigned port) {
    const char *open = strchr(host, ':') ? "[" : "", *close = strchr(host, ':') ? "]" : "";
    fprintf(stderr,
            DEMO_NAME " " DEMO_VERSION ": an MCP server on Streamable HTTP at http://%s%s%s:%u/mcp "
                      "(protocol revisions 2024-11-05 to 2026-07-28).\n"
                      "Connect a client:\n"
                      "  MCP Inspector:  npx @modelcontextprotocol/inspector, then transport "
                      "\"Streamable HTTP\", URL http://%s%s%s:%u/mcp\n",
            open, host, close, port, open, host, close, port);
}

static int usage(void) {
    fputs("usage: " DEMO_NAME " [--http HOST:PORT]\n"
          "  serves MCP on stdin/stdout, or with --http on Streamable HTTP at http://HOST:PORT/mcp\n"
          "  (see docs/demo-contract.md)\n",
          stderr);
    return 2;
}

/* Split "HOST:PORT" (or "[IPv6]:PORT") into `host` (`cap` bytes) and a port 1-65535
 * (the C API serves on the port it is given; 0 would pick one it cannot report). */
static bool parse_address(const char *address, char *host, size_t cap, unsigned *port) {
    const char *colon = strrchr(address, ':');
    if (colon == NULL || colon == address) return false;
    const char *start = address, *end = colon;
    if (*start == '[' && end[-1] == ']') start++, end--;
    if ((size_t)(end - start) >= cap) return false;
    memcpy(host, start, (size_t)(end - start));
    host[end - start] = '\0';
    char *rest;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &rest, 10);
    if (errno != 0 || *rest != '\0' || colon[1] == '\0' || p == 0 || p > 65535) return false;
    *port = (unsigned)p;
    return true;
}

int main(int argc, char **argv) {
    char host[256];
    unsigned port = 0;
    bool http = false;
    if (argc == 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf(DEMO_NAME " " DEMO_VERSION "\n");
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--http") == 0) {
        if (!parse_address(argv[2], host, sizeof host, &port)) {
            fprintf(stderr, DEMO_NAME ": --http wants HOST:PORT with a port 1-65535, not %s\n", argv[2]);
            return 2;
        }
        http = true;
    } else if (argc != 1) {
        return usage();
    }

    static demo_state demo; /* zeroed: no waits */
    picomcp_server *server = make_server();
    if (server == NULL) return 1;
    demo.server = server;
    if (!register_demo(server, &demo)) {
        picomcp_server_free(server);
        return 1;
    }

    picomcp_status served;
    if (http) {
        banner_http(host, port);
        served = picomcp_server_serve_http(server, host, (uint16_t)port); /* until killed */
    } else {
        banner_stdio(own_path(argv[0]));
        served = picomcp_server_serve_stdio(server); /* until stdin closes */
    }
    picomcp_server_free(server);
    if (failed(http ? "serving HTTP" : "serving stdio", served)) return 1;
    return 0;
}
