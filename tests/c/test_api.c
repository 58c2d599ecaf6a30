/*
 * test_api.c: unit tests of picomcp's C API (include/picomcp.h) through the sans-IO loop
 * (picomcp_server_receive / _take_output / _poll). Each test prints its name; the first
 * failed check prints file:line, the actual value and the last output, and exits 1.
 *
 * Build: see tests/c/run.sh (plain, valgrind, ASan/UBSan, shared library).
 *
 * The HTTP authorization test (std builds) runs picomcp_server_serve_http in a forked
 * child and talks plain HTTP to it over loopback.
 */
/* fork, sockets, nanosleep (the HTTP test). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "picomcp.h"

/* `_meta` of a 2026-07-28 request, without and with extra members. */
#define META_FIELDS                                                          \
    "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","           \
    "\"io.modelcontextprotocol/clientCapabilities\":{}"
#define META "\"_meta\":{" META_FIELDS "}"
#define META_WITH(extra) "\"_meta\":{" META_FIELDS "," extra "}"
/* How a 2026-07-28 result of the test server ends. */
#define DONE                                                                                       \
    "\"resultType\":\"complete\",\"_meta\":{\"io.modelcontextprotocol/serverInfo\":{\"name\":\"c-tests\"," \
    "\"version\":\"1.2.3\"}}}}\n"

/* Invalid UTF-8: a lone continuation byte, and a truncated sequence. */
static const char BAD_UTF8[] = "bad\x80name";
static const char BAD_UTF8_2[] = "x\xc3";

/* ---------------------------------------------------------------------------------- */
/* The rig: a server in caller memory, its output, and a tool whose behaviour each test */
/* sets.                                                                                 */

/* All output taken from the server since the last reset, NUL-terminated. */
static char out_buf[1 << 20];
static size_t out_len;

static void out_reset(void) {
    out_len = 0;
    out_buf[0] = 0;
    check_context = out_buf;
}

/* Take every queued byte, in chunks of `chunk` bytes (to cross message boundaries). */
static void drain_chunked(picomcp_server *s, size_t chunk) {
    for (;;) {
        size_t n = 0;
        size_t room = sizeof out_buf - 1 - out_len;
        CHECK(room > 0);
        CHECK_OK(picomcp_server_take_output(s, (uint8_t *)out_buf + out_len, chunk < room ? chunk : room, &n));
        out_len += n;
        out_buf[out_len] = 0;
        if (n == 0) break;
    }
    CHECK_EQ(picomcp_server_pending_output(s), 0);
}

static void drain(picomcp_server *s) { drain_chunked(s, 4096); }

/* Feed `len` bytes, the way a host must: on OUTPUT_FULL drain (into out_buf) and call
   again with what was not consumed (possibly nothing) until OK. */
static void feed(picomcp_server *s, const char *data, size_t len) {
    for (int rounds = 0;; rounds++) {
        size_t consumed = 12345;
        picomcp_status st = picomcp_server_receive(s, (const uint8_t *)data, len, &consumed);
        CHECK(consumed <= len);
        data += consumed;
        len -= consumed;
        if (st == PICOMCP_STATUS_OK) break;
        CHECK_STATUS(st, PICOMCP_STATUS_OUTPUT_FULL);
        CHECK(picomcp_server_pending_output(s) > 0);
        drain(s);
        CHECK(rounds < 10000);
    }
    CHECK_EQ(len, 0);
}

/* Send one message (a newline is added), then take everything it produced. */
static const char *rpc(picomcp_server *s, const char *line) {
    static char framed[1 << 16];
    size_t n = strlen(line);
    CHECK(n + 1 < sizeof framed);
    memcpy(framed, line, n);
    framed[n] = '\n';
    out_reset();
    feed(s, framed, n + 1);
    drain(s);
    return out_buf;
}

/* How many times `needle` occurs in `hay`. */
static int count_of(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

typedef struct rig {
    void *block;
    picomcp_server *s;
} rig;

/* A small configuration (fast to set up, small enough for valgrind). */
static picomcp_config small_config(void) {
    picomcp_config c = picomcp_config_default();
    c.max_tools = 8;
    c.max_resources = 4;
    c.max_templates = 4;
    c.max_prompts = 4;
    c.max_prompt_arguments = 8;
    c.max_requests = 8;
    c.text_bytes = 4096;
    c.result_bytes = 4096;
    c.input_bytes = 8192;
    c.output_bytes = 32768;
    c.subscription_bytes = 256;
    return c;
}

static picomcp_server *rig_open(rig *r, const picomcp_config *c) {
    size_t size = picomcp_storage_size(c);
    CHECK(size > 0);
    r->block = malloc(size);
    CHECK(r->block != NULL);
    r->s = NULL;
    CHECK_OK(picomcp_server_init(r->block, size, c, "c-tests", "1.2.3", &r->s));
    CHECK(r->s != NULL);
    return r->s;
}

static void rig_close(rig *r) {
    free(r->block);
    r->block = NULL;
    r->s = NULL;
}

/* The server the callbacks see. */
static picomcp_server *g_server;
/* What the tool "t" does (set per test). */
typedef picomcp_status (*behaviour)(picomcp_call *call);
static behaviour g_tool;
/* The userdata every callback must get back. */
static int g_userdata;
/* Tickets and counters the callbacks record. */
static uint64_t g_ticket;
static int g_calls;

static picomcp_status dispatch(picomcp_call *call, void *userdata) {
    CHECK(userdata == &g_userdata);
    g_calls++;
    return g_tool ? g_tool(call) : PICOMCP_STATUS_OK;
}

/* A server in caller memory with tool "t" (any arguments) calling g_tool. */
static picomcp_server *tool_rig(rig *r, const picomcp_config *c, behaviour b) {
    picomcp_config def = small_config();
    picomcp_server *s = rig_open(r, c ? c : &def);
    picomcp_tool t = {0};
    t.name = "t";
    t.description = "the test tool";
    CHECK_OK(picomcp_server_add_tool(s, &t, dispatch, &g_userdata));
    g_server = s;
    g_tool = b;
    g_calls = 0;
    return s;
}

/* A tools/call of "t" (2026-07-28) with `args` (a JSON object) and id `id`. */
static const char *call_t(picomcp_server *s, int id, const char *args) {
    static char line[1 << 15];
    snprintf(line, sizeof line,
             "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"t\","
             "\"arguments\":%s," META "}}",
             id, args);
    return rpc(s, line);
}

/* The same with a progressToken (and a log level) in _meta. */
static const char *call_t_meta(picomcp_server *s, int id, const char *args, const char *extra_meta) {
    static char line[1 << 15];
    snprintf(line, sizeof line,
             "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"t\","
             "\"arguments\":%s,\"_meta\":{" META_FIELDS ",%s}}}",
             id, args, extra_meta);
    return rpc(s, line);
}

/* The legacy handshake at 2025-11-25. */
static const char *legacy_init(picomcp_server *s) {
    const char *o = rpc(s,
                        "{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{"
                        "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                        "\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}");
    CHECK_HAS(o, "\"id\":\"init\",\"result\":{\"protocolVersion\":\"2025-11-25\"");
    static char copy[1 << 15];
    snprintf(copy, sizeof copy, "%s", o);
    rpc(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    CHECK_EQ(out_len, 0);
    check_context = copy;
    return copy;
}

/* ---------------------------------------------------------------------------------- */

static void test_version_and_status_str(void) {
    TEST("version_and_status_str");
    CHECK_STR(picomcp_version(), PICOMCP_VERSION);
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", PICOMCP_VERSION_MAJOR, PICOMCP_VERSION_MINOR, PICOMCP_VERSION_PATCH);
    CHECK_STR(picomcp_version(), v);
    static const char *const want[] = {
        "ok",
        "a required pointer argument was NULL",
        "text is not valid UTF-8",
        "invalid JSON text",
        "invalid argument",
        "the buffer is too small",
        "no room left in the server's storage",
        "the memory is smaller than picomcp_storage_size",
        "the name is already registered",
        "misuse of the API",
        "unknown, answered or cancelled ticket",
        "no such argument or field",
        "the value has another JSON type",
        "not found",
        "the result buffer is busy with another answer",
        "writer calls out of order",
        "not possible in the request's protocol revision",
        "the output queue is full",
        "input/output error",
        "the callback failed",
    };
    static const picomcp_status numbers[] = {
        PICOMCP_STATUS_OK, PICOMCP_STATUS_NULL_POINTER, PICOMCP_STATUS_INVALID_UTF8,
        PICOMCP_STATUS_INVALID_JSON, PICOMCP_STATUS_INVALID_ARGUMENT, PICOMCP_STATUS_BUFFER_TOO_SMALL,
        PICOMCP_STATUS_NO_ROOM, PICOMCP_STATUS_MEMORY_TOO_SMALL, PICOMCP_STATUS_DUPLICATE,
        PICOMCP_STATUS_MISUSE, PICOMCP_STATUS_STALE_TICKET, PICOMCP_STATUS_MISSING,
        PICOMCP_STATUS_WRONG_TYPE, PICOMCP_STATUS_NOT_FOUND, PICOMCP_STATUS_BUSY,
        PICOMCP_STATUS_OUT_OF_ORDER, PICOMCP_STATUS_WRONG_REVISION, PICOMCP_STATUS_OUTPUT_FULL,
        PICOMCP_STATUS_IO, PICOMCP_STATUS_CALLBACK_FAILED,
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK_EQ(numbers[i], (picomcp_status)i);
        CHECK_STR(picomcp_status_str(numbers[i]), want[i]);
    }
    CHECK_STR(picomcp_status_str(20), "unknown status");
    CHECK_STR(picomcp_status_str(-1), "unknown status");
    CHECK_STR(picomcp_status_str(INT32_MIN), "unknown status");
    CHECK_STR(picomcp_status_str(INT32_MAX), "unknown status");
}

static void test_config_and_storage_size(void) {
    TEST("config_and_storage_size");
    picomcp_config c = picomcp_config_default();
    CHECK_EQ(c.max_tools, 32);
    CHECK_EQ(c.max_resources, 32);
    CHECK_EQ(c.max_templates, 16);
    CHECK_EQ(c.max_prompts, 16);
    CHECK_EQ(c.max_prompt_arguments, 64);
    CHECK_EQ(c.max_requests, 64);
    CHECK_EQ(c.text_bytes, 32 << 10);
    CHECK_EQ(c.result_bytes, 64 << 10);
    CHECK_EQ(c.input_bytes, 256 << 10);
    CHECK_EQ(c.output_bytes, 256 << 10);
    CHECK_EQ(c.subscription_bytes, 4 << 10);
    CHECK_EQ(c.page_size, 0);
    size_t def = picomcp_storage_size(NULL);
    CHECK(def > (size_t)(32 << 10) + (64 << 10) + (256 << 10) * 2);
    CHECK_EQ(picomcp_storage_size(&c), def);
    /* More of anything needs more memory. */
    c.text_bytes += 100;
    CHECK_EQ(picomcp_storage_size(&c), def + 100);
    /* Zero capacities that must not be zero: invalid (size 0). */
    const uint32_t zeroable[] = {0, 1, 2, 3, 4, 6, 10, 11};
    for (int field = 0; field < 12; field++) {
        c = picomcp_config_default();
        ((uint32_t *)&c)[field] = 0;
        int may_be_zero = 0;
        for (size_t i = 0; i < sizeof zeroable / sizeof zeroable[0]; i++) may_be_zero |= (int)zeroable[i] == field;
        if (may_be_zero)
            CHECK(picomcp_storage_size(&c) > 0);
        else
            CHECK_EQ(picomcp_storage_size(&c), 0);
    }
    /* No tables and no texts at all is fine. */
    c = picomcp_config_default();
    c.max_tools = c.max_resources = c.max_templates = c.max_prompts = c.max_prompt_arguments = 0;
    c.text_bytes = 0;
    CHECK(picomcp_storage_size(&c) > 0);
}

static void test_init_statuses(void) {
    TEST("init_statuses");
    picomcp_config c = small_config();
    size_t size = picomcp_storage_size(&c);
    unsigned char *mem = malloc(size);
    picomcp_server *s = NULL;
    CHECK_STATUS(picomcp_server_init(NULL, size, &c, "n", "v", &s), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_init(mem, size, &c, NULL, "v", &s), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_init(mem, size, &c, "n", NULL, &s), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_init(mem, size, &c, "n", "v", NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK(s == NULL);
    CHECK_STATUS(picomcp_server_init(mem, size - 1, &c, "n", "v", &s), PICOMCP_STATUS_MEMORY_TOO_SMALL);
    CHECK_STATUS(picomcp_server_init(mem, 0, &c, "n", "v", &s), PICOMCP_STATUS_MEMORY_TOO_SMALL);
    CHECK_STATUS(picomcp_server_init(mem, size, &c, BAD_UTF8, "v", &s), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(picomcp_server_init(mem, size, &c, "n", BAD_UTF8_2, &s), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(picomcp_server_init(mem, size, &c, "", "v", &s), PICOMCP_STATUS_INVALID_ARGUMENT);
    CHECK(s == NULL);
    /* An invalid configuration (storage size 0). */
    picomcp_config bad = c;
    bad.output_bytes = 0;
    CHECK_EQ(picomcp_storage_size(&bad), 0);
    CHECK_STATUS(picomcp_server_init(mem, size, &bad, "n", "v", &s), PICOMCP_STATUS_INVALID_ARGUMENT);
    bad = c;
    bad.max_requests = 0;
    CHECK_STATUS(picomcp_server_init(mem, size, &bad, "n", "v", &s), PICOMCP_STATUS_INVALID_ARGUMENT);
    /* Names that do not fit text_bytes. */
    picomcp_config tiny = c;
    tiny.text_bytes = 4;
    size_t tiny_size = picomcp_storage_size(&tiny);
    CHECK_STATUS(picomcp_server_init(mem, tiny_size, &tiny, "name", "1.0", &s), PICOMCP_STATUS_NO_ROOM);
    CHECK_OK(picomcp_server_init(mem, tiny_size, &tiny, "ab", "cd", &s));
    CHECK(s != NULL);
    /* NULL config means the defaults: this memory is too small for them. */
    CHECK_STATUS(picomcp_server_init(mem, size, NULL, "n", "v", &s), PICOMCP_STATUS_MEMORY_TOO_SMALL);
    free(mem);

    /* The defaults, with a NULL config. */
    size_t dsize = picomcp_storage_size(NULL);
    mem = malloc(dsize);
    s = NULL;
    CHECK_OK(picomcp_server_init(mem, dsize, NULL, "defaults", "0", &s));
    const char *o = legacy_init(s);
    CHECK_HAS(o, "\"serverInfo\":{\"name\":\"defaults\",\"version\":\"0\"}");
    free(mem);
}

#ifdef PICOMCP_STD
static void test_new_free(void) {
    TEST("new_free");
    picomcp_server *s = NULL;
    picomcp_config c = small_config();
    CHECK_STATUS(picomcp_server_new(&c, "n", "v", NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_new(&c, NULL, "v", &s), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_new(&c, BAD_UTF8, "v", &s), PICOMCP_STATUS_INVALID_UTF8);
    picomcp_config bad = c;
    bad.input_bytes = 0;
    CHECK_STATUS(picomcp_server_new(&bad, "n", "v", &s), PICOMCP_STATUS_INVALID_ARGUMENT);
    bad = c;
    bad.text_bytes = 1;
    CHECK_STATUS(picomcp_server_new(&bad, "name", "v", &s), PICOMCP_STATUS_NO_ROOM);
    CHECK(s == NULL);
    CHECK_OK(picomcp_server_new(&c, "heap", "9", &s));
    CHECK(s != NULL);
    picomcp_tool t = {0};
    t.name = "t";
    CHECK_OK(picomcp_server_add_tool(s, &t, dispatch, &g_userdata));
    g_tool = NULL;
    const char *o = legacy_init(s);
    CHECK_HAS(o, "\"serverInfo\":{\"name\":\"heap\",\"version\":\"9\"}");
    o = call_t(s, 1, "{}");
    CHECK_HAS(o, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]");
    picomcp_server_free(s);
    picomcp_server_free(NULL);
    /* The defaults (NULL config). */
    s = NULL;
    CHECK_OK(picomcp_server_new(NULL, "d", "1", &s));
    picomcp_server_free(s);
    /* A server in caller memory is left alone by picomcp_server_free. */
    rig r;
    picomcp_server *cs = rig_open(&r, &c);
    picomcp_server_free(cs);
    o = legacy_init(cs);
    CHECK_HAS(o, "c-tests");
    rig_close(&r);
}
#endif

static picomcp_status noop_handler(picomcp_call *call, void *userdata) {
    (void)call;
    (void)userdata;
    return PICOMCP_STATUS_OK;
}

static void test_register_tool_statuses(void) {
    TEST("register_tool_statuses");
    rig r;
    picomcp_config c = small_config();
    c.max_tools = 3;
    picomcp_server *s = rig_open(&r, &c);
    picomcp_tool t = {0};
    t.name = "a";
    CHECK_STATUS(picomcp_server_add_tool(NULL, &t, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_add_tool(s, NULL, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_add_tool(s, &t, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    t.name = NULL;
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    t.name = "";
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_INVALID_ARGUMENT);
    t.name = BAD_UTF8;
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_INVALID_UTF8);
    t.name = "a";
    t.title = BAD_UTF8_2;
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_INVALID_UTF8);
    t.title = NULL;
    t.description = BAD_UTF8;
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_INVALID_UTF8);
    t.description = NULL;
    t.input_schema = "{\"type\":\"object\",\"description\":\"\x80\"}";
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_INVALID_UTF8);
    t.input_schema = NULL;
    t.annotations.title = BAD_UTF8;
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_INVALID_UTF8);
    t.annotations.title = NULL;
    /* Schemas. */
    const char *bad_inputs[] = {"not json", "{\"type\":\"object\"", "[1]", "{\"type\":\"string\"}", "{}", "3", ""};
    for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) {
        t.input_schema = bad_inputs[i];
        CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_INVALID_JSON);
    }
    t.input_schema = NULL;
    const char *bad_outputs[] = {"nope", "[]", "{\"type\":}", "\"s\""};
    for (size_t i = 0; i < sizeof bad_outputs / sizeof bad_outputs[0]; i++) {
        t.output_schema = bad_outputs[i];
        CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_INVALID_JSON);
    }
    t.output_schema = NULL;
    /* Hints. */
    t.annotations.read_only = 3;
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_INVALID_ARGUMENT);
    t.annotations.read_only = PICOMCP_HINT_UNSET;
    t.annotations.open_world = 255;
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_INVALID_ARGUMENT);
    t.annotations.open_world = PICOMCP_HINT_FALSE;
    /* Nothing of the refused ones was kept. */
    CHECK_OK(picomcp_server_add_tool(s, &t, noop_handler, NULL));
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_DUPLICATE);
    picomcp_tool b = {0};
    b.name = "b";
    b.input_schema = "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}},\"required\":[\"x\"]}";
    b.output_schema = "{\"type\":\"object\"}";
    CHECK_OK(picomcp_server_add_tool(s, &b, noop_handler, NULL));
    picomcp_tool cc = {0};
    cc.name = "c";
    CHECK_OK(picomcp_server_add_tool(s, &cc, noop_handler, NULL));
    picomcp_tool d = {0};
    d.name = "d";
    CHECK_STATUS(picomcp_server_add_tool(s, &d, noop_handler, NULL), PICOMCP_STATUS_NO_ROOM);
    CHECK_STATUS(picomcp_server_add_tool(s, &cc, noop_handler, NULL), PICOMCP_STATUS_DUPLICATE);
    const char *o = legacy_init(s);
    CHECK_HAS(o, "\"tools\":{\"listChanged\":true}");
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    CHECK_HAS(o, "{\"name\":\"a\",\"inputSchema\":{\"type\":\"object\"},\"annotations\":{\"openWorldHint\":false}}");
    CHECK_HAS(o, "{\"name\":\"b\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}},"
                 "\"required\":[\"x\"]},\"outputSchema\":{\"type\":\"object\"}}");
    CHECK_HAS(o, "{\"name\":\"c\",\"inputSchema\":{\"type\":\"object\"}}");
    CHECK_LACKS(o, "\"d\"");
    rig_close(&r);

    /* text_bytes used up: refused whole, the next smaller one still fits. */
    c = small_config();
    c.text_bytes = 64;
    s = rig_open(&r, &c);
    picomcp_tool big = {0};
    big.name = "big";
    big.description = "0123456789012345678901234567890123456789012345678901234567890123456789";
    CHECK_STATUS(picomcp_server_add_tool(s, &big, noop_handler, NULL), PICOMCP_STATUS_NO_ROOM);
    big.description = "short";
    CHECK_OK(picomcp_server_add_tool(s, &big, noop_handler, NULL));
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\",\"params\":{" META "}}");
    CHECK_HAS(o, "\"tools\":[{\"name\":\"big\",\"description\":\"short\",\"inputSchema\":{\"type\":\"object\"}}]");
    rig_close(&r);
}

