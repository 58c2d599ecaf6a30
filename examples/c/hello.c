/* The smallest picomcp server in C: one tool, `echo`, on stdin/stdout. */
#include <picomcp.h>

static picomcp_status echo(picomcp_call *call, void *userdata) {
    (void)userdata;
    char text[1024];
    size_t len;
    picomcp_status status = picomcp_call_arg_string(call, "text", text, sizeof text, &len);
    if (status != PICOMCP_STATUS_OK) return status; /* the client sees a tool error */
    return picomcp_call_text(call, text, len);
}

int main(void) {
    picomcp_server *server;
    if (picomcp_server_new(NULL, "hello", "1.0.0", &server) != PICOMCP_STATUS_OK) return 1;
    picomcp_tool tool = {
        .name = "echo",
        .description = "Echo the text back",
        .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}",
    };
    picomcp_server_add_tool(server, &tool, echo, NULL);
    picomcp_status status = picomcp_server_serve_stdio(server); /* until stdin closes */
    picomcp_server_free(server);
    return status == PICOMCP_STATUS_OK ? 0 : 1;
}