static void test_register_others_statuses(void) {
    TEST("register_resources_templates_prompts");
    rig r;
    picomcp_config c = small_config();
    c.max_resources = 2;
    c.max_templates = 1;
    c.max_prompts = 2;
    c.max_prompt_arguments = 2;
    picomcp_server *s = rig_open(&r, &c);

    picomcp_resource res = {"demo://a", "a", "A", "the a", "text/plain"};
    CHECK_STATUS(picomcp_server_add_resource(NULL, &res, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_add_resource(s, NULL, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_add_resource(s, &res, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    res.uri = NULL;
    CHECK_STATUS(picomcp_server_add_resource(s, &res, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    res.uri = "demo://a";
    res.name = NULL;
    CHECK_STATUS(picomcp_server_add_resource(s, &res, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    res.name = "a";
    res.mime_type = BAD_UTF8;
    CHECK_STATUS(picomcp_server_add_resource(s, &res, noop_handler, NULL), PICOMCP_STATUS_INVALID_UTF8);
    res.mime_type = "text/plain";
    res.uri = BAD_UTF8_2;
    CHECK_STATUS(picomcp_server_add_resource(s, &res, noop_handler, NULL), PICOMCP_STATUS_INVALID_UTF8);
    res.uri = "demo://a";
    CHECK_OK(picomcp_server_add_resource(s, &res, noop_handler, NULL));
    picomcp_resource dup = {"demo://a", "other", NULL, NULL, NULL};
    CHECK_STATUS(picomcp_server_add_resource(s, &dup, noop_handler, NULL), PICOMCP_STATUS_DUPLICATE);
    picomcp_resource r2 = {"demo://b", "b", NULL, NULL, NULL};
    CHECK_OK(picomcp_server_add_resource(s, &r2, noop_handler, NULL));
    picomcp_resource r3 = {"demo://c", "c", NULL, NULL, NULL};
    CHECK_STATUS(picomcp_server_add_resource(s, &r3, noop_handler, NULL), PICOMCP_STATUS_NO_ROOM);

    picomcp_template tp = {"demo://items/{id}", "items", NULL, NULL, "application/json"};
    CHECK_STATUS(picomcp_server_add_template(NULL, &tp, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_add_template(s, NULL, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_add_template(s, &tp, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    picomcp_template bad = {"demo://items/{id", "bad", NULL, NULL, NULL};
    CHECK_STATUS(picomcp_server_add_template(s, &bad, noop_handler, NULL), PICOMCP_STATUS_INVALID_ARGUMENT);
    bad.uri_template = "demo://{}";
    CHECK_STATUS(picomcp_server_add_template(s, &bad, noop_handler, NULL), PICOMCP_STATUS_INVALID_ARGUMENT);
    bad.uri_template = BAD_UTF8;
    CHECK_STATUS(picomcp_server_add_template(s, &bad, noop_handler, NULL), PICOMCP_STATUS_INVALID_UTF8);
    bad.uri_template = NULL;
    CHECK_STATUS(picomcp_server_add_template(s, &bad, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_OK(picomcp_server_add_template(s, &tp, noop_handler, NULL));
    CHECK_STATUS(picomcp_server_add_template(s, &tp, noop_handler, NULL), PICOMCP_STATUS_DUPLICATE);
    picomcp_template tp2 = {"demo://other/{x}", "other", NULL, NULL, NULL};
    CHECK_STATUS(picomcp_server_add_template(s, &tp2, noop_handler, NULL), PICOMCP_STATUS_NO_ROOM);

    picomcp_prompt_argument args[3] = {{"who", "whom to greet", true}, {"mood", NULL, false}, {"x", NULL, false}};
    picomcp_prompt p = {"greet", "Greeting", "Greets", args, 2};
    CHECK_STATUS(picomcp_server_add_prompt(NULL, &p, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_add_prompt(s, NULL, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_add_prompt(s, &p, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    picomcp_prompt nulls = {"n", NULL, NULL, NULL, 1};
    CHECK_STATUS(picomcp_server_add_prompt(s, &nulls, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    picomcp_prompt_argument unnamed[1] = {{NULL, NULL, false}};
    picomcp_prompt p_unnamed = {"n", NULL, NULL, unnamed, 1};
    CHECK_STATUS(picomcp_server_add_prompt(s, &p_unnamed, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    unnamed[0].name = "";
    CHECK_STATUS(picomcp_server_add_prompt(s, &p_unnamed, noop_handler, NULL), PICOMCP_STATUS_INVALID_ARGUMENT);
    unnamed[0].name = BAD_UTF8;
    CHECK_STATUS(picomcp_server_add_prompt(s, &p_unnamed, noop_handler, NULL), PICOMCP_STATUS_INVALID_UTF8);
    unnamed[0].name = "ok";
    unnamed[0].description = BAD_UTF8_2;
    CHECK_STATUS(picomcp_server_add_prompt(s, &p_unnamed, noop_handler, NULL), PICOMCP_STATUS_INVALID_UTF8);
    picomcp_prompt p_empty = {"", NULL, NULL, NULL, 0};
    CHECK_STATUS(picomcp_server_add_prompt(s, &p_empty, noop_handler, NULL), PICOMCP_STATUS_INVALID_ARGUMENT);
    picomcp_prompt p3 = {"three", NULL, NULL, args, 3};
    CHECK_STATUS(picomcp_server_add_prompt(s, &p3, noop_handler, NULL), PICOMCP_STATUS_NO_ROOM);
    CHECK_OK(picomcp_server_add_prompt(s, &p, noop_handler, NULL));
    CHECK_STATUS(picomcp_server_add_prompt(s, &p, noop_handler, NULL), PICOMCP_STATUS_DUPLICATE);
    /* The two arguments are used up. */
    picomcp_prompt p_one = {"one", NULL, NULL, args + 2, 1};
    CHECK_STATUS(picomcp_server_add_prompt(s, &p_one, noop_handler, NULL), PICOMCP_STATUS_NO_ROOM);
    picomcp_prompt p_none = {"none", NULL, NULL, NULL, 0};
    CHECK_OK(picomcp_server_add_prompt(s, &p_none, noop_handler, NULL));
    picomcp_prompt p_more = {"more", NULL, NULL, NULL, 0};
    CHECK_STATUS(picomcp_server_add_prompt(s, &p_more, noop_handler, NULL), PICOMCP_STATUS_NO_ROOM);

    CHECK_STATUS(picomcp_server_on_complete(NULL, noop_handler, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_on_complete(s, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_set_instructions(NULL, "x"), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_set_instructions(s, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_set_instructions(s, BAD_UTF8), PICOMCP_STATUS_INVALID_UTF8);
    static char huge[8192];
    memset(huge, 'i', sizeof huge - 1);
    CHECK_STATUS(picomcp_server_set_instructions(s, huge), PICOMCP_STATUS_NO_ROOM);
    CHECK_OK(picomcp_server_set_instructions(s, "Use \"quotes\"\nwisely"));

    const char *o = legacy_init(s);
    CHECK_HAS(o, "\"capabilities\":{\"logging\":{},\"resources\":{\"subscribe\":true,\"listChanged\":true},"
                 "\"prompts\":{\"listChanged\":true}}");
    CHECK_LACKS(o, "completions");
    CHECK_LACKS(o, "\"tools\"");
    CHECK_HAS(o, "\"instructions\":\"Use \\\"quotes\\\"\\nwisely\"");
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}");
    CHECK_HAS(o, "\"resources\":[{\"uri\":\"demo://a\",\"name\":\"a\",\"title\":\"A\",\"description\":\"the a\","
                 "\"mimeType\":\"text/plain\"},{\"uri\":\"demo://b\",\"name\":\"b\"}]");
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/templates/list\"}");
    CHECK_HAS(o, "\"resourceTemplates\":[{\"uriTemplate\":\"demo://items/{id}\",\"name\":\"items\","
                 "\"mimeType\":\"application/json\"}]");
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"prompts/list\"}");
    CHECK_HAS(o, "\"prompts\":[{\"name\":\"greet\",\"title\":\"Greeting\",\"description\":\"Greets\","
                 "\"arguments\":[{\"name\":\"who\",\"description\":\"whom to greet\",\"required\":true},"
                 "{\"name\":\"mood\",\"required\":false}]},{\"name\":\"none\"}]");
    rig_close(&r);
}

static void test_registration_closes(void) {
    TEST("registration_closes_when_serving");
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, NULL);
    /* Even an empty receive starts serving. */
    CHECK_OK(picomcp_server_receive(s, NULL, 0, NULL));
    picomcp_tool t = {0};
    t.name = "late";
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_MISUSE);
    picomcp_resource res = {"demo://late", "late", NULL, NULL, NULL};
    CHECK_STATUS(picomcp_server_add_resource(s, &res, noop_handler, NULL), PICOMCP_STATUS_MISUSE);
    picomcp_template tp = {"demo://late/{x}", "late", NULL, NULL, NULL};
    CHECK_STATUS(picomcp_server_add_template(s, &tp, noop_handler, NULL), PICOMCP_STATUS_MISUSE);
    picomcp_prompt p = {"late", NULL, NULL, NULL, 0};
    CHECK_STATUS(picomcp_server_add_prompt(s, &p, noop_handler, NULL), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_server_on_complete(s, noop_handler, NULL), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_server_set_instructions(s, "late"), PICOMCP_STATUS_MISUSE);
    /* Callbacks for cancellation and polling may change outside callbacks. */
    CHECK_OK(picomcp_server_on_cancel(s, NULL, NULL));
    CHECK_OK(picomcp_server_on_poll(s, NULL, NULL));
    rig_close(&r);

    /* picomcp_server_poll starts serving too. */
    s = tool_rig(&r, NULL, NULL);
    int64_t next = 5;
    CHECK_OK(picomcp_server_poll(s, &next));
    CHECK_EQ(next, -1);
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_MISUSE);
    rig_close(&r);
}

/* ---------------------------------------------------------------------------------- */
/* Calls: fields, arguments, writers.                                                  */

static picomcp_status tool_fields(picomcp_call *call) {
    CHECK_EQ(picomcp_call_kind(call), PICOMCP_CALL_TOOL);
    g_ticket = picomcp_call_ticket(call);
    CHECK(g_ticket != 0);
    CHECK(!picomcp_call_wants_progress(call));
    char buf[16];
    size_t len = 99;
    CHECK_OK(picomcp_call_field(call, PICOMCP_FIELD_NAME, buf, sizeof buf, &len));
    CHECK_STR(buf, "t");
    CHECK_EQ(len, 1);
    /* Sizing: cap 0 and NULL buf give the length. */
    len = 0;
    CHECK_STATUS(picomcp_call_field(call, PICOMCP_FIELD_NAME, NULL, 0, &len), PICOMCP_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(len, 1);
    /* cap == len leaves no room for the NUL. */
    CHECK_STATUS(picomcp_call_field(call, PICOMCP_FIELD_NAME, buf, 1, &len), PICOMCP_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(len, 1);
    CHECK_OK(picomcp_call_field(call, PICOMCP_FIELD_NAME, buf, 2, NULL));
    CHECK_STR(buf, "t");
    CHECK_STATUS(picomcp_call_field(call, PICOMCP_FIELD_NAME, NULL, 8, &len), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_field(call, PICOMCP_FIELD_URI, buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_field(call, PICOMCP_FIELD_ARGUMENT, buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_field(call, PICOMCP_FIELD_VALUE, buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_field(call, 99, buf, sizeof buf, &len), PICOMCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(picomcp_call_field(NULL, PICOMCP_FIELD_NAME, buf, sizeof buf, &len), PICOMCP_STATUS_NULL_POINTER);
    /* Variables belong to template reads only. */
    CHECK_STATUS(picomcp_call_variable(call, "id", buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_variable(call, NULL, buf, sizeof buf, &len), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_variable(call, BAD_UTF8, buf, sizeof buf, &len), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(picomcp_call_variable(NULL, "id", buf, sizeof buf, &len), PICOMCP_STATUS_NULL_POINTER);
    CHECK_OK(picomcp_call_text(call, "fields ok", PICOMCP_STRLEN));
    return PICOMCP_STATUS_OK;
}

static picomcp_status tool_arguments(picomcp_call *call) {
    char buf[64];
    size_t len = 0;
    /* "a\nb\u00e9\"\\\/" decodes to a, LF, b, U+00E9 (2 bytes), ", \, / : 8 bytes. */
    CHECK_OK(picomcp_call_arg_string(call, "s", buf, sizeof buf, &len));
    CHECK_EQ(len, 8);
    CHECK(memcmp(buf, "a\nb\xc3\xa9\"\\/", 9) == 0);
    /* Sizing with an escaped string reports the decoded length. */
    len = 0;
    CHECK_STATUS(picomcp_call_arg_string(call, "s", NULL, 0, &len), PICOMCP_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(len, 8);
    CHECK_STATUS(picomcp_call_arg_string(call, "s", buf, 8, &len), PICOMCP_STATUS_BUFFER_TOO_SMALL);
    CHECK_OK(picomcp_call_arg_string(call, "s", buf, 9, NULL));
    CHECK_EQ(buf[8], 0);
    CHECK_STATUS(picomcp_call_arg_string(call, "s", NULL, 9, &len), PICOMCP_STATUS_NULL_POINTER);
    /* A plain string. */
    CHECK_OK(picomcp_call_arg_string(call, "plain", buf, sizeof buf, &len));
    CHECK_STR(buf, "hello");
    CHECK_EQ(len, 5);
    CHECK_STATUS(picomcp_call_arg_string(call, "plain", buf, 3, &len), PICOMCP_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(len, 5);
    /* A surrogate pair. */
    CHECK_OK(picomcp_call_arg_string(call, "emoji", buf, sizeof buf, &len));
    CHECK_STR(buf, "\xf0\x9f\x98\x80");
    CHECK_STATUS(picomcp_call_arg_string(call, "n", buf, sizeof buf, &len), PICOMCP_STATUS_WRONG_TYPE);
    CHECK_STATUS(picomcp_call_arg_string(call, "nope", buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_arg_string(call, NULL, buf, sizeof buf, &len), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_arg_string(call, BAD_UTF8, buf, sizeof buf, &len), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(picomcp_call_arg_string(NULL, "s", buf, sizeof buf, &len), PICOMCP_STATUS_NULL_POINTER);

    double d = 0;
    CHECK_OK(picomcp_call_arg_number(call, "n", &d));
    CHECK(d == 1.5);
    CHECK_OK(picomcp_call_arg_number(call, "i", &d));
    CHECK(d == -42.0);
    CHECK_OK(picomcp_call_arg_number(call, "e", &d));
    CHECK(d == 2.5e3);
    CHECK_STATUS(picomcp_call_arg_number(call, "s", &d), PICOMCP_STATUS_WRONG_TYPE);
    CHECK_STATUS(picomcp_call_arg_number(call, "nope", &d), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_arg_number(call, "n", NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_arg_number(call, NULL, &d), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_arg_number(NULL, "n", &d), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_arg_number(call, BAD_UTF8, &d), PICOMCP_STATUS_INVALID_UTF8);

    int64_t i = 0;
    CHECK_OK(picomcp_call_arg_integer(call, "i", &i));
    CHECK_EQ(i, -42);
    CHECK_OK(picomcp_call_arg_integer(call, "big", &i));
    CHECK(i == INT64_MAX);
    CHECK_OK(picomcp_call_arg_integer(call, "e", &i));
    CHECK_EQ(i, 2500);
    CHECK_STATUS(picomcp_call_arg_integer(call, "n", &i), PICOMCP_STATUS_WRONG_TYPE);
    CHECK_STATUS(picomcp_call_arg_integer(call, "huge", &i), PICOMCP_STATUS_WRONG_TYPE);
    CHECK_STATUS(picomcp_call_arg_integer(call, "s", &i), PICOMCP_STATUS_WRONG_TYPE);
    CHECK_STATUS(picomcp_call_arg_integer(call, "nope", &i), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_arg_integer(call, "i", NULL), PICOMCP_STATUS_NULL_POINTER);

    bool b = false;
    CHECK_OK(picomcp_call_arg_bool(call, "yes", &b));
    CHECK(b == true);
    CHECK_OK(picomcp_call_arg_bool(call, "no", &b));
    CHECK(b == false);
    CHECK_STATUS(picomcp_call_arg_bool(call, "i", &b), PICOMCP_STATUS_WRONG_TYPE);
    CHECK_STATUS(picomcp_call_arg_bool(call, "null", &b), PICOMCP_STATUS_WRONG_TYPE);
    CHECK_STATUS(picomcp_call_arg_bool(call, "nope", &b), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_arg_bool(call, "yes", NULL), PICOMCP_STATUS_NULL_POINTER);

    const char *json = NULL;
    len = 0;
    CHECK_OK(picomcp_call_arg_json(call, "obj", &json, &len));
    CHECK_EQ(len, strlen("{\"k\": [1, 2]}"));
    CHECK(memcmp(json, "{\"k\": [1, 2]}", len) == 0);
    CHECK_OK(picomcp_call_arg_json(call, "s", &json, &len));
    CHECK(len > 2 && json[0] == '"' && json[len - 1] == '"');
    CHECK_OK(picomcp_call_arg_json(call, "null", &json, &len));
    CHECK(len == 4 && memcmp(json, "null", 4) == 0);
    CHECK_OK(picomcp_call_arg_json(call, NULL, &json, &len));
    CHECK(json[0] == '{' && json[len - 1] == '}');
    CHECK(len > 100);
    CHECK_STATUS(picomcp_call_arg_json(call, "nope", &json, &len), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_arg_json(call, "obj", NULL, &len), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_arg_json(call, "obj", &json, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_arg_json(call, BAD_UTF8, &json, &len), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(picomcp_call_arg_json(NULL, "obj", &json, &len), PICOMCP_STATUS_NULL_POINTER);

    /* Echo the decoded string back: the writer escapes it again. */
    CHECK_OK(picomcp_call_arg_string(call, "s", buf, sizeof buf, &len));
    CHECK_OK(picomcp_call_text(call, buf, len));
    return PICOMCP_STATUS_OK;
}

static void test_fields_and_arguments(void) {
    TEST("fields_and_arguments");
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_fields);
    const char *o = call_t(s, 1, "{}");
    CHECK_EQ(g_calls, 1);
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"fields ok\"}],"
                 "" DONE);
    g_tool = tool_arguments;
    o = call_t(s, 2,
               "{\"s\":\"a\\nb\\u00e9\\\"\\\\\\/\",\"plain\":\"hello\",\"emoji\":\"\\ud83d\\ude00\",\"n\":1.5,"
               "\"i\":-42,\"e\":2.5e3,\"big\":9223372036854775807,\"huge\":1e30,\"yes\":true,\"no\":false,"
               "\"null\":null,\"obj\":{\"k\": [1, 2]}}");
    CHECK_EQ(g_calls, 2);
    CHECK_HAS(o, "\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"a\\nb\xc3\xa9\\\"\\\\/\"}]");
    /* Arguments that are not an object never reach the callback. */
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"t\","
               "\"arguments\":[1]," META "}}");
    CHECK_HAS(o, "\"id\":3,\"error\":{\"code\":-32602");
    CHECK_EQ(g_calls, 2);
    /* An unknown tool neither. */
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"zz\"," META "}}");
    CHECK_HAS(o, "\"id\":4,\"error\":{\"code\":-32602");
    CHECK_EQ(g_calls, 2);
    rig_close(&r);
}

/* Schema-checked arguments: the callback runs only for valid ones. */
static picomcp_status tool_typed(picomcp_call *call) {
    int64_t x = 0;
    CHECK_OK(picomcp_call_arg_integer(call, "x", &x));
    char t[32];
    snprintf(t, sizeof t, "x=%lld", (long long)x);
    CHECK_OK(picomcp_call_text(call, t, PICOMCP_STRLEN));
    return PICOMCP_STATUS_OK;
}

static void test_schema_checked(void) {
    TEST("schema_checked_arguments");
    rig r;
    picomcp_config c = small_config();
    picomcp_server *s = rig_open(&r, &c);
    picomcp_tool t = {0};
    t.name = "t";
    t.input_schema = "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}},\"required\":[\"x\"]}";
    CHECK_OK(picomcp_server_add_tool(s, &t, dispatch, &g_userdata));
    g_tool = tool_typed;
    g_calls = 0;
    const char *o = call_t(s, 1, "{\"x\":7}");
    CHECK_HAS(o, "\"text\":\"x=7\"");
    o = call_t(s, 2, "{}");
    CHECK_HAS(o, "\"id\":2,\"");
    CHECK_HAS(o, "x");
    o = call_t(s, 3, "{\"x\":\"seven\"}");
    CHECK_HAS(o, "\"id\":3,\"");
    CHECK_EQ(g_calls, 1);
    rig_close(&r);
}

/* Raw bytes for the base64 writers, and their base64. */
static const uint8_t RAW[] = {0x00, 0xff, 0x10, 0x80, 0x7f};
#define RAW_B64 "AP8QgH8="

static picomcp_status tool_writers(picomcp_call *call) {
    CHECK_OK(picomcp_call_text(call, "abcdef", 3));
    CHECK_OK(picomcp_call_text(call, "quote\" back\\ tab\t nl\n ctl\x01 \xc3\xa9", PICOMCP_STRLEN));
    CHECK_OK(picomcp_call_text(call, NULL, 0));
    CHECK_STATUS(picomcp_call_text(call, NULL, 3), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_text(call, NULL, PICOMCP_STRLEN), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_text(call, BAD_UTF8, PICOMCP_STRLEN), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(picomcp_call_text(call, "\xc3\xa9", 1), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(picomcp_call_text(NULL, "x", 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_OK(picomcp_call_image(call, RAW, sizeof RAW, "image/png"));
    CHECK_STATUS(picomcp_call_image(call, RAW, sizeof RAW, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_image(call, NULL, 2, "image/png"), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_image(call, RAW, 1, BAD_UTF8), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_OK(picomcp_call_audio(call, (const uint8_t *)"hello", 5, "audio/wav"));
    CHECK_OK(picomcp_call_audio(call, NULL, 0, "audio/ogg"));
    CHECK_STATUS(picomcp_call_audio(call, NULL, 1, "audio/ogg"), PICOMCP_STATUS_NULL_POINTER);
    picomcp_resource link = {"demo://a", "a", "The A", "link to a", "text/plain"};
    CHECK_OK(picomcp_call_resource_link(call, &link));
    picomcp_resource minimal = {"demo://b", "b", NULL, NULL, NULL};
    CHECK_OK(picomcp_call_resource_link(call, &minimal));
    CHECK_STATUS(picomcp_call_resource_link(call, NULL), PICOMCP_STATUS_NULL_POINTER);
    minimal.uri = NULL;
    CHECK_STATUS(picomcp_call_resource_link(call, &minimal), PICOMCP_STATUS_NULL_POINTER);
    minimal.uri = "demo://b";
    minimal.name = BAD_UTF8;
    CHECK_STATUS(picomcp_call_resource_link(call, &minimal), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_OK(picomcp_call_embedded_text(call, "demo://e", "text/plain", "embedded", PICOMCP_STRLEN));
    CHECK_OK(picomcp_call_embedded_text(call, "demo://f", NULL, "xyz", 2));
    CHECK_STATUS(picomcp_call_embedded_text(call, NULL, NULL, "x", 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_embedded_text(call, "demo://e", NULL, BAD_UTF8, PICOMCP_STRLEN),
                 PICOMCP_STATUS_INVALID_UTF8);
    CHECK_OK(picomcp_call_embedded_blob(call, "demo://g", "application/octet-stream", RAW, sizeof RAW));
    CHECK_STATUS(picomcp_call_embedded_blob(call, "demo://g", NULL, NULL, 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_OK(picomcp_call_content_json(call, "{\"type\":\"text\",\"text\":\"raw\",\"_meta\":{\"k\":1}}",
                                       PICOMCP_STRLEN));
    CHECK_STATUS(picomcp_call_content_json(call, "{\"type\":", PICOMCP_STRLEN), PICOMCP_STATUS_INVALID_JSON);
    CHECK_STATUS(picomcp_call_content_json(call, "[1]", PICOMCP_STRLEN), PICOMCP_STATUS_INVALID_JSON);
    CHECK_STATUS(picomcp_call_content_json(call, "{} {}", PICOMCP_STRLEN), PICOMCP_STATUS_INVALID_JSON);
    /* Writers of other kinds of answers. */
    CHECK_STATUS(picomcp_call_contents_text(call, NULL, NULL, "x", 1), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_contents_blob(call, NULL, NULL, RAW, 1), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_message(call, PICOMCP_ROLE_USER, "x", 1), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_message_json(call, PICOMCP_ROLE_USER, "{}", 2), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_suggest(call, "x", 1), PICOMCP_STATUS_MISUSE);
    /* A callback's handle is sent when it returns. */
    CHECK_STATUS(picomcp_call_send(call), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_discard(call), PICOMCP_STATUS_MISUSE);
    /* Pieces were written: too late to defer. */
    uint64_t ticket = 0;
    CHECK_STATUS(picomcp_call_defer(call, &ticket), PICOMCP_STATUS_MISUSE);
    CHECK_EQ(ticket, 0);
    CHECK_STATUS(picomcp_call_structured(call, "{\"a\":", PICOMCP_STRLEN), PICOMCP_STATUS_INVALID_JSON);
    CHECK_STATUS(picomcp_call_structured(call, BAD_UTF8, PICOMCP_STRLEN), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_OK(picomcp_call_structured(call, "{\"sum\": 3, \"list\": [1, \"two\"]}", PICOMCP_STRLEN));
    /* Content after structured content is out of order; the flag is not content. */
    CHECK_STATUS(picomcp_call_text(call, "late", PICOMCP_STRLEN), PICOMCP_STATUS_OUT_OF_ORDER);
    CHECK_STATUS(picomcp_call_image(call, RAW, 1, "image/png"), PICOMCP_STATUS_OUT_OF_ORDER);
    CHECK_OK(picomcp_call_set_error(call, true));
    CHECK_STATUS(picomcp_call_set_error(NULL, true), PICOMCP_STATUS_NULL_POINTER);
    return PICOMCP_STATUS_OK;
}

static void test_content_writers(void) {
    TEST("content_writers");
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_writers);
    const char *o = call_t(s, 7, "{}");
    CHECK_EQ(g_calls, 1);
    CHECK_STR(o,
              "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":["
              "{\"type\":\"text\",\"text\":\"abc\"},"
              "{\"type\":\"text\",\"text\":\"quote\\\" back\\\\ tab\\t nl\\n ctl\\u0001 \xc3\xa9\"},"
              "{\"type\":\"text\",\"text\":\"\"},"
              "{\"type\":\"image\",\"data\":\"" RAW_B64 "\",\"mimeType\":\"image/png\"},"
              "{\"type\":\"audio\",\"data\":\"aGVsbG8=\",\"mimeType\":\"audio/wav\"},"
              "{\"type\":\"audio\",\"data\":\"\",\"mimeType\":\"audio/ogg\"},"
              "{\"type\":\"resource_link\",\"uri\":\"demo://a\",\"name\":\"a\",\"title\":\"The A\","
              "\"description\":\"link to a\",\"mimeType\":\"text/plain\"},"
              "{\"type\":\"resource_link\",\"uri\":\"demo://b\",\"name\":\"b\"},"
              "{\"type\":\"resource\",\"resource\":{\"uri\":\"demo://e\",\"mimeType\":\"text/plain\","
              "\"text\":\"embedded\"}},"
              "{\"type\":\"resource\",\"resource\":{\"uri\":\"demo://f\",\"text\":\"xy\"}},"
              "{\"type\":\"resource\",\"resource\":{\"uri\":\"demo://g\",\"mimeType\":\"application/octet-stream\","
              "\"blob\":\"" RAW_B64 "\"}},"
              "{\"type\":\"text\",\"text\":\"raw\",\"_meta\":{\"k\":1}}],"
              "\"structuredContent\":{\"sum\": 3, \"list\": [1, \"two\"]},\"isError\":true,"
              "" DONE);
    rig_close(&r);
}

/* Base64 of every length mod 3, and of all 256 byte values. */
static picomcp_status tool_b64(picomcp_call *call) {
    static uint8_t all[256];
    for (int i = 0; i < 256; i++) all[i] = (uint8_t)i;
    CHECK_OK(picomcp_call_image(call, all, 1, "a/b"));
    CHECK_OK(picomcp_call_image(call, all + 254, 2, "a/b"));
    CHECK_OK(picomcp_call_image(call, all, 256, "a/b"));
    return PICOMCP_STATUS_OK;
}

static void test_base64(void) {
    TEST("base64_exact");
    /* Expected, computed here independently. */
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static char want256[400];
    uint8_t all[256];
    for (int i = 0; i < 256; i++) all[i] = (uint8_t)i;
    size_t w = 0;
    for (size_t i = 0; i < 256; i += 3) {
        uint32_t v = (uint32_t)all[i] << 16;
        size_t n = 256 - i < 3 ? 256 - i : 3;
        if (n > 1) v |= (uint32_t)all[i + 1] << 8;
        if (n > 2) v |= all[i + 2];
        want256[w++] = alphabet[(v >> 18) & 63];
        want256[w++] = alphabet[(v >> 12) & 63];
        want256[w++] = n > 1 ? alphabet[(v >> 6) & 63] : '=';
        want256[w++] = n > 2 ? alphabet[v & 63] : '=';
    }
    want256[w] = 0;
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_b64);
    const char *o = call_t(s, 1, "{}");
    CHECK_HAS(o, "{\"type\":\"image\",\"data\":\"AA==\",\"mimeType\":\"a/b\"}");
    CHECK_HAS(o, "{\"type\":\"image\",\"data\":\"/v8=\",\"mimeType\":\"a/b\"}");
    static char want[512];
    snprintf(want, sizeof want, "{\"type\":\"image\",\"data\":\"%s\",\"mimeType\":\"a/b\"}", want256);
    CHECK_HAS(o, want);
    CHECK_HAS(want256, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v");
    rig_close(&r);
}

/* NO_ROOM with a small result buffer: the answer so far stays intact. */
static picomcp_status tool_no_room(picomcp_call *call) {
    static char big[2001];
    memset(big, 'x', sizeof big - 1);
    CHECK_OK(picomcp_call_text(call, "first", PICOMCP_STRLEN));
    CHECK_STATUS(picomcp_call_text(call, big, sizeof big), PICOMCP_STATUS_NO_ROOM);
    CHECK_STATUS(picomcp_call_image(call, (const uint8_t *)big, 600, "image/png"), PICOMCP_STATUS_NO_ROOM);
    CHECK_STATUS(picomcp_call_embedded_text(call, "demo://big", NULL, big, sizeof big), PICOMCP_STATUS_NO_ROOM);
    static char big_json[700];
    memcpy(big_json, "{\"k\":\"", 6);
    memset(big_json + 6, 'x', 600);
    memcpy(big_json + 606, "\"}", 3);
    CHECK_STATUS(picomcp_call_structured(call, big_json, PICOMCP_STRLEN), PICOMCP_STATUS_NO_ROOM);
    CHECK_STATUS(picomcp_call_content_json(call, big_json, PICOMCP_STRLEN), PICOMCP_STATUS_NO_ROOM);
    CHECK_STATUS(picomcp_call_resource_link(call, &(picomcp_resource){"demo://x", big, NULL, NULL, NULL}),
                 PICOMCP_STATUS_NO_ROOM);
    CHECK_OK(picomcp_call_text(call, "second", PICOMCP_STRLEN));
    /* Fill up to the brim with small pieces: every refused piece leaves the rest whole. */
    int added = 0;
    for (;;) {
        picomcp_status st = picomcp_call_text(call, "0123456789", PICOMCP_STRLEN);
        if (st == PICOMCP_STATUS_NO_ROOM) break;
        CHECK_OK(st);
        added++;
        CHECK(added < 100);
    }
    CHECK(added > 3);
    g_calls = 1000 + added;
    return PICOMCP_STATUS_OK;
}

static void test_no_room_result(void) {
    TEST("no_room_result_bytes");
    rig r;
    picomcp_config c = small_config();
    c.result_bytes = 512;
    picomcp_server *s = tool_rig(&r, &c, tool_no_room);
    const char *o = call_t(s, 1, "{}");
    int added = g_calls - 1000;
    CHECK_HAS(o, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"first\"},"
                 "{\"type\":\"text\",\"text\":\"second\"},{\"type\":\"text\",\"text\":\"0123456789\"}");
    CHECK_LACKS(o, "xxxxx");
    CHECK_EQ(count_of(o, "\"0123456789\""), added);
    CHECK_HAS(o, "\"0123456789\"}]," DONE);
    CHECK_EQ(count_of(o, "\n"), 1);
    /* The buffer is free again for the next call. */
    o = call_t(s, 2, "{}");
    CHECK_HAS(o, "\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"first\"}");
    rig_close(&r);
}

/* ---------------------------------------------------------------------------------- */
/* Callback outcomes.                                                                   */

static picomcp_status g_return;
static picomcp_status tool_returns(picomcp_call *call) {
    CHECK_OK(picomcp_call_text(call, "dropped", PICOMCP_STRLEN));
    return g_return;
}

static picomcp_status tool_fails(picomcp_call *call) {
    CHECK_OK(picomcp_call_text(call, "dropped", PICOMCP_STRLEN));
    CHECK_STATUS(picomcp_call_fail(call, -32602, BAD_UTF8), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(picomcp_call_fail(call, -32602, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_fail(NULL, -32602, "x"), PICOMCP_STATUS_NULL_POINTER);
    CHECK_OK(picomcp_call_fail(call, -32602, "Invalid params: \"n\" is odd"));
    /* Answered: everything else is misuse now. */
    CHECK_STATUS(picomcp_call_fail(call, -32602, "again"), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_text(call, "late", PICOMCP_STRLEN), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_defer(call, NULL), PICOMCP_STATUS_MISUSE);
    /* Its return status no longer matters. */
    return PICOMCP_STATUS_CALLBACK_FAILED;
}

static picomcp_status g_resource_return;
static picomcp_status resource_returns(picomcp_call *call, void *userdata) {
    (void)userdata;
    CHECK_EQ(picomcp_call_kind(call), PICOMCP_CALL_RESOURCE);
    return g_resource_return;
}

static picomcp_status prompt_returns(picomcp_call *call, void *userdata) {
    (void)userdata;
    CHECK_EQ(picomcp_call_kind(call), PICOMCP_CALL_PROMPT);
    CHECK_OK(picomcp_call_message(call, PICOMCP_ROLE_USER, "dropped", PICOMCP_STRLEN));
    return PICOMCP_STATUS_INVALID_ARGUMENT;
}

static void test_callback_outcomes(void) {
    TEST("callback_outcomes");
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_returns);
    picomcp_resource res = {"demo://r", "r", NULL, NULL, NULL};
    CHECK_OK(picomcp_server_add_resource(s, &res, resource_returns, NULL));
    picomcp_template tp = {"demo://items/{id}", "items", NULL, NULL, NULL};
    CHECK_OK(picomcp_server_add_template(s, &tp, resource_returns, NULL));
    picomcp_prompt p = {"p", NULL, NULL, NULL, 0};
    CHECK_OK(picomcp_server_add_prompt(s, &p, prompt_returns, NULL));

    /* A tool that fails: a tool error result naming the status; what it wrote is dropped. */
    g_return = PICOMCP_STATUS_CALLBACK_FAILED;
    const char *o = call_t(s, 1, "{}");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
                 "\"the tool failed: the callback failed\"}],\"isError\":true," DONE);
    g_return = PICOMCP_STATUS_NOT_FOUND;
    o = call_t(s, 2, "{}");
    CHECK_HAS(o, "\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"the tool failed: not found\"}],"
                 "\"isError\":true");
    g_return = 12345;
    o = call_t(s, 3, "{}");
    CHECK_HAS(o, "\"text\":\"the tool failed: unknown status\"}],\"isError\":true");
    g_return = PICOMCP_STATUS_OK;
    o = call_t(s, 4, "{}");
    CHECK_HAS(o, "\"id\":4,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"dropped\"}]");
    CHECK_LACKS(o, "isError");

    /* picomcp_call_fail: a JSON-RPC error, whatever was written or returned. */
    g_tool = tool_fails;
    o = call_t(s, 5, "{}");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":{\"code\":-32602,\"message\":"
                 "\"Invalid params: \\\"n\\\" is odd\"}}\n");

    /* Resources: NOT_FOUND is the protocol's not-found error, other statuses -32603. */
    g_resource_return = PICOMCP_STATUS_NOT_FOUND;
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"resources/read\",\"params\":{\"uri\":\"demo://r\"," META
               "}}");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":6,\"error\":{\"code\":-32602,\"message\":\"Resource not found: "
                 "demo://r\",\"data\":{\"uri\":\"demo://r\"}}}\n");
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"resources/read\",\"params\":{\"uri\":"
               "\"demo://items/a%20b\"," META "}}");
    CHECK_HAS(o, "\"id\":7,\"error\":{\"code\":-32602,\"message\":\"Resource not found: demo://items/a%20b\","
                 "\"data\":{\"uri\":\"demo://items/a%20b\"}}");
    g_resource_return = PICOMCP_STATUS_CALLBACK_FAILED;
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"resources/read\",\"params\":{\"uri\":\"demo://r\"," META
               "}}");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":8,\"error\":{\"code\":-32603,\"message\":\"the callback failed\"}}\n");
    /* A URI nothing matches never reaches a callback. */
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"resources/read\",\"params\":{\"uri\":\"demo://zz\"," META
               "}}");
    CHECK_HAS(o, "\"id\":9,\"error\":{\"code\":-32602,\"message\":\"Resource not found: demo://zz\"");
    /* Prompts: -32603 naming the status. */
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"prompts/get\",\"params\":{\"name\":\"p\"," META "}}");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":10,\"error\":{\"code\":-32603,\"message\":\"invalid argument\"}}\n");

    /* The legacy era's not-found code is -32002. */
    legacy_init(s);
    g_resource_return = PICOMCP_STATUS_NOT_FOUND;
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"resources/read\",\"params\":{\"uri\":\"demo://r\"}}");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":11,\"error\":{\"code\":-32002,\"message\":\"Resource not found: "
                 "demo://r\",\"data\":{\"uri\":\"demo://r\"}}}\n");
    rig_close(&r);
}

/* ---------------------------------------------------------------------------------- */
/* Resources, prompts, completions.                                                    */

static const uint8_t BLOB[] = {'h', 'i', 0x00, 0xfe};
static picomcp_status read_fixed(picomcp_call *call, void *userdata) {
    (void)userdata;
    char buf[64];
    size_t len = 0;
    CHECK_OK(picomcp_call_field(call, PICOMCP_FIELD_URI, buf, sizeof buf, &len));
    CHECK_STR(buf, "demo://readme");
    CHECK_EQ(len, 13);
    CHECK_STATUS(picomcp_call_field(call, PICOMCP_FIELD_NAME, buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_variable(call, "id", buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_arg_string(call, "x", buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    CHECK_OK(picomcp_call_contents_text(call, NULL, "text/markdown", "# Read me\n", PICOMCP_STRLEN));
    CHECK_OK(picomcp_call_contents_blob(call, "demo://readme.bin", "application/octet-stream", BLOB, sizeof BLOB));
    CHECK_STATUS(picomcp_call_contents_text(call, NULL, NULL, BAD_UTF8, PICOMCP_STRLEN), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(picomcp_call_contents_text(call, BAD_UTF8, NULL, "x", 1), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(picomcp_call_contents_blob(call, NULL, NULL, NULL, 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_text(call, "x", 1), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_message(call, PICOMCP_ROLE_USER, "x", 1), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_suggest(call, "x", 1), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_set_error(call, true), PICOMCP_STATUS_MISUSE);
    return PICOMCP_STATUS_OK;
}

static picomcp_status read_template(picomcp_call *call, void *userdata) {
    (void)userdata;
    char buf[64];
    size_t len = 0;
    CHECK_OK(picomcp_call_field(call, PICOMCP_FIELD_URI, buf, sizeof buf, &len));
    CHECK_STR(buf, "demo://items/a%20b\xc3\xa9/7");
    CHECK_OK(picomcp_call_variable(call, "id", buf, sizeof buf, &len));
    /* JSON escapes decoded (\u00e9), percent-encoding left as sent. */
    CHECK_STR(buf, "a%20b\xc3\xa9");
    CHECK_EQ(len, 7);
    CHECK_STATUS(picomcp_call_variable(call, "id", NULL, 0, &len), PICOMCP_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(len, 7);
    CHECK_STATUS(picomcp_call_variable(call, "id", buf, 7, &len), PICOMCP_STATUS_BUFFER_TOO_SMALL);
    CHECK_OK(picomcp_call_variable(call, "n", buf, sizeof buf, &len));
    CHECK_STR(buf, "7");
    CHECK_STATUS(picomcp_call_variable(call, "zz", buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    char text[128];
    CHECK_OK(picomcp_call_variable(call, "id", buf, sizeof buf, &len));
    snprintf(text, sizeof text, "item %s", buf);
    CHECK_OK(picomcp_call_contents_text(call, NULL, NULL, text, PICOMCP_STRLEN));
    return PICOMCP_STATUS_OK;
}

static picomcp_status prompt_greet(picomcp_call *call, void *userdata) {
    (void)userdata;
    char who[32];
    size_t len = 0;
    CHECK_OK(picomcp_call_field(call, PICOMCP_FIELD_NAME, who, sizeof who, &len));
    CHECK_STR(who, "greet");
    CHECK_OK(picomcp_call_arg_string(call, "who", who, sizeof who, &len));
    char mood[16] = "plain";
    CHECK_STATUS(picomcp_call_arg_string(call, "zz", mood, sizeof mood, &len), PICOMCP_STATUS_MISSING);
    picomcp_status m = picomcp_call_arg_string(call, "mood", mood, sizeof mood, &len);
    CHECK(m == PICOMCP_STATUS_OK || m == PICOMCP_STATUS_MISSING);
    char text[96];
    snprintf(text, sizeof text, "Greet %s (%s)", who, m == PICOMCP_STATUS_OK ? mood : "plain");
    CHECK_STATUS(picomcp_call_describe(call, BAD_UTF8, PICOMCP_STRLEN), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_OK(picomcp_call_describe(call, "A \"greeting\"", PICOMCP_STRLEN));
    CHECK_OK(picomcp_call_message(call, PICOMCP_ROLE_USER, text, PICOMCP_STRLEN));
    CHECK_STATUS(picomcp_call_describe(call, "late", PICOMCP_STRLEN), PICOMCP_STATUS_OUT_OF_ORDER);
    CHECK_OK(picomcp_call_message(call, PICOMCP_ROLE_ASSISTANT, "Hello!", PICOMCP_STRLEN));
    CHECK_OK(picomcp_call_message_json(call, PICOMCP_ROLE_USER,
                                       "{\"type\":\"image\",\"data\":\"AA==\",\"mimeType\":\"image/png\"}",
                                       PICOMCP_STRLEN));
    CHECK_STATUS(picomcp_call_message(call, 2, "x", 1), PICOMCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(picomcp_call_message(call, -1, "x", 1), PICOMCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(picomcp_call_message(call, PICOMCP_ROLE_USER, BAD_UTF8, PICOMCP_STRLEN), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(picomcp_call_message_json(call, PICOMCP_ROLE_USER, "{", 1), PICOMCP_STATUS_INVALID_JSON);
    CHECK_STATUS(picomcp_call_message_json(call, PICOMCP_ROLE_USER, "\"text\"", PICOMCP_STRLEN),
                 PICOMCP_STATUS_INVALID_JSON);
    CHECK_STATUS(picomcp_call_text(call, "x", 1), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_contents_text(call, "u://", NULL, "x", 1), PICOMCP_STATUS_MISUSE);
    return PICOMCP_STATUS_OK;
}

static int g_complete_calls;
static picomcp_status complete_cb(picomcp_call *call, void *userdata) {
    (void)userdata;
    g_complete_calls++;
    CHECK_EQ(picomcp_call_kind(call), PICOMCP_CALL_COMPLETION);
    char name[64], arg[32], value[32];
    size_t len = 0;
    CHECK_OK(picomcp_call_field(call, PICOMCP_FIELD_ARGUMENT, arg, sizeof arg, &len));
    CHECK_OK(picomcp_call_field(call, PICOMCP_FIELD_VALUE, value, sizeof value, &len));
    if (picomcp_call_field(call, PICOMCP_FIELD_NAME, name, sizeof name, &len) == PICOMCP_STATUS_OK) {
        CHECK_STR(name, "greet");
        CHECK_STR(arg, "who");
        CHECK_STR(value, "A\xc3\xa9");
        CHECK_EQ(len, 5);
        CHECK_STATUS(picomcp_call_field(call, PICOMCP_FIELD_URI, name, sizeof name, &len), PICOMCP_STATUS_MISSING);
        /* The context's arguments. */
        char ctx[16];
        CHECK_OK(picomcp_call_arg_string(call, "mood", ctx, sizeof ctx, &len));
        CHECK_STR(ctx, "sunny");
        CHECK_OK(picomcp_call_suggest(call, "Ada", PICOMCP_STRLEN));
        CHECK_OK(picomcp_call_suggest(call, "Al\"an", PICOMCP_STRLEN));
        CHECK_STATUS(picomcp_call_suggest(call, BAD_UTF8, PICOMCP_STRLEN), PICOMCP_STATUS_INVALID_UTF8);
        CHECK_STATUS(picomcp_call_text(call, "x", 1), PICOMCP_STATUS_MISUSE);
        CHECK_STATUS(picomcp_call_message(call, PICOMCP_ROLE_USER, "x", 1), PICOMCP_STATUS_MISUSE);
    } else {
        CHECK_OK(picomcp_call_field(call, PICOMCP_FIELD_URI, name, sizeof name, &len));
        CHECK_STR(name, "demo://items/{id}/{n}");
        CHECK_STR(arg, "id");
        /* Past 100 values: dropped, hasMore. */
        for (int i = 0; i < 105; i++) {
            char v[16];
            snprintf(v, sizeof v, "%d", i);
            CHECK_OK(picomcp_call_suggest(call, v, PICOMCP_STRLEN));
        }
    }
    return PICOMCP_STATUS_OK;
}

static void test_resources_prompts_completions(void) {
    TEST("resources_prompts_completions");
    rig r;
    picomcp_config c = small_config();
    picomcp_server *s = rig_open(&r, &c);
    picomcp_resource res = {"demo://readme", "readme", NULL, NULL, "text/markdown"};
    CHECK_OK(picomcp_server_add_resource(s, &res, read_fixed, NULL));
    picomcp_template tp = {"demo://items/{id}/{n}", "items", NULL, NULL, NULL};
    CHECK_OK(picomcp_server_add_template(s, &tp, read_template, NULL));
    picomcp_prompt_argument args[2] = {{"who", NULL, true}, {"mood", NULL, false}};
    picomcp_prompt p = {"greet", NULL, NULL, args, 2};
    CHECK_OK(picomcp_server_add_prompt(s, &p, prompt_greet, NULL));
    CHECK_OK(picomcp_server_on_complete(s, complete_cb, NULL));

    const char *o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":"
                           "\"demo://readme\"," META "}}");
    CHECK_HAS(o, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"contents\":[{\"uri\":\"demo://readme\",\"mimeType\":"
                 "\"text/markdown\",\"text\":\"# Read me\\n\"},{\"uri\":\"demo://readme.bin\",\"mimeType\":"
                 "\"application/octet-stream\",\"blob\":\"aGkA/g==\"}]");
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/read\",\"params\":{\"uri\":"
               "\"demo://items/a%20b\\u00e9/7\"," META "}}");
    CHECK_HAS(o, "\"id\":2,\"result\":{\"contents\":[{\"uri\":\"demo://items/a%20b\\u00e9/7\",\"text\":"
                 "\"item a%20b\xc3\xa9\"}]");

    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"prompts/get\",\"params\":{\"name\":\"greet\","
               "\"arguments\":{\"who\":\"Ada\",\"mood\":\"glad\"}," META "}}");
    CHECK_HAS(o, "\"id\":3,\"result\":{\"description\":\"A \\\"greeting\\\"\",\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":"
                 "\"Greet Ada (glad)\"}},{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"Hello!\"}},"
                 "{\"role\":\"user\",\"content\":{\"type\":\"image\",\"data\":\"AA==\",\"mimeType\":\"image/png\"}}]");
    /* A required argument missing: refused before the callback. */
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"prompts/get\",\"params\":{\"name\":\"greet\","
               "\"arguments\":{}," META "}}");
    CHECK_HAS(o, "\"id\":4,\"error\":{\"code\":-32602");

    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":"
               "\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":\"who\",\"value\":\"A\\u00e9\"},"
               "\"context\":{\"arguments\":{\"mood\":\"sunny\"}}," META "}}");
    CHECK_HAS(o, "\"id\":5,\"result\":{\"completion\":{\"values\":[\"Ada\",\"Al\\\"an\"]");
    CHECK_EQ(g_complete_calls, 1);
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":"
               "\"ref/resource\",\"uri\":\"demo://items/{id}/{n}\"},\"argument\":{\"name\":\"id\",\"value\":\"\"}," META
               "}}");
    CHECK_HAS(o, "\"id\":6,\"result\":{\"completion\":{\"values\":[\"0\",\"1\",");
    CHECK_HAS(o, "\"98\",\"99\"],");
    CHECK_LACKS(o, "\"100\"");
    CHECK_HAS(o, "\"hasMore\":true");
    CHECK_EQ(g_complete_calls, 2);
    o = legacy_init(s);
    CHECK_HAS(o, "\"completions\":{}");
    rig_close(&r);
}

/* ---------------------------------------------------------------------------------- */
/* Misuse from callbacks.                                                               */

static picomcp_status tool_reenters(picomcp_call *call) {
    picomcp_server *s = g_server;
    size_t consumed = 77, n = 77;
    uint8_t buf[8];
    CHECK_STATUS(picomcp_server_receive(s, (const uint8_t *)"\n", 1, &consumed), PICOMCP_STATUS_MISUSE);
    CHECK_EQ(consumed, 0);
    CHECK_STATUS(picomcp_server_take_output(s, buf, sizeof buf, &n), PICOMCP_STATUS_MISUSE);
    int64_t next = 0;
    CHECK_STATUS(picomcp_server_poll(s, &next), PICOMCP_STATUS_MISUSE);
    picomcp_tool t = {0};
    t.name = "inner";
    CHECK_STATUS(picomcp_server_add_tool(s, &t, noop_handler, NULL), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_server_on_cancel(s, NULL, NULL), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_server_on_poll(s, NULL, NULL), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_server_set_instructions(s, "x"), PICOMCP_STATUS_MISUSE);
#ifdef PICOMCP_STD
    CHECK_STATUS(picomcp_server_serve_stdio(s), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_server_serve_http(s, "127.0.0.1", 0), PICOMCP_STATUS_MISUSE);
#endif
    CHECK_OK(picomcp_call_text(call, "still fine", PICOMCP_STRLEN));
    return PICOMCP_STATUS_OK;
}

static void test_misuse_from_callback(void) {
    TEST("misuse_from_callback");
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_reenters);
    const char *o = call_t(s, 1, "{}");
    CHECK_EQ(g_calls, 1);
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
                 "\"still fine\"}]," DONE);
    rig_close(&r);
}

/* ---------------------------------------------------------------------------------- */
/* Deferral and replies.                                                                */

static picomcp_status tool_defers(picomcp_call *call) {
    char buf[16];
    size_t len;
    CHECK_STATUS(picomcp_call_defer(NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_OK(picomcp_call_defer(call, &g_ticket));
    CHECK_EQ(g_ticket, picomcp_call_ticket(call));
    /* Deferred: the request's data is gone, writers and a second defer are misuse. */
    CHECK_STATUS(picomcp_call_arg_string(call, "s", buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_field(call, PICOMCP_FIELD_NAME, buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_text(call, "x", 1), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_defer(call, NULL), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_fail(call, 1, "x"), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_send(call), PICOMCP_STATUS_MISUSE);
    /* Still live, by ticket. */
    CHECK(picomcp_server_is_live(g_server, g_ticket));
    /* A failure status after deferring changes nothing. */
    return PICOMCP_STATUS_CALLBACK_FAILED;
}

static void test_deferral(void) {
    TEST("deferral_and_reply");
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_defers);
    call_t(s, 1, "{\"s\":\"x\"}");
    CHECK_EQ(out_len, 0);
    uint64_t t1 = g_ticket;
    call_t(s, 2, "{}");
    CHECK_EQ(out_len, 0);
    uint64_t t2 = g_ticket;
    CHECK(t1 != t2);
    CHECK(picomcp_server_is_live(s, t1));
    CHECK(picomcp_server_is_live(s, t2));
    CHECK(!picomcp_server_is_live(s, 0));
    CHECK(!picomcp_server_is_live(s, 987654321));
    CHECK(!picomcp_server_is_live(NULL, t1));

    picomcp_call *h = NULL, *h2 = NULL;
    CHECK_STATUS(picomcp_server_reply(NULL, t1, &h), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_reply(s, t1, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_reply(s, 987654321, &h), PICOMCP_STATUS_STALE_TICKET);
    CHECK_STATUS(picomcp_server_reply(s, 0, &h), PICOMCP_STATUS_STALE_TICKET);
    CHECK(h == NULL);
    CHECK_OK(picomcp_server_reply(s, t1, &h));
    CHECK(h != NULL);
    CHECK_EQ(picomcp_call_ticket(h), t1);
    CHECK_EQ(picomcp_call_kind(h), 0); /* no writer used yet */
    CHECK(!picomcp_call_wants_progress(h));
    /* One reply handle at a time. */
    CHECK_STATUS(picomcp_server_reply(s, t2, &h2), PICOMCP_STATUS_BUSY);
    /* A reply handle has no request data. */
    char buf[8];
    size_t len;
    CHECK_STATUS(picomcp_call_field(h, PICOMCP_FIELD_NAME, buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_arg_string(h, "s", buf, sizeof buf, &len), PICOMCP_STATUS_MISSING);
    CHECK_STATUS(picomcp_call_defer(h, NULL), PICOMCP_STATUS_MISUSE);
    /* The first writer sets the kind of answer. */
    CHECK_OK(picomcp_call_text(h, "later", PICOMCP_STRLEN));
    CHECK_EQ(picomcp_call_kind(h), PICOMCP_CALL_TOOL);
    CHECK_STATUS(picomcp_call_contents_text(h, "u://", NULL, "x", 1), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_message(h, PICOMCP_ROLE_USER, "x", 1), PICOMCP_STATUS_MISUSE);
    CHECK_OK(picomcp_call_structured(h, "{\"ok\":true}", PICOMCP_STRLEN));
    CHECK_STATUS(picomcp_call_text(h, "late", PICOMCP_STRLEN), PICOMCP_STATUS_OUT_OF_ORDER);
    CHECK_STATUS(picomcp_call_send(NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_OK(picomcp_call_send(h));
    out_reset();
    drain(s);
    CHECK_STR(out_buf, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"later\"}],"
                       "\"structuredContent\":{\"ok\":true}," DONE);
    /* The handle is closed. */
    CHECK_STATUS(picomcp_call_send(h), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_text(h, "x", 1), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_discard(h), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_call_fail(h, 1, "x"), PICOMCP_STATUS_MISUSE);
    CHECK_EQ(picomcp_call_kind(h), 0);
    /* Answered: stale. */
    CHECK(!picomcp_server_is_live(s, t1));
    CHECK_STATUS(picomcp_server_reply(s, t1, &h), PICOMCP_STATUS_STALE_TICKET);
    CHECK_STATUS(picomcp_server_reply_error(s, t1, -32603, "x"), PICOMCP_STATUS_STALE_TICKET);

    /* Discard keeps the ticket live; an empty send is an empty result. */
    CHECK_OK(picomcp_server_reply(s, t2, &h));
    CHECK_OK(picomcp_call_text(h, "discarded", PICOMCP_STRLEN));
    CHECK_STATUS(picomcp_call_discard(NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_OK(picomcp_call_discard(h));
    CHECK_EQ(picomcp_server_pending_output(s), 0);
    CHECK(picomcp_server_is_live(s, t2));
    CHECK_OK(picomcp_server_reply(s, t2, &h));
    CHECK_OK(picomcp_call_send(h));
    out_reset();
    drain(s);
    CHECK_STR(out_buf, "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[]," DONE);

    /* reply_error and call_fail on a reply handle. */
    call_t(s, 3, "{}");
    uint64_t t3 = g_ticket;
    call_t(s, 4, "{}");
    uint64_t t4 = g_ticket;
    CHECK_STATUS(picomcp_server_reply_error(NULL, t3, 1, "x"), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_reply_error(s, t3, 1, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_reply_error(s, t3, 1, BAD_UTF8), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_STATUS(picomcp_server_reply_error(s, 987654321, 1, "x"), PICOMCP_STATUS_STALE_TICKET);
    CHECK_OK(picomcp_server_reply_error(s, t3, -32000, "gave up"));
    CHECK_STATUS(picomcp_server_reply_error(s, t3, -32000, "again"), PICOMCP_STATUS_STALE_TICKET);
    CHECK_OK(picomcp_server_reply(s, t4, &h));
    CHECK_OK(picomcp_call_text(h, "dropped", PICOMCP_STRLEN));
    CHECK_OK(picomcp_call_fail(h, -32001, "failed later"));
    CHECK_STATUS(picomcp_call_send(h), PICOMCP_STATUS_MISUSE);
    out_reset();
    drain(s);
    CHECK_STR(out_buf, "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32000,\"message\":\"gave up\"}}\n"
                       "{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32001,\"message\":\"failed later\"}}\n");
    CHECK_STATUS(picomcp_server_reply(s, t4, &h), PICOMCP_STATUS_STALE_TICKET);
    /* The buffer was given back: a new reply works. */
    call_t(s, 5, "{}");
    CHECK_OK(picomcp_server_reply(s, g_ticket, &h));
    CHECK_OK(picomcp_call_send(h));
    out_reset();
    drain(s);
    CHECK_HAS(out_buf, "\"id\":5,\"result\"");
    rig_close(&r);
}

/* A resource read deferred, answered with contents by a reply handle. */
static picomcp_status read_defers(picomcp_call *call, void *userdata) {
    (void)userdata;
    CHECK_OK(picomcp_call_defer(call, &g_ticket));
    return PICOMCP_STATUS_OK;
}

static void test_deferred_kinds(void) {
    TEST("deferred_resource_prompt");
    rig r;
    picomcp_config c = small_config();
    picomcp_server *s = rig_open(&r, &c);
    picomcp_resource res = {"demo://later", "later", NULL, NULL, NULL};
    CHECK_OK(picomcp_server_add_resource(s, &res, read_defers, NULL));
    picomcp_prompt p = {"later", NULL, NULL, NULL, 0};
    CHECK_OK(picomcp_server_add_prompt(s, &p, read_defers, NULL));
    rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":\"r\",\"method\":\"resources/read\",\"params\":{\"uri\":\"demo://later\","
           META "}}");
    CHECK_EQ(out_len, 0);
    uint64_t tr = g_ticket;
    rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"prompts/get\",\"params\":{\"name\":\"later\"," META "}}");
    uint64_t tp = g_ticket;
    picomcp_call *h = NULL;
    CHECK_OK(picomcp_server_reply(s, tr, &h));
    /* A NULL uri means the URI read, which a reply handle does not know. */
    CHECK_STATUS(picomcp_call_contents_text(h, NULL, NULL, "x", 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_OK(picomcp_call_contents_text(h, "demo://later", "text/plain", "now", PICOMCP_STRLEN));
    CHECK_OK(picomcp_call_send(h));
    CHECK_OK(picomcp_server_reply(s, tp, &h));
    CHECK_OK(picomcp_call_message(h, PICOMCP_ROLE_ASSISTANT, "done", PICOMCP_STRLEN));
    CHECK_OK(picomcp_call_send(h));
    out_reset();
    drain(s);
    CHECK_STR(out_buf, "{\"jsonrpc\":\"2.0\",\"id\":\"r\",\"result\":{\"contents\":[{\"uri\":\"demo://later\","
                       "\"mimeType\":\"text/plain\",\"text\":\"now\"}],\"resultType\":\"complete\",\"ttlMs\":0,"
                       "\"cacheScope\":\"private\",\"_meta\":{\"io.modelcontextprotocol/serverInfo\":{\"name\":"
                       "\"c-tests\",\"version\":\"1.2.3\"}}}}\n"
                       "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"result\":{\"messages\":[{\"role\":\"assistant\","
                       "\"content\":{\"type\":\"text\",\"text\":\"done\"}}]," DONE);
    rig_close(&r);
}

/* The poll callback answers deferred calls. */
static uint64_t g_pending[4];
static int g_pending_n;
static int g_polls;
static int64_t g_poll_return;

static picomcp_status tool_defers_quietly(picomcp_call *call) {
    CHECK(g_pending_n < 4);
    CHECK_OK(picomcp_call_defer(call, &g_pending[g_pending_n++]));
    return PICOMCP_STATUS_OK;
}

static int64_t poll_cb(picomcp_server *s, void *userdata) {
    CHECK(userdata == &g_userdata);
    CHECK(s == g_server);
    g_polls++;
    /* Loop functions are off limits here too. */
    int64_t next;
    CHECK_STATUS(picomcp_server_poll(s, &next), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_server_receive(s, (const uint8_t *)"\n", 1, NULL), PICOMCP_STATUS_MISUSE);
    for (int i = 0; i < g_pending_n; i++) {
        picomcp_call *h = NULL;
        CHECK_OK(picomcp_server_reply(s, g_pending[i], &h));
        char text[32];
        snprintf(text, sizeof text, "polled %d", i);
        CHECK_OK(picomcp_call_text(h, text, PICOMCP_STRLEN));
        CHECK_OK(picomcp_call_send(h));
        CHECK_STATUS(picomcp_call_send(h), PICOMCP_STATUS_MISUSE);
    }
    g_pending_n = 0;
    return g_poll_return;
}

static void test_poll_replies(void) {
    TEST("poll_callback_replies");
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_defers_quietly);
    CHECK_STATUS(picomcp_server_on_poll(NULL, poll_cb, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_OK(picomcp_server_on_poll(s, poll_cb, &g_userdata));
    CHECK_STATUS(picomcp_server_poll(NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    g_pending_n = 0;
    g_polls = 0;
    call_t(s, 1, "{}");
    call_t(s, 2, "{}");
    CHECK_EQ(out_len, 0);
    CHECK_EQ(g_pending_n, 2);
    g_poll_return = 250;
    int64_t next = 0;
    CHECK_OK(picomcp_server_poll(s, &next));
    CHECK_EQ(next, 250);
    CHECK_EQ(g_polls, 1);
    out_reset();
    drain(s);
    CHECK_STR(out_buf, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
                       "\"polled 0\"}]," DONE
                       "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
                       "\"polled 1\"}]," DONE);
    g_poll_return = -5;
    CHECK_OK(picomcp_server_poll(s, &next));
    CHECK_EQ(next, -1);
    CHECK_OK(picomcp_server_poll(s, NULL));
    CHECK_EQ(g_polls, 3);
    /* Removed: nothing runs. */
    CHECK_OK(picomcp_server_on_poll(s, NULL, NULL));
    next = 0;
    CHECK_OK(picomcp_server_poll(s, &next));
    CHECK_EQ(next, -1);
    CHECK_EQ(g_polls, 3);
    rig_close(&r);
}

/* BUSY: one answer is written at a time. */
static int g_busy_mode;
static picomcp_status tool_busy(picomcp_call *call) {
    picomcp_call *h = NULL;
    switch (g_busy_mode) {
    case 0: /* defer, to be answered by the next call */
        CHECK_OK(picomcp_call_defer(call, &g_pending[g_pending_n++]));
        return PICOMCP_STATUS_OK;
    case 1: /* answer the deferred call: while its reply holds the buffer, our writers are BUSY */
        CHECK_OK(picomcp_server_reply(g_server, g_pending[0], &h));
        CHECK_STATUS(picomcp_server_reply(g_server, g_pending[0], &h), PICOMCP_STATUS_BUSY);
        CHECK_OK(picomcp_call_text(h, "theirs", PICOMCP_STRLEN));
        CHECK_STATUS(picomcp_call_text(call, "mine", PICOMCP_STRLEN), PICOMCP_STATUS_BUSY);
        CHECK_OK(picomcp_call_send(h));
        CHECK_OK(picomcp_call_text(call, "mine", PICOMCP_STRLEN));
        return PICOMCP_STATUS_OK;
    case 2: /* our answer holds the buffer: no reply handle */
        CHECK_OK(picomcp_call_text(call, "mine", PICOMCP_STRLEN));
        CHECK_STATUS(picomcp_server_reply(g_server, g_pending[0], &h), PICOMCP_STATUS_BUSY);
        CHECK(h == NULL);
        return PICOMCP_STATUS_OK;
    default: /* a reply handle is open outside: our writers are BUSY */
        CHECK_STATUS(picomcp_call_text(call, "mine", PICOMCP_STRLEN), PICOMCP_STATUS_BUSY);
        CHECK_STATUS(picomcp_call_set_error(call, true), PICOMCP_STATUS_BUSY);
        return PICOMCP_STATUS_OK;
    }
}

static void test_busy(void) {
    TEST("busy_one_answer_at_a_time");
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_busy);
    g_pending_n = 0;
    g_busy_mode = 0;
    call_t(s, 1, "{}");
    call_t(s, 2, "{}");
    CHECK_EQ(out_len, 0);
    CHECK_EQ(g_pending_n, 2);
    uint64_t t2 = g_pending[1];
    g_busy_mode = 1;
    const char *o = call_t(s, 3, "{}");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
                 "\"theirs\"}]," DONE
                 "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
                 "\"mine\"}]," DONE);
    g_pending[0] = t2;
    g_busy_mode = 2;
    o = call_t(s, 4, "{}");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
                 "\"mine\"}]," DONE);
    CHECK(picomcp_server_is_live(s, t2));
    /* A reply handle open between receives: a callback cannot write its answer. */
    picomcp_call *h = NULL;
    CHECK_OK(picomcp_server_reply(s, t2, &h));
    CHECK_OK(picomcp_call_text(h, "held", PICOMCP_STRLEN));
    g_busy_mode = 3;
    o = call_t(s, 5, "{}");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":{\"code\":-32603,\"message\":"
                 "\"the answer buffer is busy\"}}\n");
    /* The held answer is intact. */
    CHECK_OK(picomcp_call_send(h));
    out_reset();
    drain(s);
    CHECK_STR(out_buf, "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
                       "\"held\"}]," DONE);
    rig_close(&r);
}

/* ---------------------------------------------------------------------------------- */

static void test_null_pointers(void) {
    TEST("null_pointers_everywhere");
    uint8_t buf[8];
    size_t n = 0;
    char cbuf[8];
    double d;
    int64_t i;
    bool b;
    const char *json;
    uint64_t t;
    picomcp_call *h;
    CHECK_EQ(picomcp_storage_size(NULL) > 0, 1);
    CHECK_EQ(picomcp_call_kind(NULL), 0);
    CHECK_EQ(picomcp_call_ticket(NULL), 0);
    CHECK(!picomcp_call_wants_progress(NULL));
    CHECK_STATUS(picomcp_call_field(NULL, PICOMCP_FIELD_NAME, cbuf, sizeof cbuf, &n), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_variable(NULL, "x", cbuf, sizeof cbuf, &n), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_arg_string(NULL, "x", cbuf, sizeof cbuf, &n), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_arg_number(NULL, "x", &d), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_arg_integer(NULL, "x", &i), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_arg_bool(NULL, "x", &b), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_arg_json(NULL, "x", &json, &n), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_text(NULL, "x", 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_image(NULL, buf, 1, "a/b"), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_audio(NULL, buf, 1, "a/b"), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_resource_link(NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_embedded_text(NULL, "u", NULL, "x", 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_embedded_blob(NULL, "u", NULL, buf, 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_content_json(NULL, "{}", 2), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_structured(NULL, "{}", 2), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_set_error(NULL, true), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_contents_text(NULL, NULL, NULL, "x", 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_contents_blob(NULL, NULL, NULL, buf, 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_message(NULL, 0, "x", 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_message_json(NULL, 0, "{}", 2), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_suggest(NULL, "x", 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_defer(NULL, &t), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_fail(NULL, 1, "x"), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_progress(NULL, 1, 2, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_log(NULL, 0, "x"), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_log(NULL, 0, "x"), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_progress(NULL, 1, 1, 2, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK(!picomcp_server_is_live(NULL, 1));
    CHECK_STATUS(picomcp_server_reply(NULL, 1, &h), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_send(NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_discard(NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_reply_error(NULL, 1, 1, "x"), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_receive(NULL, buf, 1, &n), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_take_output(NULL, buf, sizeof buf, &n), PICOMCP_STATUS_NULL_POINTER);
    CHECK_EQ(picomcp_server_pending_output(NULL), 0);
    CHECK_STATUS(picomcp_server_poll(NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
#ifdef PICOMCP_STD
    CHECK_STATUS(picomcp_server_serve_stdio(NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_serve_http(NULL, "127.0.0.1", 0), PICOMCP_STATUS_NULL_POINTER);
    picomcp_server *ns = NULL;
    CHECK_STATUS(picomcp_server_new(NULL, "n", NULL, &ns), PICOMCP_STATUS_NULL_POINTER);
    picomcp_server_free(NULL);
#endif
    CHECK_STATUS(picomcp_server_init(NULL, 0, NULL, NULL, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_add_tool(NULL, NULL, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_add_resource(NULL, NULL, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_add_template(NULL, NULL, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_add_prompt(NULL, NULL, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_on_complete(NULL, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_on_cancel(NULL, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_on_poll(NULL, NULL, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_set_instructions(NULL, NULL), PICOMCP_STATUS_NULL_POINTER);

    /* With a live server: the other pointers. */
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, NULL);
    CHECK_STATUS(picomcp_server_receive(s, NULL, 5, &n), PICOMCP_STATUS_NULL_POINTER);
    CHECK_OK(picomcp_server_receive(s, NULL, 0, NULL));
    CHECK_STATUS(picomcp_server_take_output(s, buf, sizeof buf, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_take_output(s, NULL, 4, &n), PICOMCP_STATUS_NULL_POINTER);
    n = 9;
    CHECK_OK(picomcp_server_take_output(s, NULL, 0, &n));
    CHECK_EQ(n, 0);
    CHECK_STATUS(picomcp_server_reply(s, 1, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_reply_error(s, 1, 1, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_log(s, 0, NULL), PICOMCP_STATUS_NULL_POINTER);
#ifdef PICOMCP_STD
    CHECK_STATUS(picomcp_server_serve_http(s, NULL, 0), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_serve_http(s, BAD_UTF8, 0), PICOMCP_STATUS_INVALID_UTF8);
#endif
    rig_close(&r);
}

/* ---------------------------------------------------------------------------------- */
/* Progress, logs, cancellation.                                                        */

static picomcp_status tool_progress(picomcp_call *call) {
    if (!picomcp_call_wants_progress(call)) {
        /* Nothing is sent, and that is fine. */
        CHECK_OK(picomcp_call_progress(call, 1, 2, "ignored"));
        CHECK_OK(picomcp_call_text(call, "no token", PICOMCP_STRLEN));
        return PICOMCP_STATUS_OK;
    }
    CHECK_OK(picomcp_call_progress(call, 1, 4, "a quarter"));
    CHECK_OK(picomcp_call_progress(call, 1, 4, "not growing: dropped"));
    CHECK_OK(picomcp_call_progress(call, 0.5, 4, "smaller: dropped"));
    CHECK_OK(picomcp_call_progress(call, 2, -1, NULL));
    CHECK_OK(picomcp_call_progress(call, 2.5, NAN, "nan total"));
    CHECK_STATUS(picomcp_call_progress(call, 3, 4, BAD_UTF8), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_OK(picomcp_server_progress(g_server, picomcp_call_ticket(call), 3, 4, "by ticket"));
    CHECK_STATUS(picomcp_server_progress(g_server, 987654321, 4, 4, NULL), PICOMCP_STATUS_STALE_TICKET);
    CHECK_OK(picomcp_call_defer(call, &g_ticket));
    return PICOMCP_STATUS_OK;
}

static void test_progress(void) {
    TEST("progress");
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_progress);
    const char *o = call_t(s, 1, "{}");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"no token\"}],"
                 "" DONE);
    o = call_t_meta(s, 2, "{}", "\"progressToken\":\"tok-2\"");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"tok-2\","
                 "\"progress\":1,\"total\":4,\"message\":\"a quarter\"}}\n"
                 "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"tok-2\","
                 "\"progress\":2}}\n"
                 "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"tok-2\","
                 "\"progress\":2.5,\"message\":\"nan total\"}}\n"
                 "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"tok-2\","
                 "\"progress\":3,\"total\":4,\"message\":\"by ticket\"}}\n");
    /* Deferred: progress by ticket between receives, then the answer. */
    uint64_t t = g_ticket;
    CHECK_OK(picomcp_server_progress(s, t, 3.5, 4, NULL));
    CHECK_OK(picomcp_server_progress(s, t, 3.5, 4, NULL));
    picomcp_call *h = NULL;
    CHECK_OK(picomcp_server_reply(s, t, &h));
    CHECK(!picomcp_call_wants_progress(h)); /* a reply handle does not know */
    CHECK_OK(picomcp_call_progress(h, 3.75, 4, "via the reply handle"));
    CHECK_OK(picomcp_call_text(h, "done", PICOMCP_STRLEN));
    CHECK_OK(picomcp_call_send(h));
    CHECK_STATUS(picomcp_server_progress(s, t, 4, 4, NULL), PICOMCP_STATUS_STALE_TICKET);
    out_reset();
    drain(s);
    CHECK_STR(out_buf, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":"
                       "\"tok-2\",\"progress\":3.5,\"total\":4}}\n"
                       "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":"
                       "\"tok-2\",\"progress\":3.75,\"total\":4,\"message\":\"via the reply handle\"}}\n"
                       "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}],"
                       "" DONE);
    /* A numeric token is echoed as a number. */
    g_tool = tool_progress;
    o = call_t_meta(s, 3, "{}", "\"progressToken\":33");
    CHECK_HAS(o, "\"params\":{\"progressToken\":33,\"progress\":1,");
    rig_close(&r);
}

static picomcp_status tool_logs(picomcp_call *call) {
    CHECK_OK(picomcp_call_log(call, PICOMCP_LOG_DEBUG, "debug: below the level"));
    CHECK_OK(picomcp_call_log(call, PICOMCP_LOG_WARNING, "warn \"quoted\""));
    CHECK_OK(picomcp_call_log(call, PICOMCP_LOG_EMERGENCY, "emergency"));
    CHECK_STATUS(picomcp_call_log(call, 8, "x"), PICOMCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(picomcp_call_log(call, -1, "x"), PICOMCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(picomcp_call_log(call, PICOMCP_LOG_ERROR, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_call_log(call, PICOMCP_LOG_ERROR, BAD_UTF8), PICOMCP_STATUS_INVALID_UTF8);
    CHECK_OK(picomcp_server_log(g_server, PICOMCP_LOG_ERROR, "session-wide"));
    CHECK_OK(picomcp_call_text(call, "logged", PICOMCP_STRLEN));
    return PICOMCP_STATUS_OK;
}

static void test_logs(void) {
    TEST("logs");
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_logs);
    /* 2026-07-28: only for a request that asks (logLevel in _meta). */
    const char *o = call_t(s, 1, "{}");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"logged\"}],"
                 "" DONE);
    o = call_t_meta(s, 2, "{}", "\"io.modelcontextprotocol/logLevel\":\"info\"");
    CHECK_STR(o, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"warning\","
                 "\"data\":\"warn \\\"quoted\\\"\"}}\n"
                 "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"emergency\","
                 "\"data\":\"emergency\"}}\n"
                 "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"logged\"}],"
                 "" DONE);
    /* Legacy: logging/setLevel sets the session's level; session logs go out too. */
    legacy_init(s);
    CHECK_OK(picomcp_server_log(s, PICOMCP_LOG_EMERGENCY, "before setLevel"));
    out_reset();
    drain(s);
    /* (No level set yet: the session default lets emergency through.) */
    CHECK_HAS(out_buf, "before setLevel");
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"warning\"}}");
    CHECK_HAS(o, "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n");
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"t\"}}");
    CHECK_HAS(o, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"warning\","
                 "\"data\":\"warn \\\"quoted\\\"\"}}\n");
    CHECK_HAS(o, "\"level\":\"error\",\"data\":\"session-wide\"");
    CHECK_LACKS(o, "below the level");
    CHECK_HAS(o, "\"id\":4,\"result\"");
    CHECK_OK(picomcp_server_log(s, PICOMCP_LOG_CRITICAL, "outside"));
    CHECK_OK(picomcp_server_log(s, PICOMCP_LOG_INFO, "too low"));
    CHECK_STATUS(picomcp_server_log(s, 99, "x"), PICOMCP_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(picomcp_server_log(s, PICOMCP_LOG_ERROR, BAD_UTF8), PICOMCP_STATUS_INVALID_UTF8);
    out_reset();
    drain(s);
    CHECK_STR(out_buf, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"critical\","
                       "\"data\":\"outside\"}}\n");
    rig_close(&r);
}

static uint64_t g_cancelled[4];
static int g_cancel_n;
static void cancel_cb(uint64_t ticket, void *userdata) {
    CHECK(userdata == &g_userdata);
    CHECK(g_cancel_n < 4);
    g_cancelled[g_cancel_n++] = ticket;
    /* The ticket is void already; answers are misuse from here. */
    CHECK(!picomcp_server_is_live(g_server, ticket));
    picomcp_call *h = NULL;
    CHECK_STATUS(picomcp_server_reply(g_server, ticket, &h), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_server_reply_error(g_server, ticket, 1, "x"), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_server_progress(g_server, ticket, 1, 1, NULL), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_server_on_cancel(g_server, NULL, NULL), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_server_receive(g_server, (const uint8_t *)"\n", 1, NULL), PICOMCP_STATUS_MISUSE);
}

static void test_cancel(void) {
    TEST("cancellation");
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_defers_quietly);
    CHECK_STATUS(picomcp_server_on_cancel(NULL, cancel_cb, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_OK(picomcp_server_on_cancel(s, cancel_cb, &g_userdata));
    g_pending_n = 0;
    g_cancel_n = 0;
    call_t(s, 1, "{}");
    call_t(s, 2, "{}");
    call_t(s, 3, "{}");
    uint64_t t1 = g_pending[0], t2 = g_pending[1], t3 = g_pending[2];
    const char *o = rpc(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1,"
                           "\"reason\":\"user\"," META "}}");
    CHECK_EQ(out_len, 0);
    CHECK_EQ(g_cancel_n, 1);
    CHECK_EQ(g_cancelled[0], t1);
    CHECK(!picomcp_server_is_live(s, t1));
    picomcp_call *h = NULL;
    CHECK_STATUS(picomcp_server_reply(s, t1, &h), PICOMCP_STATUS_STALE_TICKET);
    CHECK_STATUS(picomcp_server_reply_error(s, t1, 1, "x"), PICOMCP_STATUS_STALE_TICKET);
    CHECK_STATUS(picomcp_server_progress(s, t1, 1, 1, NULL), PICOMCP_STATUS_STALE_TICKET);
    /* Cancelled while its reply handle is open: send is stale, nothing sent, closed. */
    CHECK_OK(picomcp_server_reply(s, t2, &h));
    CHECK_OK(picomcp_call_text(h, "too late", PICOMCP_STRLEN));
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":2," META "}}");
    CHECK_EQ(out_len, 0);
    CHECK_EQ(g_cancel_n, 2);
    CHECK_EQ(g_cancelled[1], t2);
    CHECK_STATUS(picomcp_call_send(h), PICOMCP_STATUS_STALE_TICKET);
    CHECK_STATUS(picomcp_call_send(h), PICOMCP_STATUS_MISUSE);
    CHECK_EQ(picomcp_server_pending_output(s), 0);
    /* And call_fail on a cancelled reply handle. */
    CHECK_OK(picomcp_server_reply(s, t3, &h));
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":3," META "}}");
    CHECK_STATUS(picomcp_call_fail(h, 1, "x"), PICOMCP_STATUS_STALE_TICKET);
    CHECK_STATUS(picomcp_call_send(h), PICOMCP_STATUS_MISUSE);
    CHECK_EQ(picomcp_server_pending_output(s), 0);
    /* An unknown id: no callback. */
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":99," META "}}");
    CHECK_EQ(g_cancel_n, 3);
    /* The buffer is free again: a new call is answered. */
    g_tool = tool_returns;
    g_return = PICOMCP_STATUS_OK;
    o = call_t(s, 4, "{}");
    CHECK_HAS(o, "\"id\":4,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"dropped\"}]");
    /* Removed: not called. */
    CHECK_OK(picomcp_server_on_cancel(s, NULL, NULL));
    g_tool = tool_defers_quietly;
    g_pending_n = 0;
    call_t(s, 5, "{}");
    rpc(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5," META "}}");
    CHECK_EQ(g_cancel_n, 3);
    CHECK(!picomcp_server_is_live(s, g_pending[0]));
    rig_close(&r);
}

/* Too many requests in flight: one more gets a JSON-RPC error. */
static void test_max_requests(void) {
    TEST("max_requests");
    rig r;
    picomcp_config c = small_config();
    c.max_requests = 2;
    picomcp_server *s = tool_rig(&r, &c, tool_defers_quietly);
    g_pending_n = 0;
    call_t(s, 1, "{}");
    call_t(s, 2, "{}");
    CHECK_EQ(g_pending_n, 2);
    const char *o = call_t(s, 3, "{}");
    CHECK_HAS(o, "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":");
    CHECK_EQ(g_pending_n, 2);
    CHECK_OK(picomcp_server_reply_error(s, g_pending[0], -32000, "freed"));
    o = call_t(s, 4, "{}");
    CHECK_EQ(g_pending_n, 3);
    rig_close(&r);
}

/* ---------------------------------------------------------------------------------- */
/* The byte stream: splits, long lines, a full output queue.                            */

static picomcp_status tool_echo(picomcp_call *call) {
    char buf[4096];
    size_t len = 0;
    picomcp_status st = picomcp_call_arg_string(call, "text", buf, sizeof buf, &len);
    if (st != PICOMCP_STATUS_OK) return st;
    CHECK_OK(picomcp_call_text(call, buf, len));
    return PICOMCP_STATUS_OK;
}

static const char SESSION[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":{\"text\":"
    "\"one \\u00e9\"}," META "}}\n"
    "\r\n   \n"
    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{" META "}}\r\n"
    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":{\"text\":"
    "\"three\"}," META "}}\n"
    "not json at all\n"
    "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\",\"params\":{" META "}}\n";

static void run_session_split(size_t (*next)(size_t i), char *result, size_t cap) {
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_echo);
    out_reset();
    size_t total = sizeof SESSION - 1, at = 0;
    for (size_t i = 0; at < total; i++) {
        size_t n = next(i);
        if (n > total - at) n = total - at;
        feed(s, SESSION + at, n);
        at += n;
        if (i % 3 == 0) drain_chunked(s, 1 + i % 7);
    }
    drain(s);
    snprintf(result, cap, "%s", out_buf);
    rig_close(&r);
}

static size_t split_all(size_t i) { (void)i; return 1 << 20; }
static size_t split_one(size_t i) { (void)i; return 1; }
static size_t split_odd(size_t i) { return 1 + (i * 7919) % 23; }
static size_t split_zero(size_t i) { return i % 2 ? 0 : 5; }

static void test_split_input(void) {
    TEST("input_split_at_any_byte");
    static char whole[1 << 14], one[1 << 14], odd[1 << 14], zero[1 << 14];
    run_session_split(split_all, whole, sizeof whole);
    check_context = whole;
    CHECK_HAS(whole, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"one "
                     "\xc3\xa9\"}]");
    /* (2026-07-28 has no ping: an error reply in the stream.) */
    CHECK_HAS(whole, "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32601,\"message\":\"Method not found: "
                     "ping\"}}\n");
    CHECK_HAS(whole, "\"id\":3,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"three\"}]");
    CHECK_HAS(whole, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error");
    CHECK_HAS(whole, "\"id\":4,\"result\":{\"tools\":[{\"name\":\"t\"");
    CHECK_EQ(count_of(whole, "\n"), 5);
    run_session_split(split_one, one, sizeof one);
    CHECK_STR(one, whole);
    run_session_split(split_odd, odd, sizeof odd);
    CHECK_STR(odd, whole);
    run_session_split(split_zero, zero, sizeof zero);
    CHECK_STR(zero, whole);
    /* Every prefix/suffix split of the first message. */
    rig r;
    picomcp_server *s = tool_rig(&r, NULL, tool_echo);
    const char *first = SESSION;
    size_t first_len = strchr(SESSION, '\n') - SESSION + 1;
    for (size_t cut = 0; cut <= first_len; cut++) {
        out_reset();
        feed(s, first, cut);
        CHECK_EQ(picomcp_server_pending_output(s), cut == first_len ? picomcp_server_pending_output(s) : 0);
        feed(s, first + cut, first_len - cut);
        drain(s);
        CHECK_HAS(out_buf, "\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"one \xc3\xa9\"}]");
        CHECK_EQ(count_of(out_buf, "\n"), 1);
    }
    rig_close(&r);
}

static void test_long_line(void) {
    TEST("line_longer_than_input_bytes");
    rig r;
    picomcp_config c = small_config();
    c.input_bytes = 256;
    picomcp_server *s = tool_rig(&r, &c, tool_echo);
    static char line[2048];
    int n = snprintf(line, sizeof line,
                     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\","
                     "\"arguments\":{\"text\":\"");
    memset(line + n, 'y', 1000);
    n += 1000;
    n += snprintf(line + n, sizeof line - n, "\"}," META "}}\n");
    static const char next[] = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"t\","
                               "\"arguments\":{\"text\":\"short\"}," META "}}\n";
    CHECK((size_t)sizeof next - 1 < 256);
    /* At once. */
    out_reset();
    feed(s, line, (size_t)n);
    feed(s, next, sizeof next - 1);
    drain(s);
    CHECK_STR(out_buf, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid request: "
                       "message longer than the server's input buffer\",\"data\":{\"limit\":256}}}\n"
                       "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"short\"}],"
                       "" DONE);
    /* In pieces of 100 bytes, the next line in the same piece as the long one's end. */
    out_reset();
    static char both[4096];
    memcpy(both, line, (size_t)n);
    memcpy(both + n, next, sizeof next - 1);
    size_t total = (size_t)n + sizeof next - 1;
    for (size_t at = 0; at < total; at += 100) feed(s, both + at, total - at < 100 ? total - at : 100);
    drain(s);
    CHECK_EQ(count_of(out_buf, "\"code\":-32600"), 1);
    CHECK_HAS(out_buf, "\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"short\"}]");
    CHECK_EQ(count_of(out_buf, "\n"), 2);
    /* A line just under the limit is served. */
    static char fits[256];
    int m = snprintf(fits, sizeof fits, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\",\"params\":{" META
                                        ",\"pad\":\"");
    while (m < 253) fits[m++] = 'p';
    fits[m++] = '"';
    fits[m++] = '}';
    fits[m++] = '}';
    /* m == 256 including the newline below would not fit; strip one pad. */
    memmove(fits + m - 4, fits + m - 3, 3);
    m--;
    fits[m++] = '\n';
    CHECK_EQ(m, 256);
    out_reset();
    feed(s, fits, (size_t)m);
    drain(s);
    CHECK_HAS(out_buf, "\"id\":3,\"error\":{\"code\":-32601"); /* served (2026-07-28 has no ping) */
    rig_close(&r);
}

/* An answer larger than the room left in the output queue is never dropped in silence:
   the client gets the answer (once the queue has room) or an error naming the limit. */
static void test_answer_larger_than_free_room(void) {
    TEST("answer_larger_than_free_room");
    for (int round = 0; round < 2; round++) {
        rig r;
        picomcp_config c = small_config();
        c.result_bytes = 64; /* room kept before each message: 64 + 1024 */
        /* The listing is 1386 bytes. Round 0: it fits an empty queue, not one holding the
           parse error (98 bytes); round 1: it never fits. */
        c.output_bytes = round == 0 ? 1450 : 1300;
        picomcp_server *s = rig_open(&r, &c);
        static const char *names[] = {"a", "b", "c", "d", "e", "f"};
        for (int i = 0; i < 6; i++) {
            picomcp_tool t = {.name = names[i],
                              .description = "A tool with a description long enough to make the listing "
                                             "longer than the free room of a small output queue, surely, "
                                             "and a few words more."};
            CHECK_OK(picomcp_server_add_tool(s, &t, noop_handler, NULL));
        }
        const char *list2 = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{" META "}}\n";
        const char *list3 = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\",\"params\":{" META "}}\n";
        char input[4096];
        int n = snprintf(input, sizeof input, "not json\n%s%s", list2, list3);
        out_reset();
        feed(s, input, (size_t)n);
        drain(s);
        CHECK_EQ(count_of(out_buf, "\"code\":-32700"), 1);
        for (int id = 2; id <= 3; id++) {
            char listing[64], refused[64];
            snprintf(listing, sizeof listing, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"result\":{\"tools\":[", id);
            snprintf(refused, sizeof refused, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"error\":{\"code\":-32603,", id);
            /* Exactly one answer per request. */
            CHECK_EQ(count_of(out_buf, listing) + count_of(out_buf, refused), 1);
            /* Refused: id 2 in both rounds (the parse error took the room), id 3 when
               the listing can never fit. */
            if (round == 1 || id == 2) CHECK_EQ(count_of(out_buf, refused), 1);
        }
        if (round == 0) {
            /* Once a listing was seen, the loop keeps room for one: the second one arrives. */
            CHECK_EQ(count_of(out_buf, "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"tools\":["), 1);
        } else {
            CHECK(strstr(out_buf, "\"data\":{\"limit\":1300}") != NULL);
        }
        /* Still serving. */
        CHECK(strstr(rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"server/discover\",\"params\":{" META "}}"),
                     "\"id\":9,\"result\":{") != NULL);
        rig_close(&r);
    }
}

static void test_output_full(void) {
    TEST("output_full_then_resume");
    rig r;
    picomcp_config c = small_config();
    c.result_bytes = 256;
    c.output_bytes = 1400; /* room for one answer (256 + 1024 reserved) at a time */
    picomcp_server *s = tool_rig(&r, &c, tool_echo);
    /* 40 calls in one buffer, each answer about 120 bytes. */
    static char input[1 << 14];
    size_t len = 0;
    for (int id = 1; id <= 40; id++)
        len += (size_t)snprintf(input + len, sizeof input - len,
                                "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"t\","
                                "\"arguments\":{\"text\":\"message number %d\"}," META "}}\n",
                                id, id);
    out_reset();
    size_t at = 0;
    int fulls = 0;
    while (at < len) {
        size_t consumed = 0;
        picomcp_status st = picomcp_server_receive(s, (const uint8_t *)input + at, len - at, &consumed);
        CHECK(st == PICOMCP_STATUS_OK || st == PICOMCP_STATUS_OUTPUT_FULL);
        if (st == PICOMCP_STATUS_OUTPUT_FULL) fulls++;
        CHECK(consumed <= len - at);
        at += consumed;
        /* Whatever is queued is whole messages. */
        size_t pending = picomcp_server_pending_output(s);
        CHECK(pending <= c.output_bytes);
        size_t before = out_len;
        drain_chunked(s, 13);
        CHECK_EQ(out_len - before, pending);
        CHECK(out_len == 0 || out_buf[out_len - 1] == '\n');
        if (st == PICOMCP_STATUS_OK) CHECK_EQ(at, len);
        CHECK(fulls < 1000);
    }
    /* Lines still buffered inside: an empty receive serves them. */
    for (int i = 0; i < 100; i++) {
        picomcp_status st = picomcp_server_receive(s, NULL, 0, NULL);
        drain(s);
        if (st == PICOMCP_STATUS_OK) break;
        CHECK_STATUS(st, PICOMCP_STATUS_OUTPUT_FULL);
    }
    CHECK(fulls > 0);
    /* All 40 answers, in order, each whole. */
    const char *p = out_buf;
    for (int id = 1; id <= 40; id++) {
        char want[320];
        snprintf(want, sizeof want,
                 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"message "
                 "number %d\"}]," DONE,
                 id, id);
        CHECK(strncmp(p, want, strlen(want)) == 0);
        p += strlen(want);
    }
    CHECK_EQ(*p, 0);
    rig_close(&r);
}

/* Output that did not fit is reported; a reply handle stays open until it fits. */
static void test_output_full_outside(void) {
    TEST("output_full_outside_receive");
    rig r;
    picomcp_config c = small_config();
    c.result_bytes = 256;
    c.output_bytes = 1400;
    picomcp_server *s = tool_rig(&r, &c, tool_defers_quietly);
    legacy_init(s);
    rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"debug\"}}");
    g_pending_n = 0;
    rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"t\","
           "\"_meta\":{\"progressToken\":\"pt\"}}}");
    CHECK_EQ(g_pending_n, 1);
    uint64_t t = g_pending[0];
    /* Fill the queue with logs until one does not fit. */
    int logged = 0;
    picomcp_status st;
    while ((st = picomcp_server_log(s, PICOMCP_LOG_INFO, "filling the output queue with some text")) ==
           PICOMCP_STATUS_OK) {
        logged++;
        CHECK(logged < 1000);
    }
    CHECK_STATUS(st, PICOMCP_STATUS_OUTPUT_FULL);
    size_t pending = picomcp_server_pending_output(s);
    CHECK_STATUS(picomcp_server_progress(s, t, 1, 2, NULL), PICOMCP_STATUS_OUTPUT_FULL);
    CHECK_EQ(picomcp_server_pending_output(s), pending);
    picomcp_call *h = NULL;
    CHECK_OK(picomcp_server_reply(s, t, &h));
    CHECK_OK(picomcp_call_text(h, "finally", PICOMCP_STRLEN));
    CHECK_STATUS(picomcp_call_send(h), PICOMCP_STATUS_OUTPUT_FULL);
    CHECK_EQ(picomcp_server_pending_output(s), pending);
    CHECK(picomcp_server_is_live(s, t));
    out_reset();
    drain(s);
    CHECK_EQ(count_of(out_buf, "filling the output queue"), logged);
    CHECK_EQ(count_of(out_buf, "\n"), logged);
    /* Drained: the same handle sends. */
    CHECK_OK(picomcp_call_send(h));
    out_reset();
    drain(s);
    CHECK_STR(out_buf, "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
                       "\"finally\"}]}}\n");
    rig_close(&r);
}

/* ---------------------------------------------------------------------------------- */
/* Caller memory: nothing is written outside the region handed over.                    */

static picomcp_status tool_workload(picomcp_call *call) {
    char buf[512];
    size_t len = 0;
    if (picomcp_call_arg_string(call, "text", buf, sizeof buf, &len) == PICOMCP_STATUS_OK) {
        CHECK_OK(picomcp_call_text(call, buf, len));
        CHECK_OK(picomcp_call_image(call, (const uint8_t *)buf, len, "image/png"));
        CHECK_OK(picomcp_call_structured(call, "{\"n\":1}", PICOMCP_STRLEN));
        return PICOMCP_STATUS_OK;
    }
    CHECK_OK(picomcp_call_defer(call, &g_ticket));
    return PICOMCP_STATUS_OK;
}

static void guarded_workload(size_t offset) {
    enum { GUARD = 64 };
    picomcp_config c = small_config();
    c.result_bytes = 1024;
    c.output_bytes = 4096;
    c.input_bytes = 512;
    c.text_bytes = 512;
    size_t size = picomcp_storage_size(&c);
    unsigned char *block = malloc(size + 2 * GUARD + offset);
    CHECK(block != NULL);
    memset(block, 0xA5, size + 2 * GUARD + offset);
    unsigned char *mem = block + GUARD + offset;
    memset(mem, 0x5A, size);
    picomcp_server *s = NULL;
    CHECK_OK(picomcp_server_init(mem, size, &c, "guarded", "1", &s));
    CHECK((unsigned char *)s >= mem && (unsigned char *)s < mem + size);
    picomcp_tool t = {0};
    t.name = "t";
    t.input_schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}";
    CHECK_OK(picomcp_server_add_tool(s, &t, dispatch, &g_userdata));
    picomcp_resource res = {"demo://r", "r", "R", "a resource", "text/plain"};
    CHECK_OK(picomcp_server_add_resource(s, &res, read_defers, NULL));
    picomcp_prompt_argument a[1] = {{"who", "w", true}};
    picomcp_prompt p = {"greet", "P", "a prompt", a, 1};
    CHECK_OK(picomcp_server_add_prompt(s, &p, prompt_greet, NULL));
    /* Fill the text arena to the last byte. */
    picomcp_status st;
    int k = 0;
    do {
        char name[16];
        snprintf(name, sizeof name, "fill%d", k++);
        picomcp_tool f = {0};
        f.name = name;
        f.description = "0123456789012345678901234567890123456789";
        st = picomcp_server_add_tool(s, &f, noop_handler, NULL);
    } while (st == PICOMCP_STATUS_OK);
    CHECK(st == PICOMCP_STATUS_NO_ROOM);
    g_server = s;
    g_tool = tool_workload;
    legacy_init(s);
    rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    CHECK_HAS(out_buf, "\"name\":\"fill0\"");
    rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":"
           "{\"text\":\"guarded \\u00e9 text\"}}}");
    CHECK_HAS(out_buf, "\"text\":\"guarded \xc3\xa9 text\"");
    rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":{}}}");
    picomcp_call *h = NULL;
    CHECK_OK(picomcp_server_reply(s, g_ticket, &h));
    /* Fill the result buffer to the brim. */
    while (picomcp_call_text(h, "0123456789abcdef", PICOMCP_STRLEN) == PICOMCP_STATUS_OK) {
    }
    CHECK_OK(picomcp_call_send(h));
    rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"prompts/get\",\"params\":{\"name\":\"greet\",\"arguments\":"
           "{\"who\":\"me\"}}}");
    CHECK_HAS(out_buf, "Greet me");
    /* A long line and a burst that fills the output queue. */
    static char burst[8192];
    size_t len = 0;
    memset(burst, 'z', 700);
    burst[700] = '\n';
    len = 701;
    for (int id = 10; id < 40; id++)
        len += (size_t)snprintf(burst + len, sizeof burst - len,
                                "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"ping\"}\n", id);
    size_t at = 0;
    out_reset();
    for (int rounds = 0; rounds < 200; rounds++) {
        size_t consumed = 0;
        st = picomcp_server_receive(s, (const uint8_t *)burst + at, len - at, &consumed);
        at += consumed;
        drain_chunked(s, 50);
        if (st == PICOMCP_STATUS_OK && at == len) break;
    }
    CHECK_EQ(at, len);
    CHECK_HAS(out_buf, "\"id\":39,\"result\":{}");
    /* The guards. */
    for (size_t i = 0; i < GUARD + offset; i++) CHECK(block[i] == 0xA5);
    for (size_t i = 0; i < GUARD; i++) CHECK(mem[size + i] == 0xA5);
    /* No second server was made elsewhere: reuse the memory for a fresh one. */
    CHECK_OK(picomcp_server_init(mem, size, &c, "again", "2", &s));
    legacy_init(s);
    CHECK_HAS(check_context, "\"name\":\"again\"");
    for (size_t i = 0; i < GUARD; i++) CHECK(mem[size + i] == 0xA5 && block[i] == 0xA5);
    free(block);
}

static void test_caller_memory_guards(void) {
    TEST("caller_memory_guards");
    guarded_workload(0);
    guarded_workload(1);
    guarded_workload(3);
    guarded_workload(7);
}

/* ---------------------------------------------------------------------------------- */

/* ---------------------------------------------------------------------------------- */
/* Scoped access: principals and the visibility callback (sans-IO), and bearer-token    */
/* authorization with protected-resource metadata (the HTTP driver, std builds).        */

/* Whether `key` (`len` bytes, not NUL-terminated) contains `needle`. */
static bool key_has(const char *key, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(key + i, needle, n) == 0) return true;
    return false;
}

static int g_visible_asks;
static int g_visible_bad_args;
/* Principal 2 sees everything; everyone else nothing whose key says "secret". */
static bool visible_cb(uint32_t principal, picomcp_item item, const char *key, size_t key_len, size_t index,
                       void *userdata) {
    g_visible_asks++;
    if (userdata != &g_userdata || key == NULL || key_len == 0 || item < PICOMCP_ITEM_TOOL ||
        item > PICOMCP_ITEM_PROMPT || index > 8)
        g_visible_bad_args++;
    return principal == 2 || !key_has(key, key_len, "secret");
}

/* A tool that names the principal of its call. */
static picomcp_status whoami(picomcp_call *call, void *userdata) {
    (void)userdata;
    char text[64];
    int n = snprintf(text, sizeof text, "principal %u", (unsigned)picomcp_call_principal(call));
    /* Re-entering from a callback is refused. */
    CHECK_STATUS(picomcp_server_set_principal(g_server, 7), PICOMCP_STATUS_MISUSE);
    CHECK_STATUS(picomcp_server_on_visible(g_server, NULL, NULL), PICOMCP_STATUS_MISUSE);
    return picomcp_call_text(call, text, (size_t)n);
}

static picomcp_status read_any(picomcp_call *call, void *userdata) {
    (void)userdata;
    return picomcp_call_contents_text(call, NULL, NULL, "contents", PICOMCP_STRLEN);
}

static picomcp_status prompt_any(picomcp_call *call, void *userdata) {
    (void)userdata;
    return picomcp_call_message(call, PICOMCP_ROLE_USER, "hi", PICOMCP_STRLEN);
}

static picomcp_status complete_any(picomcp_call *call, void *userdata) {
    (void)userdata;
    return picomcp_call_suggest(call, "x", PICOMCP_STRLEN);
}

/* A server with public descriptors and, when `secrets`, the same kinds named "secret". */
static picomcp_server *access_rig(rig *r, bool secrets) {
    picomcp_config c = small_config();
    picomcp_server *s = rig_open(r, &c);
    picomcp_tool t = {0};
    t.name = "pub";
    CHECK_OK(picomcp_server_add_tool(s, &t, whoami, NULL));
    picomcp_resource res = {"demo://pub", "pub", NULL, NULL, NULL};
    CHECK_OK(picomcp_server_add_resource(s, &res, read_any, NULL));
    picomcp_template tp = {"demo://pub/{id}", "pubs", NULL, NULL, NULL};
    CHECK_OK(picomcp_server_add_template(s, &tp, read_any, NULL));
    picomcp_prompt p = {"pub_p", NULL, NULL, NULL, 0};
    CHECK_OK(picomcp_server_add_prompt(s, &p, prompt_any, NULL));
    if (secrets) {
        t.name = "secret";
        CHECK_OK(picomcp_server_add_tool(s, &t, whoami, NULL));
        picomcp_resource sr = {"demo://secret", "secret", NULL, NULL, NULL};
        CHECK_OK(picomcp_server_add_resource(s, &sr, read_any, NULL));
        picomcp_template st = {"demo://secret/{id}", "secrets", NULL, NULL, NULL};
        CHECK_OK(picomcp_server_add_template(s, &st, read_any, NULL));
        picomcp_prompt sp = {"secret_p", NULL, NULL, NULL, 0};
        CHECK_OK(picomcp_server_add_prompt(s, &sp, prompt_any, NULL));
    }
    CHECK_OK(picomcp_server_on_complete(s, complete_any, NULL));
    g_server = s;
    return s;
}

/* The requests a hidden descriptor must answer as if it had never been registered. */
static const char *const HIDDEN_PROBES[] = {
    "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":{\"name\":\"secret\",\"arguments\":{},"
    META "}}",
    "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"resources/read\",\"params\":{\"uri\":\"demo://secret\"," META "}}",
    "{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"resources/read\",\"params\":{\"uri\":\"demo://secret/7\"," META "}}",
    "{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"prompts/get\",\"params\":{\"name\":\"secret_p\"," META "}}",
    "{\"jsonrpc\":\"2.0\",\"id\":15,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":"
    "\"ref/prompt\",\"name\":\"secret_p\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}," META "}}",
    "{\"jsonrpc\":\"2.0\",\"id\":16,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":"
    "\"ref/resource\",\"uri\":\"demo://secret/{id}\"},\"argument\":{\"name\":\"id\",\"value\":\"\"}," META "}}",
};
#define N_PROBES (sizeof HIDDEN_PROBES / sizeof HIDDEN_PROBES[0])

static const char LIST_TOOLS[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{" META "}}";
static const char LIST_RESOURCES[] =
    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/list\",\"params\":{" META "}}";
static const char LIST_TEMPLATES[] =
    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/templates/list\",\"params\":{" META "}}";
static const char LIST_PROMPTS[] = "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"prompts/list\",\"params\":{" META "}}";

static void test_principals_and_visibility(void) {
    TEST("principals_and_visibility");
    /* What a server that never registered the secrets answers. */
    static char never[N_PROBES][2048];
    static char never_lists[4][4096];
    const char *const lists[4] = {LIST_TOOLS, LIST_RESOURCES, LIST_TEMPLATES, LIST_PROMPTS};
    rig plain;
    picomcp_server *p = access_rig(&plain, false);
    for (size_t i = 0; i < N_PROBES; i++) snprintf(never[i], sizeof never[i], "%s", rpc(p, HIDDEN_PROBES[i]));
    for (size_t i = 0; i < 4; i++) snprintf(never_lists[i], sizeof never_lists[i], "%s", rpc(p, lists[i]));
    CHECK_HAS(never[0], "\"id\":11,\"error\":");
    CHECK_HAS(never[0], "Unknown tool");
    CHECK_HAS(never[1], "\"id\":12,\"error\":");
    CHECK_HAS(never[3], "\"id\":14,\"error\":");
    rig_close(&plain);

    rig r;
    picomcp_server *s = access_rig(&r, true);
    CHECK_STATUS(picomcp_server_on_visible(NULL, visible_cb, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_set_principal(NULL, 1), PICOMCP_STATUS_NULL_POINTER);
    CHECK_EQ(picomcp_call_principal(NULL), 0);
    /* Without a callback everyone sees everything. */
    const char *o = rpc(s, LIST_TOOLS);
    CHECK_HAS(o, "\"name\":\"secret\"");
    CHECK_OK(picomcp_server_on_visible(s, visible_cb, &g_userdata));
    g_visible_asks = g_visible_bad_args = 0;

    /* Anonymous (0, the default) and principal 1: exactly the server without secrets. */
    for (uint32_t who = 0; who <= 1; who++) {
        if (who == 1) CHECK_OK(picomcp_server_set_principal(s, 1));
        for (size_t i = 0; i < 4; i++) {
            o = rpc(s, lists[i]);
            CHECK_STR(o, never_lists[i]);
            CHECK_LACKS(o, "secret");
        }
        for (size_t i = 0; i < N_PROBES; i++) {
            o = rpc(s, HIDDEN_PROBES[i]);
            CHECK_STR(o, never[i]);
        }
    }
    CHECK(g_visible_asks > 0);
    CHECK_EQ(g_visible_bad_args, 0);
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":20,\"method\":\"tools/call\",\"params\":{\"name\":\"pub\","
               "\"arguments\":{}," META "}}");
    CHECK_HAS(o, "\"id\":20,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"principal 1\"}]");

    /* Principal 2 sees and uses everything, and its calls say so. */
    CHECK_OK(picomcp_server_set_principal(s, 2));
    o = rpc(s, LIST_TOOLS);
    CHECK_HAS(o, "\"name\":\"pub\"");
    CHECK_HAS(o, "\"name\":\"secret\"");
    CHECK_HAS(rpc(s, LIST_RESOURCES), "\"uri\":\"demo://secret\"");
    CHECK_HAS(rpc(s, LIST_TEMPLATES), "\"uriTemplate\":\"demo://secret/{id}\"");
    CHECK_HAS(rpc(s, LIST_PROMPTS), "\"name\":\"secret_p\"");
    o = rpc(s, HIDDEN_PROBES[0]);
    CHECK_HAS(o, "\"id\":11,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"principal 2\"}]");
    CHECK_HAS(rpc(s, HIDDEN_PROBES[1]), "\"id\":12,\"result\":{\"contents\":[{\"uri\":\"demo://secret\"");
    CHECK_HAS(rpc(s, HIDDEN_PROBES[2]), "\"id\":13,\"result\":{\"contents\":[{\"uri\":\"demo://secret/7\"");
    CHECK_HAS(rpc(s, HIDDEN_PROBES[3]), "\"id\":14,\"result\":{\"messages\":");
    CHECK_HAS(rpc(s, HIDDEN_PROBES[4]), "\"id\":15,\"result\":{\"completion\":{\"values\":[\"x\"]");
    CHECK_HAS(rpc(s, HIDDEN_PROBES[5]), "\"id\":16,\"result\":{\"completion\":{\"values\":[\"x\"]");

    /* The legacy era too (a session's principal is the server's). */
    CHECK_OK(picomcp_server_set_principal(s, 1));
    legacy_init(s);
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":30,\"method\":\"tools/list\"}");
    CHECK_HAS(o, "\"name\":\"pub\"");
    CHECK_LACKS(o, "secret");
    o = rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":31,\"method\":\"tools/call\",\"params\":{\"name\":\"secret\"}}");
    CHECK_HAS(o, "\"id\":31,\"error\":");
    CHECK_HAS(o, "Unknown tool");

    /* NULL removes the callback: everything is visible again. */
    CHECK_OK(picomcp_server_on_visible(s, NULL, NULL));
    CHECK_HAS(rpc(s, "{\"jsonrpc\":\"2.0\",\"id\":32,\"method\":\"tools/list\"}"), "\"name\":\"secret\"");
    CHECK_EQ(g_visible_bad_args, 0);
    rig_close(&r);
}

#ifdef PICOMCP_STD
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int g_pending_asks;
/* Tokens: "alice" is principal 1, "root" principal 2, "weak" lacks a scope, "slow" is
   decided on the third ask (principal 1); anything else is refused. */
static picomcp_access authorize_cb(const char *token, size_t len, uint32_t *principal, const char **scope,
                                   void *userdata) {
    if (userdata != &g_userdata || *principal != 0 || *scope != NULL) return PICOMCP_ACCESS_UNAUTHORIZED;
    /* No token: 42, which counts as PICOMCP_ACCESS_UNAUTHORIZED (as any unknown value). */
    if (token == NULL) return len == 0 ? 42 : PICOMCP_ACCESS_GRANTED;
    if (len == 5 && memcmp(token, "alice", 5) == 0) {
        *principal = 1;
        return PICOMCP_ACCESS_GRANTED;
    }
    if (len == 4 && memcmp(token, "root", 4) == 0) {
        *principal = 2;
        return PICOMCP_ACCESS_GRANTED;
    }
    if (len == 4 && memcmp(token, "weak", 4) == 0) {
        *scope = "mcp:admin mcp:write";
        return PICOMCP_ACCESS_INSUFFICIENT_SCOPE;
    }
    if (len == 4 && memcmp(token, "slow", 4) == 0) {
        if (++g_pending_asks < 3) return PICOMCP_ACCESS_PENDING;
        *principal = 1;
        return PICOMCP_ACCESS_GRANTED;
    }
    return PICOMCP_ACCESS_UNAUTHORIZED;
}

static int64_t poll_soon(picomcp_server *s, void *userdata) {
    (void)s;
    (void)userdata;
    return 10;
}

/* A free TCP port on 127.0.0.1 (bound, read, released). */
static uint16_t free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    socklen_t n = sizeof a;
    CHECK(getsockname(fd, (struct sockaddr *)&a, &n) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* One HTTP request on a new connection (closed after it); the whole response in `out`,
   NUL-terminated. Retries connecting for a while (the server may still be starting). */
static const char *http_exchange(uint16_t port, const char *method, const char *path, const char *token,
                                 const char *body, char *out, size_t cap) {
    int fd = -1;
    for (int attempt = 0; attempt < 600; attempt++) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(fd >= 0);
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) break;
        close(fd);
        fd = -1;
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    CHECK(fd >= 0);
    char auth[128] = "";
    if (token) snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", token);
    static char req[8192];
    int n;
    if (body) {
        /* The method name for the Mcp-Method header: the body's "method" value. */
        char m[64] = "";
        const char *at = strstr(body, "\"method\":\"");
        if (at) sscanf(at + 10, "%63[^\"]", m);
        n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%sContent-Type: application/json\r\n"
                     "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n"
                     "Mcp-Method: %s\r\n%s%s%sContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     method, path, (unsigned)port, auth, m, strcmp(m, "tools/call") == 0 ? "Mcp-Name: " : "",
                     strcmp(m, "tools/call") == 0 ? (strstr(body, "\"secret\"") ? "secret" : "pub") : "",
                     strcmp(m, "tools/call") == 0 ? "\r\n" : "", strlen(body), body);
    } else {
        n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%sConnection: close\r\n\r\n", method,
                     path, (unsigned)port, auth);
    }
    CHECK(n > 0 && (size_t)n < sizeof req);
    for (size_t sent = 0; sent < (size_t)n;) {
        ssize_t w = send(fd, req + sent, (size_t)n - sent, 0);
        CHECK(w > 0);
        sent += (size_t)w;
    }
    size_t len = 0;
    for (;;) {
        CHECK(len + 1 < cap);
        ssize_t got = recv(fd, out + len, cap - 1 - len, 0);
        if (got < 0 && errno == EINTR) continue;
        CHECK(got >= 0);
        if (got == 0) break;
        len += (size_t)got;
    }
    out[len] = 0;
    close(fd);
    check_context = out;
    return out;
}

/* The HTTP server of the test, in a child process (the driver serves until it ends). */
static void serve_child(uint16_t port) {
    picomcp_server *s = NULL;
    picomcp_config c = small_config();
    if (picomcp_server_new(&c, "c-tests", "1.2.3", &s) != PICOMCP_STATUS_OK) _exit(2);
    picomcp_tool t = {0};
    t.name = "pub";
    picomcp_server_add_tool(s, &t, whoami, NULL);
    t.name = "secret";
    picomcp_server_add_tool(s, &t, whoami, NULL);
    g_server = s;
    const char *servers[] = {"https://auth.example"};
    const char *scopes[] = {"mcp:read", "mcp:admin"};
    picomcp_protected_resource meta = {NULL, servers, 1, scopes, 2};
    if (picomcp_server_set_protected_resource(s, &meta) != PICOMCP_STATUS_OK) _exit(3);
    if (picomcp_server_on_visible(s, visible_cb, &g_userdata) != PICOMCP_STATUS_OK) _exit(4);
    if (picomcp_server_on_authorize(s, authorize_cb, &g_userdata) != PICOMCP_STATUS_OK) _exit(5);
    if (picomcp_server_on_poll(s, poll_soon, NULL) != PICOMCP_STATUS_OK) _exit(6);
    picomcp_server_serve_http(s, "127.0.0.1", port);
    _exit(7);
}

static void test_protected_resource_statuses(void) {
    TEST("protected_resource_statuses");
    rig r;
    picomcp_config c = small_config();
    c.text_bytes = 64;
    picomcp_server *s = rig_open(&r, &c);
    const char *servers[] = {"https://auth.example"};
    const char *empty[] = {""};
    const char *null_entry[] = {NULL};
    picomcp_protected_resource meta = {"https://mcp.example.com/mcp", servers, 1, NULL, 0};
    CHECK_STATUS(picomcp_server_set_protected_resource(NULL, &meta), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_set_protected_resource(s, NULL), PICOMCP_STATUS_NULL_POINTER);
    CHECK_STATUS(picomcp_server_on_authorize(NULL, authorize_cb, NULL), PICOMCP_STATUS_NULL_POINTER);
    picomcp_protected_resource bad = meta;
    bad.resource = "mcp.example.com/mcp";
    CHECK_STATUS(picomcp_server_set_protected_resource(s, &bad), PICOMCP_STATUS_INVALID_ARGUMENT);
    bad.resource = "https://";
    CHECK_STATUS(picomcp_server_set_protected_resource(s, &bad), PICOMCP_STATUS_INVALID_ARGUMENT);
    bad.resource = BAD_UTF8;
    CHECK_STATUS(picomcp_server_set_protected_resource(s, &bad), PICOMCP_STATUS_INVALID_UTF8);
    bad = meta;
    bad.authorization_servers = NULL;
    CHECK_STATUS(picomcp_server_set_protected_resource(s, &bad), PICOMCP_STATUS_NULL_POINTER);
    bad.authorization_servers = null_entry;
    CHECK_STATUS(picomcp_server_set_protected_resource(s, &bad), PICOMCP_STATUS_NULL_POINTER);
    bad.authorization_servers = empty;
    CHECK_STATUS(picomcp_server_set_protected_resource(s, &bad), PICOMCP_STATUS_INVALID_ARGUMENT);
    bad = meta;
    bad.scopes_supported = servers;
    bad.scope_count = 1;
    bad.resource = "https://a-very-long-host-name.example.com/and/a/long/path/mcp";
    CHECK_STATUS(picomcp_server_set_protected_resource(s, &bad), PICOMCP_STATUS_NO_ROOM);
    CHECK_OK(picomcp_server_set_protected_resource(s, &meta));
    /* Registration closes when serving starts. */
    rpc(s, LIST_TOOLS);
    CHECK_STATUS(picomcp_server_set_protected_resource(s, &meta), PICOMCP_STATUS_MISUSE);
    CHECK_OK(picomcp_server_on_authorize(s, NULL, NULL));
    rig_close(&r);
}

static void test_http_authorization(void) {
    TEST("http_authorization");
    uint16_t port = free_port();
    fflush(stdout);
    fflush(stderr);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) serve_child(port);

    static char resp[1 << 16];
    char expect[512];
    const char *list = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{" META "}}";
    const char *call_secret = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
                              "\"secret\",\"arguments\":{}," META "}}";
    const char *call_pub = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":"
                           "\"pub\",\"arguments\":{}," META "}}";

    /* No token: 401 naming the metadata document. */
    const char *o = http_exchange(port, "POST", "/mcp", NULL, list, resp, sizeof resp);
    CHECK(strncmp(o, "HTTP/1.1 401 ", 13) == 0);
    snprintf(expect, sizeof expect,
             "\r\nWWW-Authenticate: Bearer resource_metadata=\"http://127.0.0.1:%u/.well-known/"
             "oauth-protected-resource/mcp\"\r\n",
             (unsigned)port);
    CHECK_HAS(o, expect);
    CHECK_HAS(o, "\"error\":\"invalid_request\"");
    CHECK_LACKS(o, "\"tools\"");

    /* A refused token: 401 with error="invalid_token". */
    o = http_exchange(port, "POST", "/mcp", "not-a-good-one", list, resp, sizeof resp);
    CHECK(strncmp(o, "HTTP/1.1 401 ", 13) == 0);
    snprintf(expect, sizeof expect,
             "\r\nWWW-Authenticate: Bearer error=\"invalid_token\", resource_metadata=\"http://127.0.0.1:%u/"
             ".well-known/oauth-protected-resource/mcp\"\r\n",
             (unsigned)port);
    CHECK_HAS(o, expect);
    CHECK_HAS(o, "\"error\":\"invalid_token\"");

    /* A good token lacking a scope: 403 insufficient_scope with the scopes. */
    o = http_exchange(port, "POST", "/mcp", "weak", list, resp, sizeof resp);
    CHECK(strncmp(o, "HTTP/1.1 403 ", 13) == 0);
    snprintf(expect, sizeof expect,
             "\r\nWWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"mcp:admin mcp:write\", "
             "resource_metadata=\"http://127.0.0.1:%u/.well-known/oauth-protected-resource/mcp\"\r\n",
             (unsigned)port);
    CHECK_HAS(o, expect);
    CHECK_HAS(o, "\"error\":\"insufficient_scope\"");

    /* The metadata document, without a token. */
    o = http_exchange(port, "GET", "/.well-known/oauth-protected-resource/mcp", NULL, NULL, resp, sizeof resp);
    CHECK(strncmp(o, "HTTP/1.1 200 ", 13) == 0);
    CHECK_HAS(o, "application/json");
    snprintf(expect, sizeof expect,
             "\r\n\r\n{\"resource\":\"http://127.0.0.1:%u/mcp\",\"authorization_servers\":[\"https://auth.example\"],"
             "\"scopes_supported\":[\"mcp:read\",\"mcp:admin\"],\"bearer_methods_supported\":[\"header\"]}",
             (unsigned)port);
    CHECK_HAS(o, expect);

    /* Principal 1 lists, and calls, only its tools. */
    o = http_exchange(port, "POST", "/mcp", "alice", list, resp, sizeof resp);
    CHECK(strncmp(o, "HTTP/1.1 200 ", 13) == 0);
    CHECK_HAS(o, "\"name\":\"pub\"");
    CHECK_LACKS(o, "secret");
    o = http_exchange(port, "POST", "/mcp", "alice", call_secret, resp, sizeof resp);
    CHECK_HAS(o, "\"id\":2,\"error\":");
    CHECK_HAS(o, "Unknown tool");
    o = http_exchange(port, "POST", "/mcp", "alice", call_pub, resp, sizeof resp);
    CHECK_HAS(o, "\"id\":3,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"principal 1\"}]");

    /* Principal 2 sees both. */
    o = http_exchange(port, "POST", "/mcp", "root", list, resp, sizeof resp);
    CHECK_HAS(o, "\"name\":\"pub\"");
    CHECK_HAS(o, "\"name\":\"secret\"");
    o = http_exchange(port, "POST", "/mcp", "root", call_secret, resp, sizeof resp);
    CHECK_HAS(o, "\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"principal 2\"}]");

    /* A decision that takes a while: held, then served. */
    o = http_exchange(port, "POST", "/mcp", "slow", call_pub, resp, sizeof resp);
    CHECK_HAS(o, "\"id\":3,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"principal 1\"}]");

    /* Still serving after all that (the child did not exit). */
    int status = 0;
    CHECK_EQ(waitpid(child, &status, WNOHANG), 0);
    kill(child, SIGKILL);
    CHECK_EQ(waitpid(child, &status, 0), child);
    check_context = "";
}
#endif

int main(void) {
    test_version_and_status_str();
    test_config_and_storage_size();
    test_init_statuses();
#ifdef PICOMCP_STD
    test_new_free();
#endif
    test_register_tool_statuses();
    test_register_others_statuses();
    test_registration_closes();
    test_fields_and_arguments();
    test_schema_checked();
    test_content_writers();
    test_base64();
    test_no_room_result();
    test_callback_outcomes();
    test_resources_prompts_completions();
    test_misuse_from_callback();
    test_deferral();
    test_deferred_kinds();
    test_poll_replies();
    test_busy();
    test_null_pointers();
    test_progress();
    test_logs();
    test_cancel();
    test_max_requests();
    test_split_input();
    test_long_line();
    test_output_full();
    test_answer_larger_than_free_room();
    test_output_full_outside();
    test_caller_memory_guards();
    test_principals_and_visibility();
#ifdef PICOMCP_STD
    test_protected_resource_statuses();
    test_http_authorization();
#endif
    printf("all C API tests passed: %lu checks\n", check_count);
    return 0;
}
